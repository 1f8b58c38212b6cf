"""Every exit code of `ask`, each error as exactly one stderr line (with the request-id when the
API gave one), no traceback unless `--debug`."""

from __future__ import annotations

import json
import os
import pty
import re
import socket
import subprocess
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import (
    KEY,
    Result,
    assert_one_error_line,
    cli_env,
    command,
    message_requests,
    run,
    run_many,
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    rc: int
    says: str
    request_id: bool = True
    stdout: str = ""  # "" = nothing, "partial" = some text, else exactly this
    env: dict[str, Any] = field(default_factory=dict)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cases(url: str) -> list[Case]:
    refused = f"http://127.0.0.1:{_closed_port()}"
    return [
        Case("400", ["#emu status=400 message='prompt is too long: 250000 tokens > 200000'"], 5,
             "prompt is too long: 250000 tokens > 200000 (HTTP 400)"),
        Case("401", ["#emu status=401"], 4, "API key rejected (401)"),
        Case("403", ["#emu status=403"], 4, "permission denied (403)"),
        Case("404 unknown model", ["-m", "claude-nonexistent-0", "hi"], 5,
             "claude-nonexistent-0; `claudecli models` lists the available models"),
        Case("413 HTML body", ["#emu status=413"], 5,
             "request too large (413); the limit is 32 MB for Messages"),
        Case("422", ["#emu status=422 message='unprocessable thing'"], 5,
             "unprocessable thing (HTTP 422)"),
        Case("529 after retries", ["--max-retries", "1", "#emu status=529"], 6,
             "the API is overloaded (529); try again later"),
        Case("429 no retry", ["#emu status=429 should_retry=false"], 6, "rate limited (429)"),
        Case("connection refused", ["--max-retries", "0", "hi"], 6,
             f"cannot connect to {refused}", request_id=False,
             env={"ANTHROPIC_BASE_URL": refused}),
        Case("reset before any event", ["--max-retries", "0", "#emu fault=reset after=0"], 6,
             "Connection reset by peer"),
        Case("reset mid-stream", ["#emu tokens=200 fault=reset after=6"], 7,
             "the answer was cut short: connection to", stdout="partial"),
        Case("drop mid-stream", ["#emu tokens=200 fault=drop after=6"], 7,
             "the answer was cut short", stdout="partial"),
        Case("error event after text", ["#emu tokens=200 fault=error after=6"], 7,
             "the answer was cut short: the API is overloaded (529)", stdout="partial"),
        Case("malformed event after text", ["#emu tokens=200 fault=malformed after=6"], 7,
             "the answer was cut short: malformed JSON in content_block_delta event",
             stdout="partial"),
        Case("clean end before message_delta", ["#emu tokens=200 fault=truncate"], 7,
             "the answer was cut short: unexpected end of stream", stdout="partial"),
        Case("stall after text", ["#emu tokens=200 fault=stall after=6 seconds=10"], 7,
             "the answer was cut short: no data from", stdout="partial",
             env={"CLAUDECLI_IDLE_TIMEOUT": "1"}),
        Case("429 spend limit, no retry",
             ["#emu status=429 error_code=enforced_spend_limit_reached message='spend limit'"], 6,
             "rate limited (429): spend limit"),
        Case("500 with x-should-retry false", ["#emu status=500 should_retry=false"], 6,
             "(HTTP 500)"),
    ]  # fmt: skip


def test_exit_codes_and_one_line_errors(emulator: Emulator, subtests: pytest.Subtests) -> None:
    cases = _cases(emulator.url)
    results = run_many(
        [
            (["ask", *case.args], {"url": emulator.url, "env": cli_env(emulator.url, **case.env)})
            for case in cases
        ]
    )
    for case, result in zip(cases, results, strict=True):
        with subtests.test(case.name):
            check_case(case, result)

    def tries(directive: str) -> int:
        return sum(directive in str(r["body"]) for r in message_requests(emulator))

    with subtests.test("529 was retried once"):
        assert tries("status=529") == 2
    with subtests.test("no retry for a spend limit or x-should-retry: false"):
        assert tries("enforced_spend_limit_reached") == 1
        assert tries("should_retry=false") == 2  # the 429 case and the 500 case


def check_case(case: Case, result: Result) -> None:
    assert result.rc == case.rc, result
    line = assert_one_error_line(result, request_id=case.request_id)
    assert case.says in line, result
    assert KEY not in result.err and "SECRETKEY" not in result.err
    if case.stdout == "partial":
        assert result.out.strip(), result  # the text shown before the break is kept
        assert b"\x1b" not in result.out
    else:
        assert result.text == case.stdout, result
    if case.rc == 6 and case.name.startswith("529"):
        assert "retrying" in result.err, result  # the retry notice


def test_clean_end_after_message_delta_is_a_complete_answer(ask: Ask, emulator: Emulator) -> None:
    """Only `message_stop` is missing: the stop reason and usage arrived, so the answer is whole."""
    emulator.enqueue({"tokens": 120, "fault": "eof"})
    cut = ask("a prompt")
    assert cut.rc == 0, cut
    assert cut.err == ""
    [request] = message_requests(emulator)
    emulator.enqueue({"tokens": 120})
    whole = non_streamed_text(emulator, request)
    assert cut.text == whole + "\n"


def test_no_api_key_is_one_line_naming_the_sources_and_never_a_prompt(
    emulator: Emulator,
) -> None:
    controller, terminal = pty.openpty()
    try:
        result = run(["ask", "hi"], url=None, stdin=terminal, env=cli_env(emulator.url, key=None),
                     timeout=5)  # fmt: skip
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.rc == 4, result
    line = assert_one_error_line(result, request_id=False)
    assert "no API key" in line
    assert "ANTHROPIC_API_KEY" in line and "claudecli auth login" in line
    assert emulator.requests == []


def test_bad_option_is_a_usage_error(ask: Ask, emulator: Emulator) -> None:
    result = ask("--no-such-option", "hi")
    assert result.rc == 2, result
    assert "No such option: --no-such-option" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 4, result  # Click's short usage block
    assert result.out == b""
    assert emulator.requests == []


def test_unwritable_stdout_is_an_internal_error_without_traceback(emulator: Emulator) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*command(), "ask", "hi"],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            env=cli_env(emulator.url),
            timeout=20,
            check=False,
        )
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "No space left on device" in err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err


