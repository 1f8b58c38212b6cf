"""Run the installed `claudecli` binary against the emulator, with the hermetic environment."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from claudecli.cli import main
from claudecli.cli.context import Environment
from claudecli.emulator import Emulator

BIN = Path(sys.executable).with_name("claudecli")

Run = Callable[..., subprocess.CompletedProcess[str]]


def command_line() -> list[str]:
    return [str(BIN)]


@pytest.fixture
def cli(emulator: Emulator) -> Run:
    """`cli("count-tokens", "hi", input="…", env={"CLAUDECLI_MAX_RETRIES": "0"})`."""

    def run(
        *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = os.environ.copy()
        environ.update(ANTHROPIC_BASE_URL=emulator.url, ANTHROPIC_API_KEY="sk-test")
        environ.update(env or {})
        data = input.encode() if isinstance(input, str) else input
        done = subprocess.run(
            [*command_line(), *args],
            input=data if data is not None else b"",
            capture_output=True,
            env=environ,
            timeout=60,
            check=False,
        )
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
        )

    return run


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli_at(emulator: Emulator) -> Callable[..., Done]:
    """`cli_at(date(2026, 6, 1), "models")`: the command in-process, with the clock at that day."""

    def run(day: date, *args: str) -> Done:
        environ = {**os.environ, "ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": "sk-x"}
        noon = datetime.combine(day, time(12), tzinfo=UTC)
        environment = Environment(env=environ, clock=lambda: noon)
        stdout, stderr = io.StringIO(), io.StringIO()
        with redirect_stdout(stdout), redirect_stderr(stderr), pytest.raises(SystemExit) as ended:
            main(list(args), environment)
        return Done(int(ended.value.code or 0), stdout.getvalue(), stderr.getvalue())

    return run


def requests_to(emulator: Emulator, suffix: str) -> list[dict[str, Any]]:
    """The recorded requests whose path ends with `suffix` (e.g. `/count_tokens`)."""
    return [r for r in emulator.requests if str(r["path"]).split("?")[0].endswith(suffix)]


def as_json(text: str) -> Any:
    return json.loads(text)
