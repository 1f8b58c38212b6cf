"""`claudecli emulator serve` as a user runs it: one-line errors, exit codes, signals, --schema."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from tests.cli.conftest import Ask
from tests.cli.helpers import (
    KEY,
    Popen,
    Result,
    assert_one_error_line,
    cli_env,
    command,
    read_until_output,
    run,
    run_many,
)

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "population": {"type": "integer", "minimum": 1000},
        "founded": {"type": "string", "format": "date"},
        "districts": {"type": "array", "items": {"$ref": "#/$defs/district"}, "minItems": 2},
        "capital": {"type": "boolean"},
    },
    "required": ["city", "population", "founded", "districts", "capital"],
    "additionalProperties": False,
    "$defs": {
        "district": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "kind": {"enum": ["urban", "rural"]}},
            "required": ["name", "kind"],
            "additionalProperties": False,
        }
    },
}

BAD_FLAGS = [
    (["--port", "99999"], "--port 99999: must be 0-65535 (0 picks a free port)"),
    (["--port", "-1"], "--port -1: must be 0-65535"),
    (["--auth", "bogus"], "--auth 'bogus': must be any, bearer or x-api-key"),
    (["--batch-delay", "-5"], "--batch-delay -5: must be 0-86400 seconds"),
    (["--batch-delay", "nan"], "--batch-delay nan: must be 0-86400 seconds"),
    (["--prefix", "/a b"], "--prefix: '/a b' is not a URL path such as /anthropic"),
]


def serve_args(*args: str) -> list[str]:
    return ["emulator", "serve", *args]


def test_bad_flag_values_are_one_line_usage_errors() -> None:
    results = run_many([(serve_args(*args), {"url": None}) for args, _ in BAD_FLAGS])
    for (_, expected), result in zip(BAD_FLAGS, results, strict=True):
        assert result.rc == 2, result
        assert assert_one_error_line(result, request_id=False).startswith(
            f"claudecli: error: {expected}"
        )
        assert result.out == b""


@pytest.mark.parametrize(("value", "state"), [(None, "is not set"), ("", "is empty")])
def test_an_unset_api_key_env_is_refused(value: str | None, state: str) -> None:
    env = cli_env(None, key=None)
    env.pop("EMU_ONLY_KEY", None)
    if value is not None:
        env["EMU_ONLY_KEY"] = value
    result = run(serve_args("--api-key-env", "EMU_ONLY_KEY"), url=None, env=env)
    assert result.rc == 3, result
    line = assert_one_error_line(result, request_id=False)
    expected = f"--api-key-env EMU_ONLY_KEY: environment variable EMU_ONLY_KEY {state}"
    assert line == f"claudecli: error: {expected}"


def test_a_port_in_use_is_one_line_and_exit_3() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(serve_args("--port", str(port)), url=None)
    assert result.rc == 3, result
    line = assert_one_error_line(result, request_id=False)
    assert line.startswith(f"claudecli: error: --port {port}: cannot listen on 127.0.0.1:{port}:")
    assert line.endswith("; --port 0 picks a free port")


# --- a running server ---------------------------------------------------------------------


def start_server(*args: str, env: dict[str, str] | None = None) -> tuple[Popen, str]:
    proc = subprocess.Popen(
        [*command(), *serve_args("--port", "0", *args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env if env is not None else cli_env(None, key=None),
    )
    line = b""
    while not line.endswith(b"\n"):
        line += read_until_output(proc)
    return proc, line.decode().strip()


def stop_server(proc: Popen, sig: signal.Signals) -> Result:
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return Result(proc.returncode, out, err.decode("utf-8", "replace"), 0.0)


@pytest.fixture
def server() -> Iterator[tuple[Popen, str]]:
    proc, url = start_server()
    yield proc, url
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_it_cleanly_with_128_plus_the_signal(
    server: tuple[Popen, str], sig: signal.Signals, status: int
) -> None:
    proc, url = server
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(urllib.request.Request(url + "/_emulator/reset", b"{}")) as reply:
        assert json.load(reply) == {"reset": True}
    result = stop_server(proc, sig)
    assert result.rc == status, result
    assert result.err == "", result


def test_api_key_env_accepts_only_that_key(tmp_path: Path) -> None:
    env = cli_env(None, key=None, EMU_ONLY_KEY=KEY)
    proc, url = start_server("--api-key-env", "EMU_ONLY_KEY", env=env)
    try:
        wrong = run(["ask", "hi"], url=url, env=cli_env(url, key="sk-ant-wrong-key-0000"))
        right = run(["ask", "hi"], url=url, env=cli_env(url, key=KEY))
    finally:
        stop_server(proc, signal.SIGTERM)
    assert wrong.rc == 4, wrong
    assert right.rc == 0 and right.text == "Echo: hi\n", right


def test_ask_schema_end_to_end(server: tuple[Popen, str], tmp_path: Path) -> None:
    """`emulator serve --port 0`, then `ask --schema`: exit 0, stdout JSON valid under it."""
    _, url = server
    (tmp_path / "city.json").write_text(json.dumps(SCHEMA))
    schema, env = str(tmp_path / "city.json"), cli_env(url, key="x")
    calls = [["--schema", schema, "A city, please"], ["--json", "--schema", schema, "again"]]
    results = run_many([(["ask", *args], {"url": url, "env": env}) for args in calls])
    for result in results:
        assert result.rc == 0, result
    jsonschema.validate(json.loads(results[0].text), SCHEMA)
    document = json.loads(results[1].text)
    [text] = [b["text"] for b in document["content"] if b["type"] == "text"]
    jsonschema.validate(json.loads(text), SCHEMA)


def test_ask_schema_cut_at_max_tokens_is_a_partial_answer(ask: Ask, tmp_path: Path) -> None:
    (tmp_path / "city.json").write_text(json.dumps(SCHEMA))
    result = ask("--schema", str(tmp_path / "city.json"), "#emu stop=max_tokens\nA city")
    assert result.rc == 7, result
    assert result.text.startswith('{"city": ')
    assert "not valid JSON" in result.err


def test_serve_help_names_the_exit_codes() -> None:
    result = run(serve_args("--help"), url=None, env={**os.environ, "COLUMNS": "100"})
    assert result.rc == 0, result
    assert "130" in result.text and "143" in result.text
