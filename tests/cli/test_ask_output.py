"""What `ask` writes where: answer-only stdout (never ANSI when piped), notes on stderr, and the
machine formats `--json` (compared with the official SDK) and `--stream-json` (as received)."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import anthropic
import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import ESC, KEY, message_requests, only_body, run_many
from tests.sdk_oracle import normalise, sdk_dump

pytestmark = pytest.mark.slow


def test_model_escape_sequences_never_reach_a_piped_stdout(ask: Ask, emulator: Emulator) -> None:
    emulator.enqueue({"text": "a\x1b]52;c;ZWNobw==\x07b\x1b[2Jc"})
    result = ask("hi")
    assert result.rc == 0, result
    assert result.out == b"abc\n"
    assert ESC not in result.err.encode()


def test_escape_sequences_split_across_deltas_are_removed_whole(
    ask: Ask, emulator: Emulator
) -> None:
    # The emulator sends a few words per delta: these sequences span several deltas.
    text = "safe \x1b]0;a title with many words in it\x07 end \x1b[1;31m red \x1b[0m done"
    emulator.enqueue({"text": text})
    result = ask("hi")
    assert result.rc == 0, result
    assert result.text == "safe  end  red  done\n"


STOP_NOTES = {
    "max_tokens": (
        "stop=max_tokens",
        "claudecli: note: truncated at max_tokens (8192); raise --max-tokens",
    ),
    "refusal": (
        "stop=refusal category=cyber explanation='Declined by policy.'",
        "claudecli: note: the model declined to answer (category: cyber): Declined by policy.",
    ),
    "pause_turn": (
        "stop=pause_turn",
        "claudecli: note: the server paused a long-running turn (pause_turn); ask again",
    ),
}


def test_stop_reason_notes_go_to_stderr_and_exit_0(
    emulator: Emulator, subtests: pytest.Subtests
) -> None:
    results = run_many(
        [
            (["ask", f"#emu text=partial {directive}"], {"url": emulator.url})
            for directive, _note in STOP_NOTES.values()
        ]
    )
    for (name, (_directive, note)), result in zip(STOP_NOTES.items(), results, strict=True):
        with subtests.test(name):
            assert result.rc == 0, result
            assert result.text == "partial\n"
            assert result.err.startswith(note), result
            assert len(result.err.splitlines()) == 1, result


def test_server_text_with_escapes_is_sanitized_on_stderr(
    emulator: Emulator, subtests: pytest.Subtests
) -> None:
    """Error messages, refusal explanations and thinking come from the server: never raw."""
    evil = "x\x1b]52;c;ZWNobw==\x07y\x1b[2Jz\x9b31m"
    cases = {
        "error message": (["#emu status=400 message='" + evil + "'"], 5, "xyz (HTTP 400)"),
        "refusal": (["#emu stop=refusal explanation='" + evil + "'"], 0, "cyber): xyz"),
        "thinking": (["--show-thinking", "#emu thinking='" + evil + "' text=ok"], 0, "xyz"),
    }
    results = run_many(
        [(["ask", *args], {"url": emulator.url}) for args, _rc, _says in cases.values()]
    )
    for (name, (_args, rc, says)), result in zip(cases.items(), results, strict=True):
        with subtests.test(name):
            assert result.rc == rc, result
            assert says in result.err, result
            assert "\x1b" not in result.err and "\x9b" not in result.err, result
            assert ESC not in result.out


def test_show_thinking_with_piped_stdout_puts_thinking_on_stderr_only(ask: Ask) -> None:
    result = ask("--show-thinking", "#emu thinking text=the-answer")
    assert result.rc == 0, result
    assert result.text == "the-answer\n"
    assert "[thinking]" in result.err
    assert "I will answer as the offline emulator." in result.err
    assert ESC not in result.err.encode()


def test_piped_answer_is_raw_markdown_and_usage_goes_to_stderr(ask: Ask) -> None:
    result = ask("--usage", "#emu tokens=300")
    assert result.rc == 0, result
    assert ESC not in result.out and b"\x9b" not in result.out
    assert result.text.startswith("## Section 1\n"), result  # raw Markdown, not rendered
    assert re.search(r"^- \*\*Point 1:\*\*", result.text, re.MULTILINE), result
    assert result.text.endswith("\n")
    assert re.fullmatch(r"in \d+ · out 300 · .*~\$\d+\.\d+\n", result.err), result


def test_json_equals_what_the_official_sdk_accumulates(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "facts.txt").write_text("Water boils at 100 C. Ice melts at 0 C.\n")
    cited = ("--citations", "-a", str(tmp_path / "facts.txt"))
    result = ask("--json", "--show-thinking", *cited, "#emu thinking tokens=80")
    assert result.rc == 0, result
    document = json.loads(result.text)
    [request] = message_requests(emulator)

    extras = document.pop("claudecli")
    assert extras["request_id"] == request["request_id"]
    assert extras["retries"] == 0
    assert isinstance(extras["cost_usd"], float)
    assert document["content"][0]["type"] == "thinking"
    assert any(b.get("citations") for b in document["content"]), document

    emulator.reset()  # same prompt-cache state for the SDK's request
    assert normalise(document) == sdk_final_message(emulator, request)
    emulator.reset()  # ... and for the non-streaming endpoint: equal, null-valued keys included
    assert document == non_streaming_message(emulator, request)
    assert result.err == "", result


def sdk_final_message(emulator: Emulator, request: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in request["body"].items() if k != "stream"}
    headers = {"anthropic-version": request["headers"]["anthropic-version"]}
    client = anthropic.Anthropic(api_key=KEY, base_url=emulator.url, max_retries=0)
    with client, client.messages.stream(**body, extra_headers=headers) as stream:
        return sdk_dump(stream.get_final_message())


def non_streaming_message(emulator: Emulator, request: dict[str, Any]) -> dict[str, Any]:
    body = {**request["body"], "stream": False}
    version = request["headers"]["anthropic-version"]
    with urllib.request.urlopen(_post(emulator, body, version), timeout=10) as response:
        message: dict[str, Any] = json.loads(response.read())
    return message


def _post(emulator: Emulator, body: dict[str, Any], version: str) -> urllib.request.Request:
    return urllib.request.Request(
        f"{emulator.url}/v1/messages",
        data=json.dumps(body).encode(),
        headers={
            "content-type": "application/json",
            "x-api-key": KEY,
            "anthropic-version": version,
        },
        method="POST",
    )


def test_stream_json_is_every_event_as_received(ask: Ask, emulator: Emulator) -> None:
    result = ask("--stream-json", "#emu tokens=40 ping_every=3")
    assert result.rc == 0, result
    events = [json.loads(line) for line in result.text.splitlines()]
    types = [event["type"] for event in events]
    assert types[0] == "message_start"
    assert [t for t in types if t != "ping"][-2:] == ["message_delta", "message_stop"]
    assert "ping" in types and "content_block_delta" in types
    assert result.err == "", result

    body = only_body(emulator)
    emulator.reset()
    assert events == raw_sse_events(emulator, body)


def raw_sse_events(emulator: Emulator, body: dict[str, Any]) -> list[dict[str, Any]]:
    """POST the same body and parse each SSE `data:` line: the events exactly as sent."""
    with urllib.request.urlopen(_post(emulator, body, "2023-06-01"), timeout=10) as response:
        text = response.read().decode()
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]
