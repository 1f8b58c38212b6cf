"""Small helpers over API-shape content: the searchable text, token counts, titles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

__all__ = ["TITLE_LENGTH", "make_title", "plain_text", "token_counts"]

TITLE_LENGTH: Final = 60


def plain_text(content: Sequence[Mapping[str, Any]]) -> str:
    """The text a person would search for: text blocks and textual tool results."""
    parts: list[str] = []
    for block in content:
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif block.get("type") == "tool_result":
            parts.append(_tool_result_text(block.get("content")))
    return "\n".join(part for part in parts if part)


def _tool_result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return plain_text([item for item in content if isinstance(item, Mapping)])
    return ""


def make_title(text: str) -> str:
    """The first non-empty line, whitespace folded, at most 60 characters (`…` when cut)."""
    line = next((" ".join(raw.split()) for raw in text.splitlines() if raw.strip()), "")
    if len(line) <= TITLE_LENGTH:
        return line
    return line[: TITLE_LENGTH - 1].rstrip() + "…"


def token_counts(usage: Mapping[str, Any] | None) -> tuple[int, int, int, int]:
    """(input, output, cache read, cache write) from an API usage object."""
    if not usage:
        return 0, 0, 0, 0
    keys = ("input_tokens", "output_tokens", "cache_read_input_tokens")
    counts = [_count(usage.get(key)) for key in (*keys, "cache_creation_input_tokens")]
    return counts[0], counts[1], counts[2], counts[3]


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(int(value), 0)
