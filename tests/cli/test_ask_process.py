"""`ask` as a process: SIGINT/SIGTERM mid-stream, a closed stdout (`| head`), and a real TTY."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli.helpers import (
    cli_env,
    command,
    interrupt,
    message_requests,
    start,
)

pytestmark = pytest.mark.slow

# Some text, then the server goes quiet for 20 s: the signal arrives while the stream is open.
STALLED = "#emu tokens=400 fault=stall after=8 seconds=20"


@pytest.mark.parametrize(
    ("sig", "rc", "line"),
    [
        (signal.SIGINT, 130, "claudecli: interrupted"),
        (signal.SIGTERM, 143, "claudecli: terminated"),
    ],
    ids=["SIGINT", "SIGTERM"],
)
def test_signal_mid_stream_keeps_the_partial_text(
    emulator: Emulator, sig: signal.Signals, rc: int, line: str
) -> None:
    proc = start(["ask", STALLED], url=emulator.url)
    result = interrupt(proc, sig)
    assert result.rc == rc, result
    assert result.seconds < 3, result  # it did not wait for the stalled stream (20 s)
    assert result.text.startswith("## Section 1"), result  # the partial answer stays
    assert len(result.out) < 500, result  # ... and only it: the stream was cut at the stall
    assert result.err.splitlines() == [line], result
    assert "Traceback" not in result.err


def test_sigint_before_any_output(emulator: Emulator) -> None:
    proc = start(["ask", "#emu delay=20"], url=emulator.url)
    try:
        _wait_for(lambda: bool(message_requests(emulator)), timeout=15)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert out == b""
    assert err.decode().splitlines() == ["claudecli: interrupted"]


def test_closed_stdout_pipe_ends_quietly_with_0(emulator: Emulator, tmp_path: Path) -> None:
    err_file, status_file = tmp_path / "stderr", tmp_path / "status"
    # 160 KB: more than a pipe buffer (64 KiB) holds, so the write that follows `head`'s exit
    # must fail (with 8,192 tokens the whole answer fit in the pipe, and a loaded machine let
    # claudecli finish before `head` exited, adding the max_tokens note on stderr).
    cli = shlex.join([*command(), "ask", "--max-tokens", "50000", "#emu tokens=40000"])
    script = f'{cli} 2>{err_file} | head -c 5; echo "${{PIPESTATUS[0]}}" >{status_file}'
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        capture_output=True,
        env=cli_env(emulator.url),
        timeout=30,
        check=False,
    )
    assert done.stdout == b"## Se"
    err = err_file.read_text()
    assert "Traceback" not in err
    assert "Broken pipe" not in err and "BrokenPipeError" not in err
    assert err == "", err
    assert status_file.read_text().strip() == "0"
    assert done.returncode == 0  # so `set -o pipefail` scripts are not failed by `| head`


# --- a real terminal (tmux) -----------------------------------------------------------------

PROMPT = "READY$"


@pytest.fixture
def tmux(tmp_path: Path, emulator: Emulator) -> Iterator[list[str]]:
    """A private tmux server (its own socket) with an 80x24 bash pane; killed afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install -y tmux)")
    base = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    shell = f"env PS1='{PROMPT} ' bash --norc --noprofile"
    session = ["new-session", "-d", "-s", "ask", "-x", "80", "-y", "24", "-c", str(tmp_path)]
    subprocess.run(
        [*base, *session, shell],
        env=cli_env(emulator.url),
        check=True,
        timeout=10,
    )
    try:
        yield base
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, timeout=10, check=False)


