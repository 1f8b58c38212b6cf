"""Small value types and one-line texts shared by both renderers (no rich)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .sanitize import sanitize

__all__ = ["RetryInfo", "RetryNotice", "retry_text", "thought_line"]


class RetryInfo(Protocol):
    """What `Renderer.on_retry` needs; the client's own notice type satisfies it as well.

    The total number of retries is read from `max_attempts` (this module's `RetryNotice`) or
    `max_retries` (the client's notice), whichever exists.
    """

    @property
    def reason(self) -> str: ...

    @property
    def delay(self) -> float: ...

    @property
    def attempt(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """The client is about to retry: `reason` (e.g. "overloaded"), then sleep `delay` seconds."""

    reason: str
    delay: float
    attempt: int
    max_attempts: int

    def text(self) -> str:
        """E.g. `overloaded, retrying in 2.1 s (1/2)`."""
        return retry_text(self)


def retry_text(notice: RetryInfo) -> str:
    """`overloaded, retrying in 2.1 s (1/2)` for any notice with the `RetryInfo` fields."""
    reason = sanitize(str(notice.reason)).strip() or "request failed"
    total = getattr(notice, "max_attempts", None) or getattr(notice, "max_retries", None)
    count = f"{notice.attempt}/{total}" if total else f"{notice.attempt}"
    return f"{reason}, retrying in {notice.delay:.1f} s ({count})"


def thought_line(seconds: float, tokens: int | None, *, estimated: bool) -> str:
    """The collapsed thinking section: `thought for 4.2 s · 812 tokens` (`~812` if estimated)."""
    line = f"thought for {seconds:.1f} s"
    if tokens:
        line += f" · {'~' if estimated else ''}{tokens} tokens"
    return line
