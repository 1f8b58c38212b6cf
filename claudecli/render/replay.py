"""Turn a finished Message back into stream events, to render a non-streamed answer."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from claudecli.client.events import (
    CitationsDelta,
    ContentBlockStart,
    ContentBlockStop,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)

from .summaries import TOOL_INPUT_TYPES

__all__ = ["events_from_message"]

JSON = Mapping[str, Any]


def _block_events(index: int, block: JSON) -> Iterator[StreamEvent]:
    kind = block.get("type")
    if kind == "text":
        yield ContentBlockStart(index, {**block, "text": "", "citations": None})
        for citation in block.get("citations") or []:
            yield CitationsDelta(index, citation)
        yield TextDelta(index, str(block.get("text") or ""))
    elif kind == "thinking":
        yield ContentBlockStart(index, {**block, "thinking": ""})
        yield ThinkingDelta(index, str(block.get("thinking") or ""))
    elif kind in TOOL_INPUT_TYPES:
        value = block.get("input")
        raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        yield ContentBlockStart(index, {**block, "input": {}})
        yield InputJsonDelta(index, raw)
    else:
        yield ContentBlockStart(index, dict(block))
    yield ContentBlockStop(index)


def events_from_message(message: JSON) -> Iterator[StreamEvent]:
    """The events a stream of `message` would have carried (one delta per block)."""
    yield MessageStart({**message, "content": []})
    for index, block in enumerate(message.get("content") or []):
        yield from _block_events(index, block)
    delta = {key: message.get(key) for key in ("stop_reason", "stop_sequence")}
    yield MessageDelta(delta, dict(message.get("usage") or {}))
    yield MessageStop()
