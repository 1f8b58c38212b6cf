"""Turn a complete `Message` into the SSE event sequence the API streams for it (§6.1, §6.2).

`message_start` carries the message with empty content and `output_tokens: 1`; each block is
`content_block_start` (an empty shell: text `""`, thinking `""`/`""`, tool input `{}`; server
tool results and redacted thinking arrive whole), its deltas, `content_block_stop`; then
`message_delta` (stop reason, cumulative usage) and `message_stop`. One `ping` follows the first
`content_block_start`. Folding these events the way the SDK does gives back the message exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .wire import Obj, dumps

__all__ = ["PING", "Event", "encode", "message_events", "text_pieces"]

_SMALL_TEXT = 2_000
_BIG_PIECE = 1_024
_WORDS_PER_PIECE = 3
_JSON_PIECE = 12
_WORD = re.compile(r"\S+\s*|\s+")
_DELTA_USAGE = ("server_tool_use", "output_tokens_details")


@dataclass(frozen=True)
class Event:
    name: str
    data: bytes


PING = Event("ping", b'{"type": "ping"}')


def encode(event: Event) -> bytes:
    return b"event: " + event.name.encode() + b"\ndata: " + event.data + b"\n\n"


def _event(payload: Obj) -> Event:
    return Event(str(payload["type"]), dumps(payload))


def text_pieces(text: str) -> list[str]:
    """A few words per delta for short texts; 1 KiB slices for long ones (100k-token replies)."""
    if len(text) > _SMALL_TEXT:
        return [text[i : i + _BIG_PIECE] for i in range(0, len(text), _BIG_PIECE)]
    words = _WORD.findall(text)
    step = _WORDS_PER_PIECE
    return ["".join(words[i : i + step]) for i in range(0, len(words), step)]


def _json_pieces(value: object) -> list[str]:
    raw = json.dumps(value, ensure_ascii=False)
    return ["", *(raw[i : i + _JSON_PIECE] for i in range(0, len(raw), _JSON_PIECE))]


def _delta(index: int, delta: Obj) -> Event:
    return _event({"type": "content_block_delta", "index": index, "delta": delta})


def _shell(block: Obj) -> Obj:
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "text": ""}
    if kind == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if kind in ("tool_use", "server_tool_use"):
        return {**block, "input": {}}
    return block


def _deltas(index: int, block: Obj) -> Iterator[Event]:
    kind = block["type"]
    if kind == "text":
        for citation in block.get("citations") or []:
            yield _delta(index, {"type": "citations_delta", "citation": citation})
        for piece in text_pieces(block["text"]):
            yield _delta(index, {"type": "text_delta", "text": piece})
    elif kind == "thinking":
        for piece in text_pieces(block["thinking"]):
            yield _delta(index, {"type": "thinking_delta", "thinking": piece})
        yield _delta(index, {"type": "signature_delta", "signature": block["signature"]})
    elif kind in ("tool_use", "server_tool_use"):
        for piece in _json_pieces(block["input"]):
            yield _delta(index, {"type": "input_json_delta", "partial_json": piece})


def block_events(index: int, block: Obj) -> list[Event]:
    start = {"type": "content_block_start", "index": index, "content_block": _shell(block)}
    stop = {"type": "content_block_stop", "index": index}
    return [_event(start), *_deltas(index, block), _event(stop)]


def _start(message: Obj) -> Event:
    usage = {k: v for k, v in message["usage"].items() if k not in _DELTA_USAGE}
    usage["output_tokens"] = min(1, message["usage"]["output_tokens"])
    shell = {
        **message,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "stop_details": None,
        "usage": usage,
    }
    return _event({"type": "message_start", "message": shell})


def _message_delta(message: Obj) -> Event:
    usage = message["usage"]
    keys = (
        "input_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
        "output_tokens",
    )
    delta_usage = {k: usage[k] for k in (*keys, *_DELTA_USAGE) if k in usage}
    delta = {
        "stop_reason": message["stop_reason"],
        "stop_sequence": message["stop_sequence"],
        "stop_details": message["stop_details"],
    }
    return _event({"type": "message_delta", "delta": delta, "usage": delta_usage})


def message_events(message: Obj, *, ping_every: int = 0) -> list[Event]:
    """The full event list for `message`, pings included."""
    events = [_start(message)]
    for index, block in enumerate(message["content"]):
        events.extend(block_events(index, block))
    events.insert(min(2, len(events)), PING)
    events += [_message_delta(message), _event({"type": "message_stop"})]
    return _with_pings(events, ping_every) if ping_every > 0 else events


def _with_pings(events: list[Event], every: int) -> list[Event]:
    spaced: list[Event] = []
    for position, event in enumerate(events, start=1):
        spaced.append(event)
        if position % every == 0 and position < len(events):
            spaced.append(PING)
    return spaced
