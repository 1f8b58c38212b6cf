"""Run the installed `claudecli` binary in the hermetic environment (see tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends import fail
from typer.testing import CliRunner

from claudecli.cli.app import build_app
from claudecli.paths import config_file
from tests.cli_config.memkeyring import FileKeyring

BIN = Path(sys.executable).with_name("claudecli")
REPO = Path(__file__).resolve().parents[2]
KEY = "sk-ant-api03-cliconfig-TEST-0123456789-wxyz"

Run = Callable[..., subprocess.CompletedProcess[str]]


def run_binary(
    *args: str,
    input: str | None = "",
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`claudecli ARGS` with the test's environment plus `env`; stdin is `input` (a pipe)."""
    environ = os.environ.copy()
    environ.update(env or {})
    return subprocess.run(
        [str(BIN), *args],
        input=input,
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def cli() -> Run:
    """The installed binary in a subprocess: for behaviour that needs a real process."""
    return run_binary


@pytest.fixture
def app_cli() -> Run:
    """The same command line run in-process (Typer's CliRunner): much faster, same interface.

    The environment is the test's plus `env`; stdin is `input`, never a terminal.
    """
    runner = CliRunner()
    app = build_app()

    def run(
        *args: str, input: str | None = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)
        return subprocess.CompletedProcess(
            list(args), result.exit_code, result.stdout, result.stderr
        )

    return run


@pytest.fixture(autouse=True)
def inprocess_keyring() -> Iterator[None]:
    """In-process runs see no keyring backend (like `hermetic_env` gives subprocesses)."""
    saved = keyring.core._keyring_backend
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.core._keyring_backend = saved


@pytest.fixture
def write_config() -> Callable[[str], Path]:
    """Write config.yaml where claudecli looks for it (0600, like `config edit` would)."""

    def write(text: str) -> Path:
        path = config_file()
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return path

    return write


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A keyring that survives across processes (and serves in-process runs too), kept outside
    claudecli's directories; returns the file it keeps the keys in."""
    store = tmp_path / "test-keyring.json"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.cli_config.memkeyring.FileKeyring")
    monkeypatch.setenv("CLAUDECLI_TEST_KEYRING", str(store))
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    keyring.set_keyring(FileKeyring())  # type: ignore[no-untyped-call]
    return store


def use_backend(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Select one of the test backends in `tests.cli_config.memkeyring` for the subprocess."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"tests.cli_config.memkeyring.{name}")
    monkeypatch.setenv("PYTHONPATH", str(REPO))


def one_error_line(stderr: str) -> str:
    """The stderr of a failed run: exactly one `claudecli: error:` line, no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("claudecli: error: "), stderr
    return lines[0]