def test_debug_adds_the_traceback_but_never_the_key(emulator: Emulator) -> None:
    """Without --debug no traceback is the rule checked by every error test above."""
    debug = run(["--debug", "ask", "#emu status=400 message='bad thing'"], url=emulator.url)
    assert debug.rc == 5
    assert "Traceback (most recent call last):" in debug.err, debug
    assert re.fullmatch(
        r"claudecli: error: bad thing \(HTTP 400\) \(request-id req_emu_\w+\)",
        debug.err.splitlines()[-1],
    ), debug
    for secret in (KEY, "SECRETKEY"):
        assert secret not in debug.err
        assert secret not in debug.text


def non_streamed_text(emulator: Emulator, request: dict[str, Any]) -> str:
    """The answer text of the same request from the non-streaming endpoint."""
    body = json.dumps({**request["body"], "stream": False}).encode()
    headers = {"content-type": "application/json", "x-api-key": KEY,
               "anthropic-version": request["headers"]["anthropic-version"]}  # fmt: skip
    post = urllib.request.Request(f"{emulator.url}/v1/messages", body, headers, method="POST")
    with urllib.request.urlopen(post, timeout=10) as response:
        message = json.loads(response.read())
    return "".join(block.get("text", "") for block in message["content"])


# --- deviations from reliability-security.md §B found by these tests, now fixed -------------


@pytest.mark.parametrize("fault", ["error", "reset"])
def test_failure_before_any_visible_text_is_retried(
    ask: Ask, emulator: Emulator, fault: str
) -> None:
    emulator.enqueue({"fault": fault, "after": 2})  # message_start, content_block_start, then X
    result = ask("hi")
    assert result.rc == 0, result
    assert result.text == "Echo: hi\n"
    assert len(message_requests(emulator)) == 2


def test_total_deadline_during_a_ping_drip_names_the_request(ask: Ask) -> None:
    result = ask("--timeout", "1.5", "#emu fault=drip count=0 seconds=0.2")
    assert result.rc == 6, result
    line = assert_one_error_line(result, request_id=False)
    assert "total time limit reached" in line
    assert "(request-id req_emu_" in line, result


def test_rejected_key_line_names_its_source(ask: Ask) -> None:
    result = ask("#emu status=401")
    assert result.rc == 4, result
    line = assert_one_error_line(result, request_id=True)
    assert re.search(r"ANTHROPIC_API_KEY|source|environment", line), line


def test_absurd_retry_after_is_not_waited_for(ask: Ask) -> None:
    try:
        result = ask("#emu status=429 retry_after=3600", timeout=6)
    except subprocess.TimeoutExpired:
        pytest.fail("still waiting after 6 s")
    assert result.rc == 6, result
