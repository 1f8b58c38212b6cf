"""Running a command the model asked for: no shell, its own process group, a timeout that kills
the whole group, stdin closed (or the input as JSON), a capped output, a scrubbed environment.

Output (stdout and stderr together) is read as it comes: the first `cap` bytes are kept, the
rest is counted and dropped, so a chatty command can neither block on a full pipe nor fill the
memory. A Ctrl-C while a command runs kills its group before the KeyboardInterrupt goes on.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

SECRET_PREFIXES: Final = ("ANTHROPIC_", "CLAUDECLI_")
QUIET_ENV: Final = {"NO_COLOR": "1", "PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}
KILL_GRACE: Final = 2.0
CHUNK: Final = 65536


@dataclass(frozen=True)
class Finished:
    output: bytes  # the first `cap` bytes of stdout+stderr
    total: int  # bytes the command wrote in all
    returncode: int | None  # None: killed at the timeout
    timed_out: bool = False


class Processes:
    """The commands running now (tools may run in parallel): killed together on Ctrl-C."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen[bytes]] = set()

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            live = list(self._live)
        for proc in live:
            kill_group(proc)


def clean_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment without ANTHROPIC_*/CLAUDECLI_* (keys, endpoints), made non-interactive."""
    kept = {k: v for k, v in env.items() if not k.upper().startswith(SECRET_PREFIXES)}
    return {**kept, **QUIET_ENV}


def resolve_executable(argv0: str, env: Mapping[str, str], cwd: str) -> str | None:
    """The program a command would run: a bare name is looked up on PATH (the full path is what
    an approval prompt shows)."""
    if os.sep in argv0:
        path = os.path.join(cwd, argv0)
        return path if os.access(path, os.X_OK) and os.path.isfile(path) else None
    return shutil.which(argv0, path=env.get("PATH", os.defpath))


def run_command(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
    cap: int,
    stdin: bytes | None = None,
    processes: Processes | None = None,
) -> Finished:
    """Run `argv` (argv[0] already resolved) and collect its output; OSError if it cannot
    start. Always returns with the command's process group gone."""
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env=dict(env),
        start_new_session=True,
    )
    tracker = processes or Processes()
    tracker.add(proc)
    try:
        if stdin is not None:
            _feed(proc, stdin)
        return _collect(proc, time.monotonic() + timeout, cap)
    finally:
        if proc.poll() is None:
            kill_group(proc)
        tracker.discard(proc)
        if proc.stdout is not None:
            proc.stdout.close()


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    """Write stdin from a thread (a command may write output before it reads its input)."""

    def write() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(data)
        except OSError:
            pass  # it exited or closed stdin early: its output says what happened
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    threading.Thread(target=write, daemon=True).start()


def _collect(proc: subprocess.Popen[bytes], deadline: float, cap: int) -> Finished:
    assert proc.stdout is not None
    kept, total = bytearray(), 0
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            kill_group(proc)
            return Finished(bytes(kept), total, None, timed_out=True)
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if len(kept) < cap:
            kept += chunk[: cap - len(kept)]
    return _wait(proc, deadline, bytes(kept), total)


def _wait(proc: subprocess.Popen[bytes], deadline: float, kept: bytes, total: int) -> Finished:
    try:
        code = proc.wait(max(deadline - time.monotonic(), 0.0))
    except subprocess.TimeoutExpired:
        kill_group(proc)
        return Finished(kept, total, None, timed_out=True)
    return Finished(kept, total, code)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the command's process group, SIGKILL it after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(KILL_GRACE)
            if sig == signal.SIGTERM:
                _kill_stragglers(proc.pid)
            return
        except subprocess.TimeoutExpired:
            continue


def _kill_stragglers(pgid: int) -> None:
    """The leader exited on SIGTERM; children that ignored it still get SIGKILL."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
