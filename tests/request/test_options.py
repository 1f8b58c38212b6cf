"""Parsing option strings into typed values."""

from __future__ import annotations

import pytest

from claudecli.errors import UsageError
from claudecli.request.options import (
    parse_cache_modes,
    parse_cache_ttl,
    parse_effort,
    parse_thinking,
)


def test_parse_thinking() -> None:
    assert parse_thinking("adaptive") == "adaptive"
    assert parse_thinking(" OFF ") == "off"
    assert parse_thinking("8000") == 8000
    with pytest.raises(UsageError, match=r"^--thinking lots: use adaptive, off or a token budget"):
        parse_thinking("lots")
    with pytest.raises(UsageError):
        parse_thinking("-5")


def test_parse_effort_and_ttl() -> None:
    assert parse_effort("XHigh") == "xhigh"
    assert parse_cache_ttl("1h") == "1h"
    with pytest.raises(
        UsageError, match=r"^--effort ultra: choose one of low, medium, high, xhigh, max$"
    ):
        parse_effort("ultra")
    with pytest.raises(UsageError, match=r"^--cache-ttl 1d: choose one of 5m, 1h$"):
        parse_cache_ttl("1d")


def test_parse_cache_modes() -> None:
    assert parse_cache_modes(["system", "attachments,prompt"]) == {
        "system",
        "attachments",
        "prompt",
    }
    assert parse_cache_modes([]) == frozenset()
    with pytest.raises(
        UsageError, match=r"^--cache all: choose one of system, attachments, prompt, auto or off$"
    ):
        parse_cache_modes(["all"])


def test_cache_off_alone_means_no_breakpoints() -> None:
    assert parse_cache_modes(["off"]) == frozenset()
    assert parse_cache_modes(["OFF"]) == frozenset()
    with pytest.raises(UsageError, match=r"^--cache off: give it alone"):
        parse_cache_modes(["off,system"])
    with pytest.raises(UsageError, match=r"^--cache off: give it alone"):
        parse_cache_modes(["auto", "off"])
