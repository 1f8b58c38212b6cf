"""Message Batches (§3): create, retrieve, list, cancel, delete, JSONL results.

A batch is `in_progress` until `batch_delay` seconds after creation, then `ended` (state is
computed lazily on access, so no timer threads). Its requests are answered like
`/v1/messages` calls with `service_tier: batch`; invalid params give an `errored` result, and a
`#emu batch_result=errored|canceled|expired` directive forces one. Cancelling marks the batch
`canceling` and the requests not yet "done" at that moment (by elapsed fraction of the delay)
end `canceled`. Results are written in an order different from submission.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import bad_request, not_found
from .files import rfc3339
from .pagination import id_page
from .wire import Obj, Request, Response, Result, dumps, json_response

if TYPE_CHECKING:
    from .app import App

__all__ = [
    "Batch",
    "BatchStore",
    "cancel",
    "create",
    "delete",
    "list_batches",
    "results",
    "retrieve",
]

_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_MAX_REQUESTS = 100_000
_REQUIRED = ("model", "max_tokens", "messages")
Processor = Callable[[Obj, str], Obj]


@dataclass
class Batch:
    id: str
    version: str
    requests: list[Obj]
    created: datetime
    due: float
    cancelled: datetime | None = None
    done_at_cancel: int | None = None
    ended: datetime | None = None
    results: list[Obj] | None = None


def _result_order(lines: list[Obj]) -> list[Obj]:
    """A deterministic order that differs from submission whenever there are two or more."""
    ordered = sorted(lines, key=lambda line: hashlib.sha256(line["custom_id"].encode()).digest())
    return ordered[::-1] if ordered == lines else ordered


class BatchStore:
    """All batches of one emulator; `process(params, version)` answers one request."""

    def __init__(
        self, delay: float, process: Processor, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._delay, self._process, self._clock = delay, process, clock
        self._lock = threading.Lock()
        self._batches: dict[str, Batch] = {}

    def create(self, requests: list[Obj], version: str) -> Batch:
        batch_id = "msgbatch_emu_" + secrets.token_hex(12)
        batch = Batch(batch_id, version, requests, datetime.now(UTC), self._clock() + self._delay)
        with self._lock:
            self._batches[batch_id] = batch
        return batch

    def get(self, batch_id: str) -> Batch:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                raise not_found(f"No batch found with id {batch_id}")
            self._refresh(batch)
        return batch

    def newest_first(self) -> list[Batch]:
        with self._lock:
            batches = list(reversed(self._batches.values()))
            for batch in batches:
                self._refresh(batch)
        return batches

    def cancel(self, batch_id: str) -> Batch:
        batch = self.get(batch_id)
        with self._lock:
            if batch.ended is not None:
                raise bad_request(f"Batch {batch_id} has already ended and cannot be canceled")
            if batch.cancelled is None:
                batch.cancelled = datetime.now(UTC)
                batch.done_at_cancel = self._done_so_far(batch)
        return batch

    def delete(self, batch_id: str) -> None:
        batch = self.get(batch_id)
        if batch.ended is None:
            raise bad_request(
                f"Batch {batch_id} cannot be deleted while it is being processed; cancel it first"
            )
        with self._lock:
            self._batches.pop(batch_id, None)

    def clear(self) -> None:
        with self._lock:
            self._batches.clear()

    def _done_so_far(self, batch: Batch) -> int:
        remaining = max(0.0, batch.due - self._clock())
        fraction = 1.0 - remaining / self._delay if self._delay > 0 else 1.0
        return math.floor(len(batch.requests) * fraction)

    def _refresh(self, batch: Batch) -> None:
        if batch.results is None and self._clock() >= batch.due:
            batch.results = _result_order(
                [self._line(batch, i) for i in range(len(batch.requests))]
            )
            batch.ended = datetime.now(UTC)

    def _line(self, batch: Batch, position: int) -> Obj:
        request = batch.requests[position]
        skipped = batch.done_at_cancel is not None and position >= batch.done_at_cancel
        outcome = (
            {"type": "canceled"} if skipped else self._process(request["params"], batch.version)
        )
        return {"custom_id": request["custom_id"], "result": outcome}


def _counts(batch: Batch) -> Obj:
    counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
    if batch.results is None:
        counts["processing"] = len(batch.requests)
    for line in batch.results or []:
        counts[line["result"]["type"]] += 1
    return counts


def _status(batch: Batch) -> str:
    if batch.ended is not None:
        return "ended"
    return "canceling" if batch.cancelled is not None else "in_progress"


def _stamp(moment: datetime | None) -> str | None:
    return rfc3339(moment) if moment is not None else None


def batch_json(batch: Batch, base_url: str) -> Obj:
    ended = batch.ended is not None
    return {
        "id": batch.id,
        "type": "message_batch",
        "processing_status": _status(batch),
        "request_counts": _counts(batch),
        "ended_at": _stamp(batch.ended),
        "created_at": rfc3339(batch.created),
        "expires_at": rfc3339(batch.created + timedelta(hours=24)),
        "cancel_initiated_at": _stamp(batch.cancelled),
        "archived_at": None,
        "results_url": f"{base_url}/v1/messages/batches/{batch.id}/results" if ended else None,
    }


def _check_request(index: int, item: Any, seen: set[str]) -> Obj:
    where = f"requests.{index}"
    if not isinstance(item, dict):
        raise bad_request(f"{where}: Input should be a valid dictionary")
    custom_id = item.get("custom_id")
    if not isinstance(custom_id, str) or not _CUSTOM_ID.match(custom_id):
        raise bad_request(
            f"{where}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
        )
    if custom_id in seen:
        raise bad_request(
            f"{where}.custom_id: duplicate custom_id {custom_id!r}; custom_id values must be unique"
        )
    seen.add(custom_id)
    _check_params(where, item.get("params"))
    return {"custom_id": custom_id, "params": item["params"]}


def _check_params(where: str, params: Any) -> None:
    if not isinstance(params, dict):
        raise bad_request(f"{where}.params: Input should be a valid dictionary")
    for key in _REQUIRED:
        if key not in params:
            raise bad_request(f"{where}.params.{key}: Field required")
    if params.get("stream"):
        raise bad_request(f"{where}.params.stream: streaming is not supported for batch requests")


def check_requests(body: Any) -> list[Obj]:
    """The `requests` of a create body, validated; raises a 400 on the first problem."""
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise bad_request("requests: Field required")
    extra = sorted(set(body) - {"requests"})
    if extra:
        raise bad_request(f"{extra[0]}: Extra inputs are not permitted")
    requests = body["requests"]
    if not 1 <= len(requests) <= _MAX_REQUESTS:
        raise bad_request(f"requests: a batch must contain between 1 and {_MAX_REQUESTS} requests")
    seen: set[str] = set()
    return [_check_request(index, item, seen) for index, item in enumerate(requests)]


def create(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    requests = check_requests(app.require_json(req))
    batch = app.batches.create(requests, req.headers.get("anthropic-version", ""))
    return json_response(batch_json(batch, app.base_url))


def retrieve(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    return json_response(batch_json(app.batches.get(ids[0]), app.base_url))


def list_batches(app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    items = [batch_json(batch, app.base_url) for batch in app.batches.newest_first()]
    return json_response(id_page(items, req))


def cancel(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    return json_response(batch_json(app.batches.cancel(ids[0]), app.base_url))


def delete(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    app.batches.delete(ids[0])
    return json_response({"id": ids[0], "type": "message_batch_deleted"})


def results(app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    batch = app.batches.get(ids[0])
    if batch.results is None:
        raise bad_request(f"Batch {ids[0]} is still being processed; results are not available yet")
    body = b"".join(dumps(line) + b"\n" for line in batch.results)
    return Response(200, body, "application/x-jsonl")
