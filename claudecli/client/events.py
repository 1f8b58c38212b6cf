"""Typed stream events: frozen values parsed from the JSON of each SSE event.

Every event keeps the JSON object it was parsed from in `data` (for `--stream-json`, which prints
events as received). Event and delta types this client does not know become `UnknownEvent` and
`UnknownDelta`: the API adds new ones over time and they must never be fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .aliases import JSON

__all__ = [
    "CitationsDelta",
    "ContentBlockDelta",
    "ContentBlockStart",
    "ContentBlockStop",
    "ErrorEvent",
    "InputJsonDelta",
    "MessageDelta",
    "MessageStart",
    "MessageStop",
    "Ping",
    "SignatureDelta",
    "StreamEvent",
    "TextDelta",
    "ThinkingDelta",
    "UnknownDelta",
    "UnknownEvent",
    "parse_event",
]


@dataclass(frozen=True, slots=True)
class MessageStart:
    message: JSON
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class ContentBlockStart:
    index: int
    block: JSON
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class TextDelta:
    index: int
    text: str
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class ThinkingDelta:
    index: int
    thinking: str
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class SignatureDelta:
    index: int
    signature: str
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class InputJsonDelta:
    index: int
    partial_json: str
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class CitationsDelta:
    index: int
    citation: JSON
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnknownDelta:
    index: int
    delta: JSON
    data: JSON = field(repr=False, compare=False, default_factory=dict)


ContentBlockDelta = (
    TextDelta | ThinkingDelta | SignatureDelta | InputJsonDelta | CitationsDelta | UnknownDelta
)


@dataclass(frozen=True, slots=True)
class ContentBlockStop:
    index: int
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessageDelta:
    delta: JSON
    usage: JSON
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessageStop:
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ping:
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An `error` event inside a stream (e.g. `overloaded_error` on an HTTP 200 response)."""

    error: JSON
    request_id: str | None = None
    data: JSON = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    type: str
    data: JSON = field(repr=False, compare=False, default_factory=dict)


StreamEvent = (
    MessageStart
    | ContentBlockStart
    | ContentBlockDelta
    | ContentBlockStop
    | MessageDelta
    | MessageStop
    | Ping
    | ErrorEvent
    | UnknownEvent
)


def _delta(data: JSON) -> ContentBlockDelta:
    index = data.get("index", 0)
    delta = data.get("delta") or {}
    kind = delta.get("type")
    if kind == "text_delta":
        return TextDelta(index, delta.get("text", ""), data)
    if kind == "input_json_delta":
        return InputJsonDelta(index, delta.get("partial_json", ""), data)
    if kind == "thinking_delta":
        return ThinkingDelta(index, delta.get("thinking", ""), data)
    if kind == "signature_delta":
        return SignatureDelta(index, delta.get("signature", ""), data)
    if kind == "citations_delta":
        return CitationsDelta(index, delta.get("citation") or {}, data)
    return UnknownDelta(index, delta, data)


def parse_event(name: str | None, data: JSON) -> StreamEvent:
    """Build the typed event for one decoded SSE event (`name` wins over `data["type"]`)."""
    kind = name or data.get("type", "")
    if kind == "content_block_delta":
        return _delta(data)
    if kind == "content_block_start":
        return ContentBlockStart(data.get("index", 0), data.get("content_block") or {}, data)
    if kind == "content_block_stop":
        return ContentBlockStop(data.get("index", 0), data)
    if kind == "message_start":
        return MessageStart(data.get("message") or {}, data)
    if kind == "message_delta":
        return MessageDelta(data.get("delta") or {}, data.get("usage") or {}, data)
    if kind == "message_stop":
        return MessageStop(data)
    if kind == "ping":
        return Ping(data)
    if kind == "error":
        return ErrorEvent(data.get("error") or {}, data.get("request_id"), data)
    return UnknownEvent(kind, data)
