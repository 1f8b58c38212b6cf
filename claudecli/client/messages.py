"""The one JSON alias, and small typed views of API-shape Messages, usage and content blocks.

Messages stay dicts in API shape everywhere (they are sent back, stored and printed verbatim);
these views only read them, so the tool loop, the conversation store and the renderers do not
poke into dicts with string keys. Every view keeps its `raw` dict; unknown block types become
`UnknownBlock` and are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = [
    "JSON",
    "ContentBlock",
    "JSONView",
    "MessageView",
    "RedactedThinkingBlock",
    "ServerToolBlock",
    "TextBlock",
    "ThinkingBlock",
    "ToolResultBlock",
    "ToolUseBlock",
    "UnknownBlock",
    "Usage",
    "block_view",
]

from .aliases import JSON, JSONView


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of a Message (missing or malformed counts read as 0)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    service_tier: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Usage:
        data = data or {}
        tier = data.get("service_tier")
        return cls(
            input_tokens=_count(data, "input_tokens"),
            output_tokens=_count(data, "output_tokens"),
            cache_read_input_tokens=_count(data, "cache_read_input_tokens"),
            cache_creation_input_tokens=_count(data, "cache_creation_input_tokens"),
            service_tier=tier if isinstance(tier, str) else None,
        )

    @property
    def total_input(self) -> int:
        """Every input token of the request: uncached, read from and written to the cache."""
        return self.input_tokens + self.cache_read_input_tokens + self.cache_creation_input_tokens


@dataclass(frozen=True, slots=True)
class TextBlock:
    text: str
    citations: tuple[JSON, ...] = ()
    raw: JSON = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ThinkingBlock:
    thinking: str
    signature: str | None  # None: cut before its signature arrived (not sendable back)
    raw: JSON = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class RedactedThinkingBlock:
    data: str
    raw: JSON = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ToolUseBlock:
    """`tool_use` (a client tool the caller runs), or `server_tool_use`/`mcp_tool_use`."""

    id: str
    name: str
    input: Any
    server: bool = False
    raw: JSON = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ToolResultBlock:
    tool_use_id: str
    content: Any
    is_error: bool = False
    raw: JSON = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ServerToolBlock:
    """A server tool's result (`web_search_tool_result`, `code_execution_tool_result`, …)."""

    type: str
    tool_use_id: str | None
    raw: JSON = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class UnknownBlock:
    type: str
    raw: JSON = field(default_factory=dict, repr=False)


ContentBlock: TypeAlias = (
    TextBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolUseBlock
    | ToolResultBlock
    | ServerToolBlock
    | UnknownBlock
)


def block_view(raw: Mapping[str, Any]) -> ContentBlock:
    """The typed view of one content block (any block type; unknown ones kept as they are)."""
    block = dict(raw)
    match block.get("type"):
        case "text":
            citations = block.get("citations") or ()
            return TextBlock(_text(block, "text"), tuple(citations), block)
        case "thinking":
            signature = block.get("signature")
            sig = signature if isinstance(signature, str) and signature else None
            return ThinkingBlock(_text(block, "thinking"), sig, block)
        case "redacted_thinking":
            return RedactedThinkingBlock(_text(block, "data"), block)
        case "tool_use" | "server_tool_use" | "mcp_tool_use" as kind:
            name, ident = _text(block, "name"), _text(block, "id")
            return ToolUseBlock(ident, name, block.get("input"), kind != "tool_use", block)
        case "tool_result":
            error = block.get("is_error") is True
            return ToolResultBlock(_text(block, "tool_use_id"), block.get("content"), error, block)
        case str(kind) if kind.endswith("_tool_result"):
            tool_use_id = block.get("tool_use_id")
            return ServerToolBlock(
                kind, tool_use_id if isinstance(tool_use_id, str) else None, block
            )
        case kind:
            return UnknownBlock(str(kind), block)


@dataclass(frozen=True, slots=True)
class MessageView:
    """A read-only view of a Message (final or partial) in API shape."""

    id: str | None
    role: str
    model: str | None
    stop_reason: str | None
    usage: Usage
    blocks: tuple[ContentBlock, ...]
    raw: JSON = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, message: Mapping[str, Any]) -> MessageView:
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        return cls(
            id=_optional(message, "id"),
            role=_optional(message, "role") or "assistant",
            model=_optional(message, "model"),
            stop_reason=_optional(message, "stop_reason"),
            usage=Usage.of(message.get("usage")),
            blocks=tuple(block_view(b) for b in blocks if isinstance(b, Mapping)),
            raw=dict(message),
        )

    @property
    def text(self) -> str:
        """The answer's text: every text block, in order, joined."""
        return "".join(block.text for block in self.blocks if isinstance(block, TextBlock))

    @property
    def tool_uses(self) -> tuple[ToolUseBlock, ...]:
        """The client tool calls the caller must answer (server tools run on the server)."""
        return tuple(b for b in self.blocks if isinstance(b, ToolUseBlock) and not b.server)

    @property
    def complete(self) -> bool:
        """The stream reached `message_delta` (a stop reason): not a cut-short partial."""
        return self.stop_reason is not None


def _count(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(int(value), 0)


def _text(block: Mapping[str, Any], key: str) -> str:
    value = block.get(key)
    return value if isinstance(value, str) else ""


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None
