"""Turn a whole Message back into the event sequence a stream would have carried.

Used when a proxy ignores `stream: true` and answers with one JSON body, and by the renderers to
draw a message that was never streamed: consumers then see the same events either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .events import (
    CitationsDelta,
    ContentBlockStart,
    ContentBlockStop,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)

__all__ = ["events_from_message"]


def events_from_message(message: Mapping[str, Any]) -> Iterator[StreamEvent]:
    start = {k: v for k, v in message.items() if k not in ("content", "stop_reason")}
    yield MessageStart({**start, "content": [], "stop_reason": None}, {"type": "message_start"})
    for index, block in enumerate(message.get("content") or []):
        yield from _block_events(index, block)
    delta = {
        "stop_reason": message.get("stop_reason"),
        "stop_sequence": message.get("stop_sequence"),
    }
    if "stop_details" in message:
        delta["stop_details"] = message["stop_details"]
    yield MessageDelta(delta, dict(message.get("usage") or {}), {"type": "message_delta"})
    yield MessageStop({"type": "message_stop"})


def _block_events(index: int, block: Mapping[str, Any]) -> Iterator[StreamEvent]:
    kind = block.get("type")
    if kind == "text":
        start = {**block, "text": ""}
        if "citations" in block:
            start["citations"] = None
        yield ContentBlockStart(index, start)
        yield TextDelta(index, block.get("text", ""))
        for citation in block.get("citations") or []:
            yield CitationsDelta(index, citation)
    elif kind == "thinking":
        yield ContentBlockStart(index, {**block, "thinking": "", "signature": ""})
        yield ThinkingDelta(index, block.get("thinking", ""))
        yield SignatureDelta(index, block.get("signature", ""))
    elif "input" in block:
        value = block["input"]  # a string when the accumulator kept invalid JSON as it came
        raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        yield ContentBlockStart(index, {**block, "input": {}})
        yield InputJsonDelta(index, raw)
    else:
        yield ContentBlockStart(index, dict(block))
    yield ContentBlockStop(index)
