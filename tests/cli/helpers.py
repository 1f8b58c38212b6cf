"""Drive the installed `claudecli` binary in subprocesses, and build tiny media files by hand."""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claudecli.emulator import Emulator
from tests.request import media

KEY = "sk-ant-test-SECRETKEY-9f3e"
TIMEOUT = 20.0
ESC = b"\x1b"


def command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m claudecli`."""
    found = shutil.which("claudecli", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "claudecli"]


def cli_env(url: str | None, *, key: str | None = KEY, **extra: str) -> dict[str, str]:
    """os.environ (already hermetic: see tests/conftest.py) plus the emulator URL and a key."""
    env = dict(os.environ)
    if url is not None:
        env["ANTHROPIC_BASE_URL"] = url
    if key is not None:
        env["ANTHROPIC_API_KEY"] = key
    env.update(extra)
    return env


@dataclass(frozen=True)
class Result:
    rc: int
    out: bytes
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out.decode("utf-8")

    def __str__(self) -> str:  # shown by pytest when an assertion on it fails
        return f"rc={self.rc} ({self.seconds:.2f} s)\nstdout={self.out!r}\nstderr={self.err!r}"


def run(
    args: Sequence[str],
    *,
    url: str | None,
    stdin: bytes | int = b"",
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> Result:
    """Run `claudecli ARGS`; `stdin` is bytes to pipe in (b"": an empty pipe), or a file
    descriptor such as a pty's terminal end."""
    environ = dict(env) if env is not None else cli_env(url)
    started = time.monotonic()
    done = subprocess.run(
        [*command(), *args],
        input=stdin if isinstance(stdin, bytes) else None,
        stdin=None if isinstance(stdin, bytes) else stdin,
        capture_output=True,
        env=environ,
        timeout=timeout,
        check=False,
    )
    elapsed = time.monotonic() - started
    return Result(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"), elapsed)


def run_many(calls: Sequence[tuple[Sequence[str], dict[str, Any]]]) -> list[Result]:
    """Several independent runs at once (each process spends most of its time importing)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(run, args, **kwargs) for args, kwargs in calls]
        return [future.result() for future in futures]


Popen = subprocess.Popen[bytes]


def start(args: Sequence[str], *, url: str, env: Mapping[str, str] | None = None) -> Popen:
    """Start `claudecli ARGS` with stdin from /dev/null and both outputs piped."""
    return subprocess.Popen(
        [*command(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else cli_env(url),
    )


def read_until_output(proc: Popen, *, minimum: int = 1, timeout: float = 15.0) -> bytes:
    """Read stdout until at least `minimum` bytes arrived (the stream is visibly under way)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    got = b""
    deadline = time.monotonic() + timeout
    while len(got) < minimum:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no output within {timeout} s (got {got!r})")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError(f"stdout closed early after {got!r}")
            got += chunk
    return got


def interrupt(proc: Popen, sig: signal.Signals, *, timeout: float = 10.0) -> Result:
    """Send `sig` once output has started; collect the rest of the output and the status.

    `Result.seconds` is the time from the signal to the exit.
    """
    try:
        first = read_until_output(proc)
        started = time.monotonic()
        proc.send_signal(sig)
        rest, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running {timeout} s after {sig.name}") from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    elapsed = time.monotonic() - started
    return Result(proc.returncode, first + rest, err.decode("utf-8", "replace"), elapsed)


def message_requests(emulator: Emulator) -> list[dict[str, Any]]:
    """Recorded `POST /v1/messages` requests (not count_tokens, models, …)."""
    return [
        r
        for r in emulator.requests
        if r["method"] == "POST" and str(r["path"]).split("?")[0].endswith("/v1/messages")
    ]


def only_body(emulator: Emulator) -> dict[str, Any]:
    [request] = message_requests(emulator)
    body: dict[str, Any] = request["body"]
    return body


def user_content(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The blocks of the (single) user turn."""
    user = [m for m in body["messages"] if m["role"] == "user"]
    assert len(user) == 1, body["messages"]
    content = user[0]["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("claudecli: error:")]


def assert_one_error_line(result: Result, *, request_id: bool) -> str:
    """stderr holds exactly one `claudecli: error:` line, nothing else error-like, no traceback."""
    assert "Traceback" not in result.err, result
    lines = error_lines(result.err)
    assert len(lines) == 1, result
    others = [
        line
        for line in result.err.splitlines()
        if line.strip() and line not in lines and "retrying" not in line
    ]
    assert others == [], result
    if request_id:
        assert "(request-id req_emu_" in lines[0], result
    return lines[0]


# --- tiny media, built byte by byte (no Pillow) ----------------------------------------------


def png(width: int = 1, height: int = 1) -> bytes:
    return media.png(width, height, pixels=width * height <= 4096)


def jpeg(width: int = 2, height: int = 2) -> bytes:
    return media.jpeg(width, height)


def gif(width: int = 1, height: int = 1) -> bytes:
    return media.gif(width, height)


def webp(width: int = 1, height: int = 1) -> bytes:
    return media.webp_lossy(width, height)


def pdf(pages: int = 1, *, encrypted: bool = False) -> bytes:
    return media.pdf(pages, encrypt=encrypted)
