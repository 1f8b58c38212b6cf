"""The store's plain records: what `Store` returns (frozen dataclasses, JSON-ready values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from claudecli.errors import InputError

__all__ = [
    "Conversation",
    "ConversationSummary",
    "PruneResult",
    "SearchHit",
    "Status",
    "StoreError",
    "StoredMessage",
    "UsageRow",
]

Status = Literal["complete", "interrupted", "error", "undone"]  # undone: kept, never sent


class StoreError(InputError):
    """The conversation store cannot be used (corrupt, newer schema, unreadable, read-only,
    disk full, an attachment kept by reference changed): one line naming the file; exit 3."""


class StoreUnwritable(StoreError):
    """The store is sound but cannot be written now (disk full, read-only, locked too long):
    a command that can still answer says so in one line and goes on (nothing on screen is lost)."""


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created: float  # epoch seconds
    updated: float  # bumped by every turn (`--continue` takes the most recently updated)
    model: str | None
    system: str | None
    profile: str | None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredMessage:
    seq: int
    role: Literal["user", "assistant"]
    content: list[dict[str, Any]]  # API-shape blocks, attachments rehydrated to base64
    status: Status
    stop_reason: str | None
    usage: dict[str, Any] | None
    cost_usd: float | None
    request_id: str | None
    model: str | None
    timings: dict[str, Any] | None
    error: str | None
    created: float


@dataclass(frozen=True)
class ConversationSummary:
    """One row of `history list`."""

    id: str
    title: str
    model: str | None
    turns: int  # user turns
    tokens: int  # input + output + cache read + cache write over the replies
    cost_usd: float | None  # None when no reply has a known cost
    created: float
    updated: float


@dataclass(frozen=True)
class SearchHit:
    conversation_id: str
    title: str
    seq: int
    role: str
    snippet: str
    updated: float


@dataclass(frozen=True)
class UsageRow:
    """Replies of one model on one UTC day (`YYYY-MM-DD`)."""

    day: str
    model: str
    replies: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float
    cache_savings_usd: float


@dataclass(frozen=True)
class PruneResult:
    conversations: int
    messages: int
    blobs: int
    bytes_before: int
    bytes_after: int
