"""sanitize / visible / StreamSanitizer: the escape payload table of reliability-security.md §C5."""

from __future__ import annotations

import random
import re
import time

import pytest

from claudecli.render.sanitize import StreamSanitizer, sanitize, visible

# (name, payload, text that must not survive) — the vercel/ai VULN-14070 table plus extras.
PAYLOADS = [
    ("osc52 clipboard BEL", "\x1b]52;c;ZWNobyBoaQ==\x07", "ZWNobyBoaQ"),
    ("osc52 clipboard ST", "\x1b]52;c;ZWNobyBoaQ==\x1b\\", "ZWNobyBoaQ"),
    ("osc0 title", "\x1b]0;pwned title\x07", "pwned"),
    ("osc8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "evil"),
    ("dcs", "\x1bPq#0;2;0;0;0#0~~@@vv\x1b\\", "~~@@"),
    ("sos pm apc", "\x1bXsos\x1b\\\x1b^pm\x1b\\\x1b_apc\x1b\\", "apc"),
    ("cursor up", "\x1b[10A", "[10A"),
    ("clear screen", "\x1b[2J", "[2J"),
    ("device status query", "\x1b[6n", "[6n"),
    ("reset", "\x1bc", "\x1bc"),
    ("sgr", "\x1b[31;1m", "[31"),
    ("private mode", "\x1b[?1049h", "1049"),
    ("unterminated osc", "\x1b]52;c;ZWNobyBoaQ==", "ZWNobyBoaQ"),
    ("unterminated csi", "\x1b[12;", "12;"),
    ("c1 csi", "\x9b2J", "2J"),
    ("c1 osc", "\x9d0;pwned\x9c", "pwned"),
    ("c1 osc BEL", "\x9d52;c;ZWNobyBoaQ==\x07", "ZWNobyBoaQ"),
    ("c1 dcs", "\x90q#0~~\x9c", "~~"),
    ("bare c0 and del", "\x00\x01\x07\x08\x0b\x0c\x0d\x7f", "\x7f"),
    ("bare c1", "\x85\x8d\x8e\x8f\x9a", "\x85"),
]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(("name", "payload", "gone"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_payload_is_removed_whole(name: str, payload: str, gone: str) -> None:
    result = sanitize(f"before {payload} after")
    assert CONTROL.search(result) is None
    assert gone not in result
    assert result.startswith("before ")
    # An unterminated CSI takes the next letter as its final byte, as a terminal would.
    assert result.endswith(" after") or name.startswith("unterminated")


def test_unterminated_sequences_at_the_end_are_removed() -> None:
    assert sanitize("a \x1b[12;") == "a "
    assert sanitize("a \x1b]52;c;ZWNv") == "a "
    assert sanitize("a \x1b") == "a "


def test_unterminated_string_sequence_ends_at_the_line() -> None:
    assert sanitize("a \x1b]0;title\nnext line") == "a \nnext line"


def test_keeps_newlines_tabs_and_unicode_drops_cr() -> None:
    assert sanitize("a\tb\r\nc — é 😀") == "a\tb\nc — é 😀"


def test_rich_markup_is_not_touched() -> None:
    # Markup is neutralised by never printing model text as markup, not by sanitize.
    assert sanitize("[link=https://evil]x[/link]") == "[link=https://evil]x[/link]"


def test_visible_shows_escapes_as_text() -> None:
    assert visible("rm -rf \x1b[2J\x9b1A\x07ok\n") == "rm -rf \\x1b[2J\\x9b1A\\x07ok\n"
    assert visible("a\nb\tc", keep_newlines=False) == "a\\x0ab\\x09c"


def _feed_all(chunks: list[str]) -> str:
    sanitizer = StreamSanitizer()
    return "".join(sanitizer.feed(chunk) for chunk in chunks) + sanitizer.flush()


@pytest.mark.parametrize(("name", "payload", "gone"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_split_anywhere_equals_whole(name: str, payload: str, gone: str) -> None:
    text = f"x{payload}y\n"
    for cut in range(len(text) + 1):
        assert _feed_all([text[:cut], text[cut:]]) == sanitize(text), (name, cut)
    for first in range(len(text)):
        for second in range(first, len(text) + 1):
            parts = [text[:first], text[first:second], text[second:]]
            assert _feed_all(parts) == sanitize(text), (name, first, second)


def test_a_sequence_split_over_two_deltas_does_not_leak() -> None:
    sanitizer = StreamSanitizer()
    first = sanitizer.feed("copy \x1b]52;c;ZWNv")
    second = sanitizer.feed("byBoaQ==\x07 done")
    assert first + second == "copy  done"


def test_random_streams_equal_sanitize_of_the_whole() -> None:
    rng = random.Random(1234)
    alphabet = [
        "\x1b",
        "[",
        "]",
        "P",
        "\\",
        "\x07",
        "\x9b",
        "\x9c",
        "\x9d",
        "a",
        "1",
        ";",
        "\n",
        "m",
    ]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, rng.randint(0, 5))))
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert _feed_all(chunks) == sanitize(text), repr(text)


def test_flush_drops_an_unterminated_sequence_and_resets() -> None:
    sanitizer = StreamSanitizer()
    assert sanitizer.feed("ok \x1b[1") == "ok "
    assert sanitizer.flush() == ""
    assert sanitizer.feed("again") == "again"


def test_a_huge_unterminated_osc_is_skipped_in_constant_memory() -> None:
    sanitizer = StreamSanitizer()
    assert sanitizer.feed("a\x1b]52;c;") == "a"
    assert all(sanitizer.feed("QUFB" * 1000) == "" for _ in range(100))
    assert sanitizer.feed("\x07b") == "b"


def test_sanitize_is_fast() -> None:
    text = ("word " * 80 + "\x1b[31mred\x1b[0m\n") * 1000  # ~420 KB
    start = time.process_time()
    sanitize(text)
    stream = StreamSanitizer()
    for index in range(0, len(text), 4):
        stream.feed(text[index : index + 4])
    assert time.process_time() - start < 0.5
