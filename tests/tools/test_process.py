"""Commands: no shell, timeout kills the process group, output capped, env scrubbed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from claudecli.tools.process import clean_env, run_command
from claudecli.tools.toolbox import command_outcome, expand

ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def test_a_timeout_kills_the_whole_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    script = f"sleep 30 & echo $! > {pidfile}; sleep 30"
    started = time.monotonic()
    finished = run_command(
        ["/bin/sh", "-c", script], cwd=str(tmp_path), env=ENV, timeout=0.5, cap=100
    )
    assert finished.timed_out and time.monotonic() - started < 5
    child = int(pidfile.read_text())
    time.sleep(0.1)
    assert (
        not Path(f"/proc/{child}").exists()
        or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
    )
    outcome = command_outcome(finished, 100, 0.5)
    assert outcome.is_error and "timed out after 0.5 s" in str(outcome.content)


def test_ten_megabytes_are_cut_to_the_cap(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('x' * (10 * 1024 * 1024))"
    finished = run_command(
        [sys.executable, "-c", code], cwd=str(tmp_path), env=ENV, timeout=20, cap=100 * 1024
    )
    assert finished.total == 10 * 1024 * 1024 and len(finished.output) == 100 * 1024
    text = str(command_outcome(finished, 100 * 1024, 20).content)
    assert text.endswith("[output truncated: 10.0 MB in all, showing the first 100 KB]")


def test_stdin_is_closed_unless_given(tmp_path: Path) -> None:
    closed = run_command(["cat"], cwd=str(tmp_path), env=ENV, timeout=5, cap=100)
    assert closed.output == b"" and closed.returncode == 0
    given = run_command(["cat"], cwd=str(tmp_path), env=ENV, timeout=5, cap=100, stdin=b'{"a": 1}')
    assert given.output == b'{"a": 1}'


def test_the_environment_has_no_keys() -> None:
    env = clean_env(
        {"ANTHROPIC_API_KEY": "k", "CLAUDECLI_PROFILE": "p", "anthropic_x": "y", "HOME": "/h"}
    )
    assert env == {"HOME": "/h", "NO_COLOR": "1", "PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}


def test_placeholders_are_one_argument_each() -> None:
    args = {"path": "a b; rm -rf /", "n": 3, "flag": None}
    assert expand(["wc", "-l", "{path}", "--n={n}", "{flag}"], args) == (
        "wc", "-l", "a b; rm -rf /", "--n=3",
    )  # fmt: skip


def test_exit_status_is_an_error(tmp_path: Path) -> None:
    finished = run_command(
        ["/bin/sh", "-c", "echo oops; exit 3"], cwd=str(tmp_path), env=ENV, timeout=5, cap=100
    )
    outcome = command_outcome(finished, 100, 5)
    assert outcome.is_error and outcome.content == "oops\n[exit status 3]"
