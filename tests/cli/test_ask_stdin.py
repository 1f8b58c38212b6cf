"""`claudecli ask` reads stdin as bytes and sniffs it: text, PDF, image, or refused."""

from __future__ import annotations

import base64
import os
import pty

import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import (
    ESC,
    gif,
    jpeg,
    message_requests,
    only_body,
    pdf,
    png,
    run_many,
    user_content,
    webp,
)

pytestmark = pytest.mark.slow


def test_text_stdin_comes_before_the_prompt(ask: Ask, emulator: Emulator) -> None:
    result = ask("summarize", "this", stdin=b"piped context\nsecond line\n")
    assert result.rc == 0, result
    blocks = user_content(only_body(emulator))
    assert [b["type"] for b in blocks] == ["text", "text"]
    assert blocks[0]["text"].rstrip("\n") == "piped context\nsecond line"
    assert blocks[1]["text"] == "summarize this"
    assert result.text.startswith("Echo: "), result
    assert ESC not in result.out
    assert result.err == "", result


def test_dash_names_stdin_explicitly(ask: Ask, emulator: Emulator) -> None:
    result = ask("-", "then", "this", stdin="héllo from stdin".encode())
    assert result.rc == 0, result
    blocks = user_content(only_body(emulator))
    assert [b.get("text") for b in blocks] == ["héllo from stdin", "then this"]


MEDIA = {
    "application/pdf": pdf(2),
    "image/png": png(3, 2),
    "image/jpeg": jpeg(3, 2),
    "image/gif": gif(3, 2),
    "image/webp": webp(3, 2),
}


def test_pdf_and_image_stdin_become_base64_blocks(
    emulator: Emulator, subtests: pytest.Subtests
) -> None:
    results = run_many(
        [(["ask", "describe"], {"url": emulator.url, "stdin": data}) for data in MEDIA.values()]
    )
    received = {}
    for request in message_requests(emulator):
        first, prompt = user_content(request["body"])
        assert prompt == {"type": "text", "text": "describe"}
        received[first["source"]["media_type"]] = first
    for (media_type, data), result in zip(MEDIA.items(), results, strict=True):
        with subtests.test(media_type):
            assert result.rc == 0, result
            block = received[media_type]
            assert block["type"] == ("document" if media_type.endswith("pdf") else "image")
            assert block["source"]["type"] == "base64"
            assert base64.b64decode(block["source"]["data"]) == data
            if block["type"] == "document":
                assert block["title"] == "stdin"


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"\x00\x01\x02\xfe\xff garbage", "invalid UTF-8 at byte 3"),
        (b"caf\xe9 au lait", "invalid UTF-8 at byte 3"),  # Latin-1 text is not UTF-8
    ],
)
def test_binary_stdin_is_refused_before_any_request(
    ask: Ask, emulator: Emulator, data: bytes, detail: str
) -> None:
    result = ask("what is this", stdin=data)
    assert result.rc == 3, result
    assert "stdin is binary (not UTF-8, PDF or image)" in result.err
    assert detail in result.err
    assert result.out == b""
    assert message_requests(emulator) == []


def test_empty_stdin_and_no_prompt_is_a_usage_error(ask: Ask, emulator: Emulator) -> None:
    result = ask(stdin=b"")
    assert result.rc == 2, result
    assert "no input" in result.err
    assert len(result.err.splitlines()) == 1, result
    assert message_requests(emulator) == []


def test_oversized_stdin_is_refused_without_reading_it_all(ask: Ask, emulator: Emulator) -> None:
    result = ask("summarize", stdin=b"a" * (32 * 1024 * 1024 + 1))
    assert result.rc == 3, result
    assert "stdin is more than 32 MB" in result.err
    assert message_requests(emulator) == []


def test_terminal_stdin_without_a_prompt_says_how_and_never_waits(
    ask: Ask, emulator: Emulator
) -> None:
    controller, terminal = pty.openpty()
    try:
        result = ask(stdin=terminal, timeout=5)
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.rc == 2, result
    assert result.seconds < 5
    assert "no prompt" in result.err
    assert "Traceback" not in result.err
    assert message_requests(emulator) == []


def test_terminal_stdin_with_a_prompt_does_not_read_stdin(ask: Ask, emulator: Emulator) -> None:
    controller, terminal = pty.openpty()
    try:
        result = ask("hello", stdin=terminal, timeout=5)
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.rc == 0, result
    assert user_content(only_body(emulator)) == [{"type": "text", "text": "hello"}]
