"""`ask` run in-process: an injected Environment (streams, TTY flags, env, clock) and an httpx2
transport that answers with a recorded stream, so the whole command path runs without a socket.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from claudecli.cli import main
from claudecli.cli.context import Environment
from tests.fixture_paths import STREAMS

RECORDED = (STREAMS / "01-text-basic.sse").read_bytes()


@dataclass
class Recorder:
    """An httpx2 transport that keeps each request and answers with the recorded SSE bytes."""

    body: bytes = RECORDED
    requests: list[httpx2.Request] = field(default_factory=list)

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.answer)

    def answer(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        headers = {"content-type": "text/event-stream", "request-id": "req_inprocess"}
        # an iterator, as from a socket (bytes content would arrive already read)
        return httpx2.Response(200, headers=headers, content=self.chunks())

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), 100):
            yield self.body[start : start + 100]

    def sent(self) -> dict[str, Any]:
        return dict(json.loads(self.requests[-1].content))


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run(
    *args: str, stdin: bytes = b"", recorder: Recorder | None = None, tty: bool = False
) -> Result:
    stdout, stderr = io.StringIO(), io.StringIO()
    environment = Environment(
        env={"ANTHROPIC_API_KEY": "sk-ant-inprocess-key", "ANTHROPIC_BASE_URL": "https://api.test"},
        clock=lambda: datetime(2026, 1, 2, tzinfo=UTC),
        stdin=io.BytesIO(stdin),
        stdout=stdout,
        stderr=stderr,
        stdin_isatty=tty,
        stdout_isatty=False,
        stderr_isatty=False,
        transport=(recorder or Recorder()).transport(),
    )
    with pytest.raises(SystemExit) as ended:
        main(list(args), environment)
    return Result(int(ended.value.code or 0), stdout.getvalue(), stderr.getvalue())


def test_answer_streams_to_the_injected_stdout() -> None:
    recorder = Recorder()
    done = run("ask", "-m", "claude-haiku-5-5", "say hello", recorder=recorder)
    assert done.code == 0, done.stderr
    assert done.stdout.startswith("Hello")
    sent = recorder.sent()
    assert sent["model"] == "claude-haiku-5-5" and sent["stream"] is True
    assert sent["messages"][-1]["content"][-1]["text"] == "say hello"
    assert recorder.requests[-1].headers["authorization"] == "Bearer sk-ant-inprocess-key"


def test_piped_stdin_comes_from_the_environment_not_the_process() -> None:
    recorder = Recorder()
    done = run("ask", "summarise", stdin=b"the injected stdin text", recorder=recorder)
    assert done.code == 0, done.stderr
    texts = [block.get("text") for block in recorder.sent()["messages"][-1]["content"]]
    assert texts[0] == "the injected stdin text" and texts[-1] == "summarise"


def test_json_document_carries_the_request_id_from_the_transport() -> None:
    done = run("ask", "--json", "hi")
    assert done.code == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["type"] == "message"
    assert document["claudecli"]["request_id"] == "req_inprocess"


def test_dry_run_sends_nothing_and_shows_no_key() -> None:
    recorder = Recorder()
    done = run("ask", "--dry-run", "hi", recorder=recorder)
    assert done.code == 0 and recorder.requests == []
    assert json.loads(done.stdout)["messages"][0]["content"][0]["text"] == "hi"
    assert "sk-ant-inprocess-key" not in done.stdout + done.stderr


def test_an_api_error_is_one_line_on_the_injected_stderr() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        error = {"type": "error", "error": {"type": "invalid_request_error", "message": "nope"}}
        return httpx2.Response(400, json=error, headers={"request-id": "req_bad"})

    recorder = Recorder()
    recorder.answer = refuse  # type: ignore[method-assign]
    done = run("ask", "hi", recorder=recorder)
    assert done.code == 5
    assert done.stderr.count("\n") == 1 and "req_bad" in done.stderr


def test_reading_a_terminal_says_how_to_end() -> None:
    recorder = Recorder()
    done = run("ask", "-", "summarise", stdin=b"typed text\n", recorder=recorder, tty=True)
    assert done.code == 0, done.stderr
    assert done.stderr.startswith("claudecli: reading stdin (Ctrl-D on an empty line to end)")
    assert recorder.sent()["messages"][-1]["content"][0]["text"] == "typed text\n"


def test_a_terminal_without_dash_is_not_read() -> None:
    done = run("ask", "hello", stdin=b"never read", tty=True)
    assert done.code == 0 and "reading stdin" not in done.stderr
