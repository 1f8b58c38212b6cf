"""The retry policy table: the official SDK's semantics."""

from __future__ import annotations

import email.utils

import pytest

from claudecli.client.retry import parse_retry_after, retry_delay, should_retry

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("status", "headers", "code", "expected"),
    [
        (408, {}, None, True),
        (409, {}, None, True),
        (429, {}, None, True),
        (500, {}, None, True),
        (503, {}, None, True),
        (529, {}, None, True),
        (400, {}, None, False),
        (401, {}, None, False),
        (404, {}, None, False),
        (413, {}, None, False),
        (500, {"x-should-retry": "false"}, None, False),
        (400, {"x-should-retry": "true"}, None, True),
        (429, {}, "enforced_spend_limit_reached", False),
    ],
)
def test_should_retry(
    status: int, headers: dict[str, str], code: str | None, expected: bool
) -> None:
    assert should_retry(status, headers, code) is expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "20"}, 20.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after": email.utils.formatdate(NOW + 30, usegmt=True)}, 30.0),
        ({"retry-after": "Zun, 99 Foo 2020 nonsense"}, None),
        ({"retry-after": ""}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=lambda: NOW) == expected


def test_server_value_is_honoured_up_to_the_cap() -> None:
    assert retry_delay(0, {"retry-after": "3"}, cap=60) == 3.0
    assert retry_delay(0, {"retry-after": "60"}, cap=60) == 60.0
    assert retry_delay(0, {"retry-after-ms": "90000"}, cap=90) == 90.0


def test_a_wait_beyond_the_cap_means_no_retry() -> None:
    assert retry_delay(0, {"retry-after": "3600"}, cap=60) is None
    assert retry_delay(0, {"retry-after-ms": "120001"}, cap=120) is None
    assert retry_delay(0, {"retry-after": "3600"}, cap=7200) == 3600.0


@pytest.mark.parametrize("value", ["0", "-10"])
def test_non_positive_server_value_falls_back_to_backoff(value: str) -> None:
    assert retry_delay(0, {"retry-after": value}, rand=lambda: 0.0) == 0.5


@pytest.mark.parametrize(("n", "top"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)])
def test_exponential_backoff_with_jitter(n: int, top: float) -> None:
    assert retry_delay(n, {}, rand=lambda: 0.0) == top
    assert retry_delay(n, {}, rand=lambda: 1.0) == pytest.approx(top * 0.75)


def test_huge_retry_count_does_not_overflow() -> None:
    assert retry_delay(10_000, {}, rand=lambda: 0.0) == 8.0
