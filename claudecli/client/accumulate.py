"""Fold stream events into the final Message (the API's own JSON shape, as a dict).

Semantics follow the official SDK's `accumulate_event`, with three deliberate differences:
text, thinking and tool-input fragments are kept in lists and joined once (appending to a growing
string would make a 100,000-token answer quadratic); tool input is parsed once at
`content_block_stop`, and when it is not valid JSON (truncated by max_tokens, or fine-grained
streaming) the raw string is kept as `input` instead of raising; a stream that ends without
`content_block_stop` for an open block still finalises that block.

Blocks of types this module does not know are kept verbatim, so a saved conversation replays
faithfully. Unknown deltas and events are ignored.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any, assert_never

from .aliases import JSON
from .events import (
    CitationsDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    Ping,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    UnknownDelta,
    UnknownEvent,
)

__all__ = ["MessageAccumulator", "accumulate", "parse_tool_input"]

_USAGE_FIELDS_SET_WHEN_PRESENT = (
    "input_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
    "server_tool_use",
    "output_tokens_details",
)


def parse_tool_input(raw: str) -> Any:
    """Parse accumulated input JSON: empty means `{}`, invalid keeps the raw string."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class MessageAccumulator:
    """Owns the snapshot of one streamed message; `feed()` every event, then `message()`."""

    __slots__ = ("_message", "_parts", "saw_content", "saw_message_delta")

    def __init__(self) -> None:
        self._message: JSON | None = None
        # Open blocks' fragments, keyed by content index: text, thinking or tool-input JSON.
        self._parts: dict[int, list[str]] = {}
        self.saw_content = False
        self.saw_message_delta = False

    @property
    def started(self) -> bool:
        return self._message is not None

    def feed(self, event: StreamEvent) -> None:
        """Apply one event. Events before `message_start` (other than it) are ignored."""
        match event:
            case TextDelta(index=index, text=text) | ThinkingDelta(index=index, thinking=text):
                self._append(index, text)
            case InputJsonDelta(index=index, partial_json=text):
                self._append(index, text)
            case MessageStart(message=message):
                self._start(message)
            case ContentBlockStart(index=index, block=block):
                self._start_block(index, block)
            case ContentBlockStop(index=index):
                self._close_block(index)
            case SignatureDelta(index=index, signature=signature):
                self._block(index)["signature"] = signature
            case CitationsDelta(index=index, citation=citation):
                self._add_citation(index, citation)
            case MessageDelta(delta=delta, usage=usage):
                self._apply_message_delta(delta, usage)
            case MessageStop() | Ping() | ErrorEvent() | UnknownEvent() | UnknownDelta():
                pass  # nothing to fold: the stream handles errors, unknown kinds are skipped
            case _:
                assert_never(event)

    def message(self) -> JSON:
        """The message so far, with open blocks finalised (a copy; feeding may continue)."""
        if self._message is None:
            return {}
        snapshot = copy.deepcopy(self._message)
        for index, parts in self._parts.items():
            _finish_block(snapshot["content"][index], "".join(parts))
        return snapshot

    def _start(self, message: JSON) -> None:
        self._message = copy.deepcopy(message)
        self._message.setdefault("content", [])
        self._parts.clear()

    def _block(self, index: int) -> JSON:
        if self._message is None:
            raise IndexError(index)
        block: JSON = self._message["content"][index]
        return block

    def _start_block(self, index: int, block: JSON) -> None:
        if self._message is None:
            return
        self.saw_content = True
        content = self._message["content"]
        new = copy.deepcopy(block)
        if index < len(content):
            content[index] = new
        else:
            content.append(new)
        kind = new.get("type")
        if kind == "text":
            seed = new.get("text") or ""
        elif kind == "thinking":
            seed = new.get("thinking") or ""
        elif "input" in new:  # tool_use, server_tool_use, mcp_tool_use: input_json_delta
            seed = ""
        else:  # result blocks arrive whole and take no deltas
            return
        self._parts[index] = [seed] if seed else []

    def _append(self, index: int, fragment: str) -> None:
        parts = self._parts.get(index)
        if parts is not None:
            parts.append(fragment)

    def _add_citation(self, index: int, citation: JSON) -> None:
        block = self._block(index)
        if block.get("citations") is None:
            block["citations"] = []
        block["citations"].append(citation)

    def _close_block(self, index: int) -> None:
        parts = self._parts.pop(index, None)
        if parts is not None and self._message is not None:
            _finish_block(self._block(index), "".join(parts))

    def _apply_message_delta(self, delta: JSON, usage: JSON) -> None:
        if self._message is None:
            return
        self.saw_message_delta = True
        msg = self._message
        msg["stop_reason"] = delta.get("stop_reason")
        msg["stop_sequence"] = delta.get("stop_sequence")
        if "stop_details" in delta:
            msg["stop_details"] = delta["stop_details"]
        if delta.get("container") is not None:
            msg["container"] = delta["container"]
        merged = msg.setdefault("usage", {})
        if "output_tokens" in usage:
            merged["output_tokens"] = usage["output_tokens"]
        for key in _USAGE_FIELDS_SET_WHEN_PRESENT:
            if usage.get(key) is not None:
                merged[key] = usage[key]


def _finish_block(block: JSON, joined: str) -> None:
    kind = block.get("type")
    if kind == "text":
        block["text"] = joined
    elif kind == "thinking":
        block["thinking"] = joined
    elif "input" in block:
        block["input"] = parse_tool_input(joined) if joined else block.get("input", {})


def accumulate(events: Iterable[StreamEvent]) -> JSON:
    """Fold a whole event sequence into its final Message (pure: no I/O, no clock)."""
    acc = MessageAccumulator()
    for event in events:
        acc.feed(event)
    return acc.message()
