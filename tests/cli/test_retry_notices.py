"""Retry notices have one style (`claudecli: <cause>, retrying in N s (i/n)`, never an API type
name), and a malformed event before any content is retried like other pre-content failures:
exit 6 once the retries are spent, exit 7 when text was already shown.
"""

from __future__ import annotations

import re

import pytest

from claudecli.client import RetryNotice
from claudecli.emulator import Emulator
from claudecli.render.notices import retry_message, retry_text
from tests.cli.conftest import Ask

NOTICE = re.compile(r"^claudecli: (?P<cause>.+), retrying in \d+\.\d s \(\d/\d\)$")


def notices(err: str) -> list[str]:
    return [m["cause"] for line in err.splitlines() if (m := NOTICE.match(line))]


@pytest.mark.parametrize(
    ("directive", "cause"),
    [
        ("status=429", "rate limited (429)"),
        ("status=529", "overloaded (529)"),
        ("status=500", "server error (500)"),
        ("status=503 error_type=overloaded_error", "service unavailable (503)"),
        ("fault=error after=1", "overloaded (529)"),
        ("fault=reset after=1", "connection lost"),
        ("fault=malformed after=1", "malformed event"),
    ],
)
def test_one_notice_style(ask: Ask, emulator: Emulator, directive: str, cause: str) -> None:
    result = ask("--max-retries", "1", f"#emu {directive}\nhi")
    assert result.rc == 6, result
    assert notices(result.err) == [cause]
    assert "_error" not in result.err.splitlines()[0]
    assert result.err.splitlines()[-1].startswith("claudecli: error: ")


def test_malformed_event_before_content_is_retried_then_exit_6(
    ask: Ask, emulator: Emulator
) -> None:
    result = ask("--max-retries", "2", "#emu fault=malformed after=1\nhi")
    assert result.rc == 6, result
    assert len(emulator.requests) == 3
    assert notices(result.err) == ["malformed event"] * 2
    assert result.out == b""


def test_malformed_event_after_text_is_a_partial_answer(ask: Ask, emulator: Emulator) -> None:
    result = ask("#emu fault=malformed after=4\nhi")
    assert result.rc == 7, result
    assert result.text.startswith("Echo:")
    assert len(emulator.requests) == 1
    assert "the partial answer is above" in result.err


def test_the_formatter_prefers_the_status_to_the_clients_words() -> None:
    raw = RetryNotice("overloaded_error", 1.25, 1, 2, status=529)
    assert retry_text(raw) == "claudecli: overloaded (529), retrying in 1.2 s (1/2)"
    assert retry_message(raw) == "overloaded (529), retrying in 1.2 s (1/2)"
    assert retry_text(RetryNotice("connection lost", 0.5, 2, 2)) == (
        "claudecli: connection lost, retrying in 0.5 s (2/2)"
    )
