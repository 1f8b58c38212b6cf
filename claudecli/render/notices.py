"""Small value types and one-line texts shared by both renderers (no rich)."""

from __future__ import annotations

from typing import Final

from claudecli.client import RetryNotice

from .sanitize import sanitize

__all__ = ["RetryInfo", "retry_message", "retry_text", "thought_line"]

RetryInfo = RetryNotice  # the client's notice is the one retry notice type


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
    total = notice.max_retries
    count = f"{notice.attempt}/{total}" if total else f"{notice.attempt}"
    return f"{retry_cause(notice)}, retrying in {notice.delay:.1f} s ({count})"


def retry_cause(notice: RetryInfo) -> str:
    """`overloaded (529)` from the status when there is one, else the client's few words."""
    status = notice.status
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
