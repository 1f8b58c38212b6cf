"""Conversation ids: 13 characters, time-ordered (ms timestamp) then random, lowercase base32."""

from __future__ import annotations

import os

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
_TIME_CHARS = 9  # 45 bits of milliseconds: sortable until the year 3084
_RANDOM_CHARS = 4  # 20 random bits against two processes in the same millisecond


def new_id(now: float) -> str:
    """An id that sorts by creation time (`now`, epoch seconds)."""
    millis = max(int(now * 1000), 0)
    return _encode(millis, _TIME_CHARS) + _encode(
        int.from_bytes(os.urandom(8)) >> (64 - 5 * _RANDOM_CHARS), 4
    )


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))
