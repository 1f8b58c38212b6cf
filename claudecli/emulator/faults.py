"""Stream faults: rewrite an event list into the `Stream` script the handler plays.

`fault` values (positions count events as sent, pings included; `after` overrides defaults):

| fault           | effect |
|-----------------|--------|
| `reset`         | TCP RST (SO_LINGER 0) after `after` events (default 3) |
| `drop`          | close after `after` events (default 3) without the final zero-length chunk |
| `eof`           | clean end right after `message_delta`: no `message_stop` |
| `truncate`      | clean end before `message_delta` (or after `after` events) |
| `error`         | `event: error` (`error_type`, default overloaded_error; `message`) after   |
|                 | `after` events (default: after the first delta; 0 = first), clean end     |
| `stall`         | sleep `seconds` (default 30) after `after` events (default 3), then continue |
| `drip`          | after `message_start`, a ping every `seconds` (default 1), `count` times  |
|                 | (0 = until the client goes away), then the rest of the stream             |
| `malformed`     | a `data:` line with broken JSON after `after` events (default 3) |
| `unknown_event` | an unknown event type right after `message_start` |
| `unknown_block` | an extra block of unknown type `future_block` before `message_delta` |
| `unknown_delta` | a delta of unknown type `future_delta` on block 0 |
| `unknown`       | all three unknowns |
| `json_body`     | (messages route) 200 with the JSON message although `stream` was requested |
"""

from __future__ import annotations

from collections.abc import Callable

from .directives import Plan
from .errors import error_type_for
from .sse import Event, block_events, encode
from .wire import Drip, End, Pause, Send, Step, Stream, dumps

__all__ = ["build_stream", "error_event"]

_Rewrite = Callable[[list[Event], Plan, str], list[Step]]


def error_event(plan: Plan, request_id: str) -> Event:
    error_type = plan.error_type or (
        error_type_for(plan.status) if plan.status else "overloaded_error"
    )
    inner = {"type": error_type, "message": plan.message or "Overloaded", "details": None}
    return Event("error", dumps({"type": "error", "error": inner, "request_id": request_id}))


def _sends(events: list[Event]) -> list[Step]:
    return [Send(encode(event)) for event in events]


def _index_of(events: list[Event], name: str, default: int) -> int:
    names = [event.name for event in events]
    return names.index(name) if name in names else default


def _after(plan: Plan, default: int, events: list[Event]) -> int:
    return max(0, min(plan.after if plan.after is not None else default, len(events)))


def _reset(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    return [*_sends(events[: _after(plan, 3, events)]), End("reset")]


def _drop(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    return [*_sends(events[: _after(plan, 3, events)]), End("drop")]


def _eof(events: list[Event], _plan: Plan, _rid: str) -> list[Step]:
    return [*_sends(events[: _index_of(events, "message_delta", len(events)) + 1]), End()]


def _truncate(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    default = _index_of(events, "message_delta", len(events))
    return [*_sends(events[: _after(plan, default, events)]), End()]


def _error(events: list[Event], plan: Plan, rid: str) -> list[Step]:
    position = _after(plan, _index_of(events, "content_block_delta", 0) + 1, events)
    return [*_sends(events[:position]), Send(encode(error_event(plan, rid))), End()]


def _stall(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    position = _after(plan, 3, events)
    pause = Pause(plan.seconds if plan.seconds is not None else 30.0)
    return [*_sends(events[:position]), pause, *_sends(events[position:]), End()]


def _drip(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    drip = Drip(plan.seconds if plan.seconds is not None else 1.0, plan.count)
    return [*_sends(events[:1]), drip, *_sends(events[1:]), End()]


def _malformed(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    position = _after(plan, 3, events)
    broken = Event(
        "content_block_delta", b'{"type":"content_block_delta","index":0,"delta":{"type":'
    )
    return [*_sends(events[:position]), Send(encode(broken)), *_sends(events[position:]), End()]


def _unknown_event(events: list[Event]) -> list[Event]:
    odd = Event("brand_new_event", b'{"type":"brand_new_event","detail":"emulated"}')
    return [*events[:1], odd, *events[1:]]


def _unknown_block(events: list[Event]) -> list[Event]:
    index = sum(1 for event in events if event.name == "content_block_start")
    extra = block_events(index, {"type": "future_block", "data": "emulated"})
    at = _index_of(events, "message_delta", len(events))
    return [*events[:at], *extra, *events[at:]]


def _unknown_delta(events: list[Event]) -> list[Event]:
    at = _index_of(events, "content_block_start", -1) + 1
    if at == 0:
        return events
    payload = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "future_delta", "value": "x"},
    }
    return [*events[:at], Event("content_block_delta", dumps(payload)), *events[at:]]


def _unknowns(events: list[Event], plan: Plan, _rid: str) -> list[Step]:
    names = (
        {plan.fault}
        if plan.fault != "unknown"
        else {"unknown_event", "unknown_block", "unknown_delta"}
    )
    if "unknown_delta" in names:
        events = _unknown_delta(events)
    if "unknown_block" in names:
        events = _unknown_block(events)
    if "unknown_event" in names:
        events = _unknown_event(events)
    return [*_sends(events), End()]


_REWRITES: dict[str, _Rewrite] = {
    "reset": _reset,
    "drop": _drop,
    "eof": _eof,
    "truncate": _truncate,
    "error": _error,
    "stall": _stall,
    "drip": _drip,
    "malformed": _malformed,
    "unknown": _unknowns,
    "unknown_event": _unknowns,
    "unknown_block": _unknowns,
    "unknown_delta": _unknowns,
}


def build_stream(events: list[Event], plan: Plan, request_id: str) -> Stream:
    """The stream script for `events`, with `plan.fault` applied if it is a stream fault."""
    rewrite = _REWRITES.get(plan.fault or "")
    steps = rewrite(events, plan, request_id) if rewrite else [*_sends(events), End()]
    return Stream(tuple(steps), dict(plan.headers))
