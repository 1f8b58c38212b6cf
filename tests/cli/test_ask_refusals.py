"""Requests the API would refuse, refused before the message is sent: one line naming the flag,
the model and the way out, and no `POST /v1/messages` reaching the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import message_requests

pytestmark = pytest.mark.slow


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1, err
    return lines[0]


def test_prefill_on_a_model_without_it_names_model_and_schema(ask: Ask, emulator: Emulator) -> None:
    result = ask("-m", "claude-sonnet-5-5", "--prefill", "{", "give JSON")
    assert result.rc == 2, result
    line = one_line(result.err)
    assert "--prefill" in line and "claude-sonnet-5-5" in line and "--schema" in line
    assert message_requests(emulator) == []


def test_thinking_budget_on_an_adaptive_only_model(ask: Ask, emulator: Emulator) -> None:
    result = ask("-m", "opus", "--thinking", "4096", "think")
    assert result.rc == 2, result
    line = one_line(result.err)
    assert "--thinking 4096" in line and "claude-opus-5-5" in line
    assert "--thinking adaptive" in line and "--effort" in line
    assert message_requests(emulator) == []


def test_prefill_and_budget_still_go_to_a_model_that_takes_them(
    ask: Ask, emulator: Emulator
) -> None:
    result = ask("-m", "claude-haiku-4-5", "--prefill", "Yes", "--thinking", "off", "ok?")
    assert result.rc == 0, result
    assert result.text.startswith("Yes")
    assert len(message_requests(emulator)) == 1


def test_over_the_context_window_is_refused_unless_forced(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 220_000)  # 1.1 MB: ~275,000 tokens, over haiku 4.5's 200,000
    result = ask("-m", "claude-haiku-4-5", "-a", str(big), "summarise")
    assert result.rc == 3, result
    line = one_line(result.err)
    assert "context window of 200,000" in line and "--force" in line
    assert "count-tokens" in line
    assert message_requests(emulator) == []
    forced = ask("-m", "claude-haiku-4-5", "--force", "-a", str(big), "summarise")
    assert len(message_requests(emulator)) == 1, forced


def test_empty_attachment_is_refused_naming_the_file(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = ask("-a", str(empty), "read it")
    assert result.rc == 3, result
    assert f"{empty}: the file is empty" in one_line(result.err)
    assert message_requests(emulator) == []


def test_stdin_attached_twice_is_a_usage_error(ask: Ask, emulator: Emulator) -> None:
    result = ask("-a", "-", "-a", "-", "compare", stdin=b"some text")
    assert result.rc == 2, result
    assert "stdin can be attached only once" in one_line(result.err)
    assert message_requests(emulator) == []


def test_citations_without_a_document_warns(ask: Ask, emulator: Emulator) -> None:
    result = ask("--citations", "what does it say?")
    assert result.rc == 0, result
    assert "--citations: no document to cite" in result.err


def test_cache_off_sends_no_breakpoint_even_when_configured(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("cache: true\n")
    env_extra = {"CLAUDECLI_CONFIG": str(config)}
    from tests.cli.helpers import cli_env

    on = ask("hello", env=cli_env(emulator.url, **env_extra))
    off = ask("--cache", "off", "hello", env=cli_env(emulator.url, **env_extra))
    assert on.rc == 0 and off.rc == 0, (on, off)
    first, second = (r["body"] for r in message_requests(emulator))
    assert "cache_control" in first
    assert "cache_control" not in second and "cache_control" not in str(second["messages"])


def test_the_models_fetch_and_the_request_ask_for_the_key_once(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    from tests.cli.helpers import cli_env

    counter = tmp_path / "asked"
    script = tmp_path / "key.sh"
    script.write_text(f"#!/bin/sh\necho x >> {counter}\necho sk-ant-from-cmd\n")
    script.chmod(0o755)
    config = tmp_path / "config.yaml"
    config.write_text(f"api_key_cmd: [{script}]\n")
    env = cli_env(emulator.url, key=None, CLAUDECLI_CONFIG=str(config))
    result = ask("-m", "claude-haiku-4-5", "--prefill", "Yes", "ok?", env=env)
    assert result.rc == 0, result
    assert any("/v1/models" in str(r["path"]) for r in emulator.requests)  # the fetch happened
    assert counter.read_text().count("x") == 1
