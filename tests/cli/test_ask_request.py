"""Request options end to end: what the emulator received for each `ask` flag, and `--dry-run`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import KEY, message_requests, only_body, png, user_content

pytestmark = pytest.mark.slow

HAIKU_45 = ("-m", "claude-haiku-4-5")  # takes prefills and fixed thinking budgets


def test_system_stop_beta_and_cache_breakpoints(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    system_file = tmp_path / "system.md"
    system_file.write_text("You are a terse assistant.\n")
    (tmp_path / "doc.txt").write_text("reference text\n")
    result = ask(
        "--system", "Answer in French.",
        "--system-file", str(system_file),
        "--stop", "END", "--stop", "###",
        "--beta", "files-api-2025-04-14", "--beta", "context-1m-2025-08-07",
        "--cache", "system", "--cache", "attachments", "--cache", "prompt", "--cache-ttl", "1h",
        "-a", str(tmp_path / "doc.txt"),
        "hello",
    )  # fmt: skip
    assert result.rc == 0, result
    [request] = message_requests(emulator)
    body = request["body"]
    one_hour = {"type": "ephemeral", "ttl": "1h"}
    assert body["system"] == [
        {"type": "text", "text": "You are a terse assistant.\n"},
        {"type": "text", "text": "Answer in French.", "cache_control": one_hour},
    ]
    assert body["stop_sequences"] == ["END", "###"]
    attachment, prompt = user_content(body)
    assert attachment["cache_control"] == one_hour
    assert prompt == {"type": "text", "text": "hello", "cache_control": one_hour}
    assert "cache_control" not in body  # only the breakpoints asked for, no automatic one
    betas = [b.strip() for b in request["headers"]["anthropic-beta"].split(",")]
    assert {"files-api-2025-04-14", "context-1m-2025-08-07"} <= set(betas)
    headers = request["headers"]
    bearer = headers.get("authorization", "").removeprefix("Bearer ")
    assert KEY in (headers.get("x-api-key"), bearer)
    assert body["stream"] is True


def test_prefill_starts_the_answer(ask: Ask, emulator: Emulator) -> None:
    result = ask(*HAIKU_45, "--prefill", '{"answer":', "reply in JSON")
    assert result.rc == 0, result
    assert result.text.startswith('{"answer":'), result
    body = only_body(emulator)
    assert body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": '{"answer":'}],
    }


def test_thinking_budget_below_max_tokens(ask: Ask, emulator: Emulator) -> None:
    result = ask(*HAIKU_45, "--thinking", "2048", "--max-tokens", "4096", "#emu thinking")
    assert result.rc == 0, result
    body = only_body(emulator)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["max_tokens"] == 4096
    assert result.err == "", result  # thinking is not shown without --show-thinking


def test_thinking_budget_under_1024_is_a_usage_error(ask: Ask, emulator: Emulator) -> None:
    result = ask(*HAIKU_45, "--thinking", "500", "hello")  # a model that takes budgets
    assert result.rc == 2, result
    budget = "--thinking 500: the budget must be at least 1024 tokens"
    assert result.err == f"claudecli: error: {budget}\n"
    assert emulator.requests == []


def test_schema_sets_output_format(ask: Ask, emulator: Emulator, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    emulator.enqueue({"text": '{"answer": "42"}'})
    result = ask("--schema", str(tmp_path / "schema.json"), "the answer?")
    assert result.rc == 0, result
    assert json.loads(result.text) == {"answer": "42"}
    body = only_body(emulator)
    assert body["output_config"]["format"] == {"type": "json_schema", "schema": schema}


def test_citations_use_the_file_name_as_title(ask: Ask, emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("The sky is blue. Grass is green.\n")
    result = ask("--citations", "-a", str(tmp_path / "notes.txt"), "what colour?")
    assert result.rc == 0, result
    document = user_content(only_body(emulator))[0]
    assert document["type"] == "document"
    assert document["title"] == "notes.txt"
    assert document["citations"] == {"enabled": True}
    assert document["source"] == {
        "type": "text",
        "media_type": "text/plain",
        "data": "The sky is blue. Grass is green.\n",
    }
    # the emulator cites the document; piped, the marker and the footnote naming it by its title
    # are both on stdout, so they can be matched
    assert re.search(r"^\[1\] notes\.txt", result.text, re.MULTILINE), result
    assert "[1]\n" in result.text and result.err == ""


def test_dry_run_prints_the_request_without_sending_or_leaking(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    image = png(16, 16)
    (tmp_path / "pic.png").write_bytes(image)
    result = ask(
        "--dry-run", "-s", "be brief", "-a", str(tmp_path / "pic.png"), "describe",
        stdin=b"context from stdin",
    )  # fmt: skip
    assert result.rc == 0, result
    body = json.loads(result.text)
    blocks = user_content(body)
    assert blocks[0] == {"type": "text", "text": "context from stdin"}
    assert blocks[1]["source"]["data"] == f"<base64: {len(image):,} bytes of image/png>"
    assert blocks[2] == {"type": "text", "text": "describe"}
    assert body["system"] == [{"type": "text", "text": "be brief"}]
    assert "stream" not in body
    for secret in (KEY, "SECRETKEY"):
        assert secret not in result.text
        assert secret not in result.err
    assert emulator.requests == []
