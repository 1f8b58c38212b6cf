"""`chat` as text: the bottom toolbar's figures and the compact view of earlier turns.

Plain strings out (the REPL draws them); everything from the store or the model is sanitized.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

from .sanitize import sanitize

CLIP: Final = 100


class Turn(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def content(self) -> list[dict[str, Any]]: ...
    @property
    def status(self) -> str: ...


def toolbar_text(
    model: str | None,
    *,
    context_tokens: int,
    window: int | None,
    cost_usd: float,
    usage: Mapping[str, Any] | None,
) -> str:
    """`claude-sonnet-5-5 · context 1,234 (0.6% of 200,000) · $0.0123 · cache read 1,000 /
    written 0 · saved ~$0.0027` (the cache part once a reply has come)."""
    from claudecli.pricing import cache_savings, format_usd

    context = f"context {context_tokens:,}"
    if window:
        context += f" ({context_tokens / window:.1%} of {window:,})"
    parts = [sanitize(model or "?"), context, format_usd(cost_usd)]
    if usage:
        read, written = (
            _count(usage, "cache_read_input_tokens"),
            _count(usage, "cache_creation_input_tokens"),
        )
        parts.append(f"cache read {read:,} / written {written:,}")
        saved = cache_savings(usage, model or "") if model else None
        if saved:
            parts.append(f"saved ~{format_usd(saved)}")
    return " · ".join(parts)


def compact_transcript(title: str, conversation_id: str, turns: Sequence[Turn]) -> str:
    """Earlier turns, one clipped line each: `you> …` and `claude> …` (undone ones marked)."""
    lines = [f"── {sanitize(title) or '(untitled)'} · {conversation_id} · {len(turns)} turns ──"]
    for turn in turns:
        who = "you>" if turn.role == "user" else "claude>"
        note = "" if turn.status == "complete" else f" ({turn.status})"
        lines.append(f"{who} {_first_line(turn.content)}{note}")
    return "\n".join(lines) + "\n"


def _first_line(content: Sequence[Mapping[str, Any]]) -> str:
    texts = [str(b.get("text", "")) for b in content if b.get("type") == "text"]
    others = [f"[{b.get('type')}]" for b in content if b.get("type") not in ("text", "thinking")]
    text = " ".join(" ".join(texts).split()) or " ".join(others) or "…"
    text = sanitize(text)
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def _count(usage: Mapping[str, Any], key: str) -> int:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