def _pane(base: list[str]) -> str:
    done = subprocess.run(
        [*base, "capture-pane", "-t", "ask", "-p", "-J", "-S", "-200"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    return done.stdout


def _wait_for(ready: Callable[[], bool], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.1)


def _type_ask(tmux: list[str], folder: Path, prompt: str) -> None:
    """Type `./run; echo "status:$?"` where `run` echoes BEGIN, then execs `claudecli ask`.

    The command lives in a script so that the typed line stays short: a long venv path would
    wrap (or scroll sideways under a dumb TERM) in 80 columns.
    """
    script = folder / "run"
    script.write_text(f"#!/bin/sh\necho {BEGIN}\nexec {shlex.join([*command(), 'ask', prompt])}\n")
    script.chmod(0o755)
    _wait_for(lambda: PROMPT in _pane(tmux), timeout=10)
    subprocess.run(
        [*tmux, "send-keys", "-t", "ask", './run; echo "status:$?"', "Enter"],
        check=True,
        timeout=10,
    )


def test_tty_run_renders_markdown_and_gives_the_prompt_back(
    tmux: list[str], tmp_path: Path
) -> None:
    _type_ask(tmux, tmp_path, "#emu tokens=300")
    _wait_for(lambda: STATUS.search(_pane(tmux)) is not None, timeout=20)
    _wait_for(lambda: _pane(tmux).rstrip().endswith(PROMPT), timeout=5)
    screen = _pane(tmux)
    status = STATUS.search(screen)
    begin = re.search(rf"^{BEGIN} *$", screen, re.MULTILINE)
    assert status is not None and status.group(1) == "0", screen
    assert begin is not None, screen
    lines = [line.rstrip() for line in screen[begin.end() : status.start()].splitlines()]
    assert "Section 1" in lines, screen  # a heading, drawn without its `##`
    assert not any(line.lstrip().startswith("#") for line in lines), screen
    assert any(line.lstrip().startswith("•") for line in lines), screen  # bullet glyphs
    assert not any("**" in line or "`" in line for line in lines), screen  # inline markup drawn
    assert screen.rstrip().splitlines()[-1] == PROMPT, screen  # the shell prompt is back


def test_tty_pause_mid_answer_shows_everything_received(tmux: list[str], tmp_path: Path) -> None:
    # 20 deltas arrive in one burst, then the server pauses before closing the block: the
    # screen must catch up with the whole paragraph during the pause, not at the next event.
    words = " ".join(f"word{i:03d}" for i in range(60))
    _type_ask(tmux, tmp_path, f'#emu text="{words}" fault=stall after=23 seconds=6')
    _wait_for(lambda: "word000" in _pane(tmux), timeout=10)
    _wait_for(lambda: "word059" in _pane(tmux), timeout=3)  # well inside the 6 s pause
    assert STATUS.search(_pane(tmux)) is None  # ... which is still going on
    _wait_for(lambda: STATUS.search(_pane(tmux)) is not None, timeout=20)
    assert _pane(tmux).count("word059") == 1


BEGIN = "BEGIN-ASK"
STATUS = re.compile(r"^status:(\d+) *$", re.MULTILINE)


@pytest.mark.parametrize("columns", [50, 120], ids=["narrowing", "widening"])
def test_tty_resize_mid_answer_leaves_no_duplicated_line(
    tmux: list[str], tmp_path: Path, columns: int
) -> None:
    # The server pauses with a paragraph open (in the live region, rows up to 80 wide); the
    # window is resized meanwhile. tmux re-wraps the region's old rows at the new width: the
    # redraw must erase all of them, so the scrollback shows each word once. The screen is
    # full first, as in a session that has been going on: tmux keeps the cursor's row when it
    # re-wraps, so a region that grows by more rows than there are above it has its top rows
    # pushed into tmux's history, beyond the reach of any erase (a known limit).
    words = " ".join(f"word{i:03d}" for i in range(120))
    subprocess.run([*tmux, "send-keys", "-t", "ask", "seq 30", "Enter"], check=True, timeout=10)
    _wait_for(lambda: "\n30\n" in _pane(tmux), timeout=10)
    _type_ask(tmux, tmp_path, f'#emu text="{words}" fault=stall after=40 seconds=3')
    _wait_for(lambda: "word030" in _pane(tmux), timeout=10)
    subprocess.run(
        [*tmux, "resize-window", "-t", "ask", "-x", str(columns), "-y", "24"],
        check=True,
        timeout=10,
    )
    _wait_for(lambda: STATUS.search(_pane(tmux)) is not None, timeout=20)
    screen = _pane(tmux)
    status = STATUS.search(screen)
    begin = re.search(rf"^{BEGIN} *$", screen, re.MULTILINE)
    assert status is not None and status.group(1) == "0" and begin is not None, screen
    answer = screen[begin.end() : status.start()]
    assert answer.count("word000") == 1 and answer.count("word119") == 1, screen
    lines = [line.strip() for line in answer.splitlines() if "word" in line]
    assert len(lines) == len(set(lines)), screen  # no row drawn twice
    assert " ".join(lines).split() == words.split(), screen  # nothing torn or lost
