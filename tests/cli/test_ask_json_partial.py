"""`ask --json` after a broken stream, and `--schema` answers: retried while nothing is shown,
then the partial Message on stdout with a true error line; a schema mismatch has its own code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import message_requests

pytestmark = pytest.mark.slow

LONG = "#emu tokens=400"


def test_json_retries_a_stream_that_breaks_after_content(ask: Ask, emulator: Emulator) -> None:
    emulator.enqueue({"tokens": 400, "fault": "reset", "after": 8})
    result = ask("--json", "--max-retries", "2", "tell me more")
    assert result.rc == 0, result
    document = json.loads(result.out)
    assert document["stop_reason"] == "end_turn"
    assert document["claudecli"]["retries"] == 1
    assert len(message_requests(emulator)) == 2
    assert "retrying" in result.err


def test_json_keeps_the_partial_message_when_retries_run_out(ask: Ask, emulator: Emulator) -> None:
    result = ask("--json", "--max-retries", "1", f"{LONG} fault=reset after=8")
    assert result.rc == 7, result
    document = json.loads(result.out)
    assert document["type"] == "message" and document["stop_reason"] is None
    assert document["content"] and document["content"][0]["type"] == "text"
    assert "reset" in document["claudecli"]["error"].lower()
    assert len(message_requests(emulator)) == 2
    last = result.err.splitlines()[-1]
    assert "the partial Message is on stdout (--json)" in last
    assert "is above" not in result.err
    assert "(request-id req_emu_" in last


def test_text_output_still_keeps_the_partial_answer_without_retrying(
    ask: Ask, emulator: Emulator
) -> None:
    result = ask("--max-retries", "2", f"{LONG} fault=reset after=8")
    assert result.rc == 7, result
    assert result.out  # the partial text was shown
    assert len(message_requests(emulator)) == 1
    assert "the partial answer is above" in result.err


def test_schema_answer_offline_is_valid_json(ask: Ask, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
        "required": ["city", "population"],
        "additionalProperties": False,
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    result = ask("--schema", str(tmp_path / "schema.json"), "largest city?")
    assert result.rc == 0, result
    answer = json.loads(result.out)
    assert set(answer) == {"city", "population"} and isinstance(answer["population"], int)


def test_schema_mismatch_has_its_documented_exit_code(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    schema = {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    emulator.enqueue({"text": '{"town": "Paris"}'})
    result = ask("--schema", str(tmp_path / "schema.json"), "largest city?")
    assert result.rc == 8, result
    line = result.err.splitlines()[-1]
    assert line.startswith("claudecli: error: ") and "city" in line
    assert "internal error" not in result.err
