"""Typed option values and their parsers from command-line strings (UsageError on bad input)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, TypeAlias, TypeVar, cast

from claudecli.errors import UsageError

__all__ = [
    "CACHE_MODES",
    "CACHE_TTLS",
    "EFFORTS",
    "MIN_THINKING_BUDGET",
    "CacheMode",
    "CacheTtl",
    "Effort",
    "Thinking",
    "parse_cache_modes",
    "parse_cache_ttl",
    "parse_effort",
    "parse_thinking",
]

Effort: TypeAlias = Literal["low", "medium", "high", "xhigh", "max"]
CacheMode: TypeAlias = Literal["system", "attachments", "prompt", "auto"]
CacheTtl: TypeAlias = Literal["5m", "1h"]
Thinking: TypeAlias = Literal["adaptive", "off"] | int  # int = a fixed budget in tokens

EFFORTS: Final[tuple[Effort, ...]] = ("low", "medium", "high", "xhigh", "max")
CACHE_MODES: Final[tuple[CacheMode, ...]] = ("system", "attachments", "prompt", "auto")
CACHE_TTLS: Final[tuple[CacheTtl, ...]] = ("5m", "1h")
MIN_THINKING_BUDGET: Final = 1024

_T = TypeVar("_T", bound=str)


def parse_thinking(value: str) -> Thinking:
    """`adaptive`, `off` or a budget in tokens (≥ 1024; checked against max_tokens later)."""
    text = value.strip().lower()
    if text in ("adaptive", "off"):
        return cast(Thinking, text)
    if not text.isdigit():
        raise UsageError(f"--thinking {value}: use adaptive, off or a token budget such as 4096")
    return int(text)


def parse_effort(value: str) -> Effort:
    """One of low, medium, high, xhigh, max."""
    return _choice("--effort", value, EFFORTS)


def parse_cache_ttl(value: str) -> CacheTtl:
    """`5m` or `1h`."""
    return _choice("--cache-ttl", value, CACHE_TTLS)


def parse_cache_modes(values: Iterable[str]) -> frozenset[CacheMode]:
    """Each of system, attachments, prompt, auto; a value may also be a comma-separated list.

    `off` (alone) means no breakpoint at all, not even the configured default (`cache: true`).
    """
    parts = [part for value in values for part in value.split(",")]
    if any(part.strip().lower() == "off" for part in parts):
        if len(parts) > 1:
            raise UsageError("--cache off: give it alone; it turns every cache breakpoint off")
        return frozenset()
    return frozenset(_cache_mode(part) for part in parts)


def _cache_mode(value: str) -> CacheMode:
    if value.strip().lower() not in CACHE_MODES:
        raise UsageError(f"--cache {value}: choose one of {', '.join(CACHE_MODES)} or off")
    return _choice("--cache", value, CACHE_MODES)


def _choice(option: str, value: str, choices: tuple[_T, ...]) -> _T:
    text = value.strip().lower()
    for choice in choices:
        if choice == text:
            return choice
    raise UsageError(f"{option} {value}: choose one of {', '.join(choices)}")
