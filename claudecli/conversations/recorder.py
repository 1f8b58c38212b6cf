"""`ReplyRecorder`: writes an assistant reply while it streams.

`update()` is called with the partial Message after every event; it writes at most once a
second (at once when a content block just ended), so per token it costs one clock read. A
failed flush never breaks the stream: it is kept in `last_error` and the final write
(`finish()` / `interrupt()`) tries again and raises the `StoreError` if that fails too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .records import StoreError

if TYPE_CHECKING:
    from .store import Store

__all__ = ["ReplyRecorder"]

FLUSH_INTERVAL: Final = 1.0
SETTLED: Final = ("interrupted", "error")


class ReplyRecorder:
    def __init__(
        self,
        store: Store,
        *,
        row_id: int,
        conv_id: str,
        seq: int,
        model: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.row_id = row_id
        self.conversation_id = conv_id
        self.seq = seq
        self.model = model
        self.last_error: StoreError | None = None
        self.flushes = 0
        self._monotonic = monotonic
        self._last_flush = monotonic()
        self.done = False

    def due(self) -> bool:
        """A second has passed since the last write: worth building the partial Message."""
        return self._monotonic() - self._last_flush >= FLUSH_INTERVAL

    def update(self, message: Mapping[str, Any], *, block_done: bool = False) -> None:
        """The partial Message so far; written when a block ended or a second has passed."""
        if not block_done and self._monotonic() - self._last_flush < FLUSH_INTERVAL:
            return
        self._last_flush = self._monotonic()
        try:
            self.store.save_reply(self.row_id, message)
        except StoreError as error:
            self.last_error = error
        else:
            self.flushes += 1

    def finish(
        self,
        message: Mapping[str, Any],
        *,
        request_id: str | None,
        cost_usd: float | None,
        timings: Mapping[str, Any] | None,
    ) -> None:
        """The complete reply (at `message_stop`)."""
        fields = self.store.settle_fields(message, status="complete", model=self.model)
        fields |= {"request_id": request_id, "cost_usd": _cost(message, cost_usd, fields)}
        fields["timings_json"] = None if timings is None else _json(timings)
        self._settle(message, fields)

    def interrupt(
        self,
        message: Mapping[str, Any],
        *,
        status: str,
        error: str | None,
        request_id: str | None = None,
    ) -> None:
        """Commit the partial reply as `interrupted` (Ctrl-C, a signal) or `error` (the stream
        broke, the API refused)."""
        if status not in SETTLED:
            raise ValueError(f"status must be interrupted or error, not {status!r}")
        fields = self.store.settle_fields(message, status=status, model=self.model)
        fields |= {
            "error": error,
            "request_id": request_id,
            "cost_usd": _cost(message, None, fields),
        }
        self._settle(message, fields)

    def _settle(self, message: Mapping[str, Any], fields: dict[str, Any]) -> None:
        self.store.save_reply(self.row_id, message, **fields)
        self.done = True


def _cost(
    message: Mapping[str, Any], given: float | None, fields: Mapping[str, Any]
) -> float | None:
    """The caller's figure, else the price of the usage (None for an unknown model)."""
    if given is not None:
        return given
    usage, model = message.get("usage"), fields.get("model")
    if not isinstance(usage, Mapping) or not isinstance(model, str):
        return None
    from claudecli.pricing import cost_of_usage

    cost = cost_of_usage(usage, model)
    return None if cost is None else cost.total


def _json(value: Mapping[str, Any]) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
