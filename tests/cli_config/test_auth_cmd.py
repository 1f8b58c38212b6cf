"""`claudecli auth login | logout | status`, headless and broken keyrings, key commands."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_config.conftest import BIN, KEY, Run, one_error_line, use_backend

pytestmark = pytest.mark.slow

OTHER = "sk-ant-api03-other-TEST-9999999999-a1b2"


def stored(store: Path) -> dict[str, str]:
    data = json.loads(store.read_text())
    assert isinstance(data, dict)
    return data


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def no_key_in(done: object, key: str = KEY) -> None:
    assert key not in str(getattr(done, "stdout", "")) + str(getattr(done, "stderr", ""))


# --- login / logout / status with a working keyring ------------------------------------------


def test_login_from_stdin_stores_per_profile_and_never_echoes(
    app_cli: Run, file_keyring: Path
) -> None:
    done = app_cli("auth", "login", input=KEY + "\nsecond line ignored\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "stored the key …wxyz for profile default in the OS keyring\n"
    no_key_in(done)
    work = app_cli("auth", "login", "--profile", "work", input=f"  {OTHER}  \n")
    assert work.returncode == 0, work.stderr
    assert stored(file_keyring) == {"claudecli/default": KEY, "claudecli/work": OTHER}


def test_status_names_the_keyring_and_shows_four_characters(
    app_cli: Run, file_keyring: Path
) -> None:
    app_cli("auth", "login", input=KEY)
    done = app_cli("auth", "status")
    assert done.returncode == 0, done.stderr
    no_key_in(done)
    lines = done.stdout.splitlines()
    assert lines[0] == "profile:  default (default)"
    assert lines[1] == "key:      …wxyz from keyring (profile default)"
    assert "FileKeyring" in done.stdout
    rows = {cells[0]: cells[1:] for cells in map(columns, lines[lines.index("") + 1 :])}
    assert rows["source"] == ["result", "detail"]
    assert rows["environment ANTHROPIC_API_KEY"] == ["absent", "not set"]
    assert rows["keyring (profile default)"] == ["found", "…wxyz"]
    assert rows["Anthropic SDK profile 'default'"] == ["not checked"]


def test_status_json(app_cli: Run, file_keyring: Path) -> None:
    app_cli("auth", "login", input=KEY)
    done = app_cli("auth", "status", "--json", env={"ANTHROPIC_API_KEY": OTHER})
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["source"] == "environment ANTHROPIC_API_KEY"
    assert data["key"] == "…a1b2" and data["kind"] == "api_key"
    assert data["sent_as"] == "Authorization: Bearer"
    assert [check["result"] for check in data["checks"]][:2] == ["found", "not checked"]
    assert data["error"] is None
    no_key_in(done, OTHER)


def test_login_notes_a_key_that_would_shadow_the_keyring(app_cli: Run, file_keyring: Path) -> None:
    done = app_cli("auth", "login", input=KEY, env={"ANTHROPIC_API_KEY": OTHER})
    assert done.returncode == 0, done.stderr
    assert "ANTHROPIC_API_KEY is set and wins over the keyring" in done.stderr
    no_key_in(done, OTHER)


def test_login_for_a_profile_the_config_does_not_define_yet(
    app_cli: Run, file_keyring: Path, write_config: Callable[[str], Path]
) -> None:
    write_config("profiles:\n  work: {}\n")
    done = app_cli("--profile", "brand-new", "auth", "login", input=KEY)
    assert done.returncode == 0, done.stderr
    assert "claudecli/brand-new" in stored(file_keyring)


def test_login_uses_the_active_profile(
    app_cli: Run, file_keyring: Path, write_config: Callable[[str], Path]
) -> None:
    write_config("default_profile: work\nprofiles:\n  work: {}\n")
    assert app_cli("auth", "login", input=KEY).returncode == 0
    assert app_cli("auth", "login", input=OTHER, env={"CLAUDECLI_PROFILE": "ci"}).returncode == 0
    assert stored(file_keyring) == {"claudecli/work": KEY, "claudecli/ci": OTHER}
    status = app_cli("auth", "status", "--json")
    assert json.loads(status.stdout)["checks"][3]["source"] == "keyring (profile work)"


def test_logout_removes_the_key(app_cli: Run, file_keyring: Path) -> None:
    app_cli("auth", "login", input=KEY)
    done = app_cli("auth", "logout")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "removed the key for profile default from the OS keyring\n"
    assert stored(file_keyring) == {}
    again = app_cli("auth", "logout")
    assert again.returncode == 0 and "no key stored" in again.stdout
    status = app_cli("auth", "status")
    assert status.returncode == 4
    assert one_error_line(status.stderr).startswith("claudecli: error: no API key")


def test_empty_input_is_a_usage_error(app_cli: Run, file_keyring: Path) -> None:
    for text in ("", "   \n"):
        done = app_cli("auth", "login", input=text)
        assert done.returncode == 2
        assert "no key given" in one_error_line(done.stderr)
    assert not file_keyring.exists()


def test_a_key_with_spaces_or_control_characters_is_refused(
    app_cli: Run, file_keyring: Path
) -> None:
    for text in ("sk-ant-with space\n", "sk-ant-\x1b[2J-é\n"):
        done = app_cli("auth", "login", input=text)
        assert done.returncode == 3
        assert "not stored" in one_error_line(done.stderr)
    assert not file_keyring.exists()


def test_status_for_another_profile(
    app_cli: Run, file_keyring: Path, write_config: Callable[[str], Path]
) -> None:
    write_config("profiles:\n  work: {}\n")
    app_cli("auth", "login", "--profile", "work", input=KEY)
    for args in (["auth", "status", "--profile", "work"], ["--profile", "work", "auth", "status"]):
        done = app_cli(*args)
        assert done.returncode == 0, done.stderr
        assert "key:      …wxyz from keyring (profile work)" in done.stdout


def test_there_is_no_api_key_flag(cli: Run) -> None:
    for args in (["auth", "login", "--api-key", KEY], ["ask", "--api-key", KEY, "hi"]):
        done = cli(*args)
        assert done.returncode == 2
        assert "No such option: --api-key" in done.stderr


def test_login_on_a_terminal_reads_hidden_input(file_keyring: Path) -> None:
    """getpass on a pseudo-terminal: the prompt is shown, the typed key is not echoed."""
    pid, fd = pty.fork()
    if pid == 0:  # child: the pty is its controlling terminal, so getpass uses it
        os.execv(str(BIN), [str(BIN), "auth", "login"])
    output = read_until(fd, b"(input hidden): ")
    os.write(fd, KEY.encode() + b"\n")
    output += read_until(fd, b"OS keyring")
    _, wait_status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(wait_status) == 0, output
    assert b"API key for profile default" in output
    assert KEY.encode() not in output
    assert stored(file_keyring) == {"claudecli/default": KEY}


def read_until(fd: int, marker: bytes, timeout: float = 20) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data


# --- no keyring, broken keyrings, key commands ------------------------------------------------


def test_headless_login_is_one_line_naming_the_alternatives(cli: Run) -> None:
    done = cli("auth", "login", input=KEY)
    assert done.returncode == 4
    line = one_error_line(done.stderr)
    assert "no keyring backend available" in line
    assert "ANTHROPIC_API_KEY" in line and "api_key_cmd" in line
    no_key_in(done)


def test_headless_status_lists_every_source_and_the_reason(cli: Run) -> None:
    done = cli("auth", "status")
    assert done.returncode == 4
    assert "keyring (profile default)         failed   no keyring backend available" in (
        done.stdout
    )
    for source in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "api_key_cmd", "SDK profile"):
        assert source in done.stdout
    line = one_error_line(done.stderr)
    assert "set ANTHROPIC_API_KEY" in line and "no keyring backend available" in line


def test_headless_status_json(app_cli: Run) -> None:
    done = app_cli("auth", "status", "--json")
    assert done.returncode == 4
    data = json.loads(done.stdout)
    assert data["source"] is None and data["key"] is None
    assert data["keyring_backend"] == "unavailable: no keyring backend available"
    assert data["error"].startswith("no API key")


def test_headless_env_key_still_works(app_cli: Run) -> None:
    done = app_cli("auth", "status", env={"ANTHROPIC_API_KEY": KEY})
    assert done.returncode == 0, done.stderr
    assert "key:      …wxyz from environment ANTHROPIC_API_KEY" in done.stdout


def test_headless_logout_is_one_line(app_cli: Run) -> None:
    done = app_cli("auth", "logout")
    assert done.returncode == 4
    assert "no keyring backend available" in one_error_line(done.stderr)


def test_missing_key_in_a_pipe_is_exit_4_never_a_prompt(cli: Run) -> None:
    done = cli("ask", "hello", env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}, timeout=20)
    assert done.returncode == 4
    assert one_error_line(done.stderr).startswith("claudecli: error: no API key")
    assert done.stdout == ""


def no_key_line(done: subprocess.CompletedProcess[str]) -> str:
    """A run that found no key: exit 4 and one line naming the other sources."""
    assert done.returncode == 4, done.stderr
    line = one_error_line(done.stderr)
    assert "set ANTHROPIC_API_KEY" in line and "api_key_cmd" in line
    return line


def test_locked_keyring(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_backend(monkeypatch, "LockedKeyring")
    login = cli("auth", "login", input=KEY)
    assert "the keyring is locked" in no_key_line(login)
    no_key_in(login)
    status = cli("auth", "status")
    assert "failed   the keyring is locked" in status.stdout
    assert "the keyring is locked" in no_key_line(status)


def test_no_dbus(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("secretstorage")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert "DBUS_SESSION_BUS_ADDRESS" in no_key_line(cli("auth", "login", input=KEY))


def test_hanging_keyring_times_out(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    use_backend(monkeypatch, "HangingKeyring")
    started = time.monotonic()
    done = cli("ask", "hi", timeout=30)
    assert time.monotonic() - started < 15
    assert "keyring (profile default): timed out after 3 s" in no_key_line(done)


def test_failing_api_key_cmd_is_one_line(
    cli: Run, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    write_config(f"api_key_cmd: [{sys.executable}, -c, 'print(\"{KEY}\"); raise SystemExit(3)']\n")
    done = cli("ask", "hi", env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert done.returncode == 4
    assert "exited with status 3 (its output is not shown)" in one_error_line(done.stderr)
    no_key_in(done)


def test_slow_api_key_cmd_is_one_line_after_the_time_limit(
    cli: Run, write_config: Callable[[str], Path]
) -> None:
    write_config("api_key_cmd: [sleep, '60']\napi_key_cmd_timeout: 1.5\n")
    started = time.monotonic()
    done = cli("ask", "hi", env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}, timeout=40)
    elapsed = time.monotonic() - started
    assert done.returncode == 4
    assert "api_key_cmd `sleep 60` timed out after 1.5 s" in one_error_line(done.stderr)
    assert elapsed < 8


def test_status_on_bedrock_says_how_the_request_is_signed_and_where_it_goes(app_cli: Run) -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "s3cr3t-value",
        "AWS_REGION": "eu-west-1",
    }
    done = app_cli("--provider", "bedrock", "auth", "status", env=env)
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines()[:4])
    assert "SigV4" in lines["sent as"]
    assert lines["endpoint"].strip() == "https://bedrock-runtime.eu-west-1.amazonaws.com"
    assert "s3cr3t-value" not in done.stdout + done.stderr
