"""Retry policy: the official SDK's semantics as two pure functions and named constants.

- `should_retry(status, headers)`: `x-should-retry: true|false` wins; else 408, 409, 429 and 5xx
  (529 included) are retried. A 429 whose error code says the spend limit is reached is not.
- `retry_delay(retries_taken, headers, cap=..., rand=...)`: `retry-after-ms`, then `retry-after`
  (seconds or an HTTP date) when positive, honoured up to `cap` (beyond it: no retry); otherwise
  `min(0.5 * 2**n, 8) * U(0.75, 1)`.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RETRY_CAP",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "RETRYABLE_STATUSES",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
]

DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_CAP = 60.0
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
NEVER_RETRY_ERROR_CODES = frozenset({"enforced_spend_limit_reached"})


def should_retry(status: int, headers: Mapping[str, str], error_code: str | None = None) -> bool:
    """Whether a response with this status (and headers) is worth another attempt."""
    hint = headers.get("x-should-retry", "").strip().lower()
    if hint == "true":
        return True
    if hint == "false":
        return False
    if error_code in NEVER_RETRY_ERROR_CODES:
        return False
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(
    headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """Seconds the server asked us to wait, or None when it did not say (sanely)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - now()


def retry_delay(
    retries_taken: int,
    headers: Mapping[str, str] | None = None,
    *,
    cap: float = DEFAULT_RETRY_CAP,
    rand: Callable[[], float] = random.random,
    now: Callable[[], float] = time.time,
) -> float | None:
    """How long to sleep before retry number `retries_taken + 1`; None = do not retry.

    A server that asks for a longer wait than `cap` is not retried: sleeping less than it asked
    would only be refused again, and sleeping an hour unasked is worse (raise the cap for cron).
    """
    asked = parse_retry_after(headers or {}, now)
    if asked is not None and asked > 0:
        return asked if asked <= cap else None
    backoff = min(INITIAL_RETRY_DELAY * 2.0 ** min(retries_taken, 32), MAX_RETRY_DELAY)
    return backoff * (1.0 - 0.25 * rand())
