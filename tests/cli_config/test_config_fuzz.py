"""Malformed config files at the command line: exit 0 or 3, one error line, never a traceback.

The mutations come from the config module's own fuzz (tests/config/test_fuzz.py); here they go
through the Typer app (in-process, many) and the installed binary (a sample), including files
that are not files at all.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claudecli.cli.app import build_app
from claudecli.paths import config_file
from tests.cli_config.conftest import Run
from tests.config.test_fuzz import SEEDS, garbage, mutate

CASES = 80
BINARY_CASES = 4


def fuzzed_files(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    files = []
    for index in range(count):
        if index % 8 == 7:
            files.append(garbage(rng))
        else:
            files.append(mutate(rng, rng.choice(SEEDS)).encode("utf-8", "surrogatepass"))
    return files


def put(raw: bytes) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return path


def check(code: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stdout + stderr
    assert code in (0, 3), (code, stderr)
    if code == 3:
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("claudecli: error: "), stderr
        assert stdout == ""
    else:
        assert stdout.startswith("key ")


def test_the_app_survives_malformed_files() -> None:
    runner = CliRunner()
    app = build_app()
    for raw in fuzzed_files(CASES, seed=20261121):
        put(raw)
        result = runner.invoke(app, ["config", "show"], catch_exceptions=False)
        check(result.exit_code, result.stdout, result.stderr)


@pytest.mark.slow
def test_the_binary_survives_malformed_files(cli: Run) -> None:
    for raw in fuzzed_files(BINARY_CASES, seed=7):
        put(raw)
        done = cli("config", "show")
        check(done.returncode, done.stdout, done.stderr)


@pytest.mark.slow
@pytest.mark.parametrize(
    "make",
    ["directory", "fifo", "huge", "alias-bomb", "deep", "dangling-symlink", "not-utf8"],
)
def test_files_that_are_not_config_files(
    app_cli: Run, make: str, tmp_path: Path, write_config: Callable[[str], Path]
) -> None:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if make == "directory":
        path.mkdir()
    elif make == "fifo":
        os.mkfifo(path)
    elif make == "huge":
        path.write_text("model: x\n" + "#" * (2 * 1024 * 1024))
    elif make == "alias-bomb":
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
        write_config("\n".join(lines) + "\nbetas: *a11\n")
    elif make == "deep":
        write_config("headers: " + "[" * 5000 + "]" * 5000 + "\n")
    elif make == "dangling-symlink":
        path.symlink_to(tmp_path / "nowhere")
    else:
        path.write_bytes(b"model: \xff\xfe\n")
    done = app_cli("config", "show")
    check(done.returncode, done.stdout, done.stderr)
