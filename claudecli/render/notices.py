"""Small value types and one-line texts shared by both renderers (no rich)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Protocol

from .sanitize import sanitize

__all__ = ["RetryInfo", "RetryNotice", "retry_message", "retry_text", "thought_line"]


class RetryInfo(Protocol):
    """What `Renderer.on_retry` needs; the client's own notice type satisfies it as well.

    The total number of retries is read from `max_attempts` (this module's `RetryNotice`) or
    `max_retries` (the client's notice), whichever exists; `status` too, when it exists.
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
    status: int | None = None

    def text(self) -> str:
        """`overloaded (529), retrying in 2.1 s (1/2)`: `retry_text` without the `claudecli: `."""
        return retry_message(self)


# What a retried status is called in a notice, whatever words the client chose (the API's
# error type, e.g. `overloaded_error`, is not for people).
STATUS_LABELS: Final = {
    408: "request timeout",
    409: "conflict",
    429: "rate limited",
    500: "server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
    529: "overloaded",
}


def retry_text(notice: RetryInfo) -> str:
    """The one retry notice line: `claudecli: rate limited (429), retrying in 1.2 s (1/2)`."""
    return f"claudecli: {retry_message(notice)}"


def retry_message(notice: RetryInfo) -> str:
    """`rate limited (429), retrying in 1.2 s (1/2)`; `connection lost, retrying in …`."""
    total = getattr(notice, "max_attempts", None) or getattr(notice, "max_retries", None)
    count = f"{notice.attempt}/{total}" if total else f"{notice.attempt}"
    return f"{retry_cause(notice)}, retrying in {notice.delay:.1f} s ({count})"


def retry_cause(notice: RetryInfo) -> str:
    """`overloaded (529)` from the status when there is one, else the client's few words."""
    status = getattr(notice, "status", None)
    if isinstance(status, int):
        label = STATUS_LABELS.get(status, "server error" if status >= 500 else "HTTP error")
        return f"{label} ({status})"
    return sanitize(str(notice.reason)).strip() or "request failed"


def thought_line(seconds: float, tokens: int | None, *, estimated: bool) -> str:
    """The collapsed thinking section: `thought for 4.2 s · 812 tokens` (`~812` if estimated)."""
    line = f"thought for {seconds:.1f} s"
    if tokens:
        line += f" · {'~' if estimated else ''}{tokens} tokens"
    return line
