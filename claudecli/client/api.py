"""`Client`: one small method per endpoint of the Messages API family."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx2

from .aliases import JSON
from .errors import APIError, APIStatusError, APITimeoutError, ProtocolError
from .http import OnRetry, Sleep, Transport, map_transport_error, retry_reason
from .options import ClientOptions, check_sampling_params
from .stream import MessageStream

__all__ = ["Client"]


class Client:
    """Talks to the API (or anything that speaks it). Raises; never prints, never exits."""

    def __init__(
        self,
        options: ClientOptions,
        *,
        transport: httpx2.BaseTransport | None = None,
        sleep: Sleep = time.sleep,
        on_retry: OnRetry | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options
        self._clock = clock
        self._t = Transport(options, transport=transport, sleep=sleep, on_retry=on_retry)

    def close(self) -> None:
        self._t.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- messages ---------------------------------------------------------------------------
    def stream_message(self, body: Mapping[str, Any]) -> MessageStream:
        """`POST /v1/messages` with `stream: true`; iterate the result for events."""
        check_sampling_params(body, self.options.api_version)
        return MessageStream(self._t, dict(body), clock=self._clock)

    def create_message(self, body: Mapping[str, Any]) -> JSON:
        """`POST /v1/messages` without streaming: the whole Message."""
        check_sampling_params(body, self.options.api_version)
        payload = {k: v for k, v in body.items() if k != "stream"}
        return self._json("POST", "/v1/messages", json=payload)

    def count_tokens(self, body: Mapping[str, Any]) -> JSON:
        """`POST /v1/messages/count_tokens`: `{"input_tokens": N}`."""
        check_sampling_params(body, self.options.api_version)
        return self._json("POST", "/v1/messages/count_tokens", json=dict(body))

    # -- models -----------------------------------------------------------------------------
    def iter_models(self, *, page_size: int = 1000) -> Iterator[JSON]:
        """`GET /v1/models`, following `has_more`/`last_id` across pages."""
        return self._paginate("/v1/models", page_size)

    def get_model(self, model_id: str) -> JSON:
        return self._json("GET", f"/v1/models/{model_id}")

    # -- message batches --------------------------------------------------------------------
    def create_batch(self, requests: Iterable[Mapping[str, Any]]) -> JSON:
        items = list(requests)
        for item in items:
            check_sampling_params(item.get("params") or {}, self.options.api_version)
        return self._json("POST", "/v1/messages/batches", json={"requests": items})

    def create_batch_streamed(self, body: Iterable[bytes], *, size: int) -> JSON:
        """`POST /v1/messages/batches` with a body already encoded as `{"requests": [...]}`,
        streamed from `body` (`size` bytes; iterated afresh for each attempt).

        Retried only when the API cannot have created the batch (429, 529, a connection that
        never opened): after anything else a batch may exist, so the error is raised and the
        caller reconciles with the list of batches instead of submitting twice.
        """
        headers = {"content-type": "application/json", "content-length": str(size)}
        retries = self.options.max_retries
        for attempt in range(retries + 1):
            try:
                return self._post_batch(body, headers)
            except APIError as exc:
                if attempt >= retries or not _nothing_created(exc):
                    raise
                delay = self._t.plan_retry(attempt, exc, None, time.monotonic())
                status = exc.status_code if isinstance(exc, APIStatusError) else None
                self._t.notify_retry(retry_reason(exc), delay, attempt + 1, status)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_batch(self, body: Iterable[bytes], headers: Mapping[str, str]) -> JSON:
        path = "/v1/messages/batches"
        response = self._t.send_once("POST", path, content=body, headers=dict(headers))
        try:
            response.read()
        except httpx2.TransportError as exc:
            raise map_transport_error(exc, self.options.timeouts.idle) from None
        finally:
            response.close()
        try:
            result = response.json()
        except ValueError:
            raise ProtocolError(
                f"expected JSON from {path}", request_id=response.headers.get("request-id")
            ) from None
        return result if isinstance(result, dict) else {"data": result}

    def get_batch(self, batch_id: str) -> JSON:
        return self._json("GET", f"/v1/messages/batches/{batch_id}")

    def iter_batches(self, *, page_size: int = 100) -> Iterator[JSON]:
        return self._paginate("/v1/messages/batches", page_size)

    def list_batches_page(self, *, limit: int = 20, after_id: str | None = None) -> JSON:
        params: dict[str, Any] = {"limit": limit}
        if after_id:
            params["after_id"] = after_id
        return self._json("GET", "/v1/messages/batches", params=params)

    def cancel_batch(self, batch_id: str) -> JSON:
        return self._json("POST", f"/v1/messages/batches/{batch_id}/cancel")

    def delete_batch(self, batch_id: str) -> JSON:
        return self._json("DELETE", f"/v1/messages/batches/{batch_id}")

    def iter_batch_results(self, batch_id: str) -> Iterator[JSON]:
        """Results JSONL, one decoded line at a time (order differs from submission)."""
        path = f"/v1/messages/batches/{batch_id}/results"
        return self._iter_jsonl(path, headers={"accept": "application/binary"})

    # -- files ------------------------------------------------------------------------------
    def upload_file(self, path: Path, *, mime_type: str = "application/octet-stream") -> JSON:
        with path.open("rb") as fh:
            files = {"file": (path.name, fh, mime_type)}
            return self._json("POST", "/v1/files", files=files)

    def iter_files(self, *, page_size: int = 100) -> Iterator[JSON]:
        params: dict[str, Any] = {"limit": page_size}
        while True:
            page = self._json("GET", "/v1/files", params=params)
            yield from page.get("data", [])
            if not page.get("next_page") or not page.get("has_more", True):
                return
            params = {"limit": page_size, "page": page["next_page"]}

    def get_file(self, file_id: str) -> JSON:
        return self._json("GET", f"/v1/files/{file_id}")

    def delete_file(self, file_id: str) -> JSON:
        return self._json("DELETE", f"/v1/files/{file_id}")

    def download_file(self, file_id: str) -> Iterator[bytes]:
        """The bytes of a downloadable file, chunk by chunk."""
        path = f"/v1/files/{file_id}/content"
        with self._t.open("GET", path, headers={"accept": "application/binary"}) as response:
            yield from self._guarded(response.iter_bytes())

    # -- plumbing ---------------------------------------------------------------------------
    def _json(self, method: str, path: str, **kwargs: Any) -> JSON:
        total = self.options.timeouts.total
        if total:  # the whole call, retries included (the Transport's clock: time.monotonic)
            kwargs["deadline"] = time.monotonic() + total
        result = self._t.request_json(method, path, **kwargs)
        return result if isinstance(result, dict) else {"data": result}

    def _paginate(self, path: str, page_size: int) -> Iterator[JSON]:
        params: dict[str, Any] = {"limit": page_size}
        while True:
            page = self._json("GET", path, params=params)
            data = page.get("data", [])
            yield from data
            if not page.get("has_more") or not data:
                return
            params = {"limit": page_size, "after_id": page.get("last_id") or data[-1]["id"]}

    def _iter_jsonl(self, path: str, **kwargs: Any) -> Iterator[JSON]:
        with self._t.open("GET", path, **kwargs) as response:
            for line in self._guarded(response.iter_lines()):
                if line.strip():
                    yield json.loads(line)

    def _guarded(self, chunks: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from chunks
        except httpx2.TransportError as exc:
            raise map_transport_error(exc, self.options.timeouts.idle) from None


_NEVER_CREATED = frozenset({429, 529})


def _nothing_created(exc: APIError) -> bool:
    """The API refused before creating anything (busy, or no connection was ever made)."""
    if isinstance(exc, APIStatusError):
        hint = exc.headers.get("x-should-retry", "").lower() if exc.headers else ""
        return exc.status_code in _NEVER_CREATED and hint != "false"
    if isinstance(exc, APITimeoutError):
        return exc.kind == "connect"
    return isinstance(exc.__context__, httpx2.ConnectError)
