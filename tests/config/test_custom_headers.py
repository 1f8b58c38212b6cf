"""ANTHROPIC_CUSTOM_HEADERS: settings use the client's `parse_custom_headers`, the one parser."""

from __future__ import annotations

import pytest

from claudecli.client import parse_custom_headers
from claudecli.config import resolve_settings
from claudecli.errors import ConfigError

CASES = [
    "X-Team: blue\nX-Trace-Id:  abc:def  \n\nno colon here\n: empty name\nX-Empty:\n",
    "X-Crlf: one\r\nX-Next: two\r\n",
]


@pytest.mark.parametrize("text", CASES)
def test_settings_headers_are_what_the_client_parser_reads(text: str) -> None:
    resolved = resolve_settings({}, {"ANTHROPIC_CUSTOM_HEADERS": text}, None)
    assert dict(resolved.settings.headers) == parse_custom_headers(text)


def test_crlf_lines_lose_their_carriage_return() -> None:
    assert parse_custom_headers("X-Crlf: one\r\nX-Next: two\r\n") == {
        "X-Crlf": "one",
        "X-Next": "two",
    }


def test_a_lone_carriage_return_stays_in_the_value_and_is_refused() -> None:
    assert parse_custom_headers("X-A: 1\rX-B: 2") == {"X-A": "1\rX-B: 2"}
    with pytest.raises(ConfigError, match="must not contain line breaks"):
        resolve_settings({}, {"ANTHROPIC_CUSTOM_HEADERS": "X-A: 1\rX-B: 2"}, None)
