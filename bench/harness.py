"""Measurement plumbing for bench/run.py: measured child processes, the emulator process, SSE files.

Everything here is standard library only and talks to 127.0.0.1 only.

* `spawn()` runs one command in a fresh process, forked by bench/launcher.py (so that the bench's
  own memory never shows up in the child's `ru_maxrss`), and returns the child's wall time (fork to
  reap), CPU time (user + sys of that child only, from `os.wait4`) and peak RSS (`ru_maxrss`; the
  launcher's ~9 MB is the floor). stdout goes to /dev/null, to a drained pipe, or to a
  pseudo-terminal (stdin/stdout/stderr are the slave side and the child's controlling terminal,
  as with `pty.fork()`; the window size is set before `exec`; the master side is drained here).
* `EmulatorProcess` runs `python -m claudecli.emulator --port 0` in its OWN process (its CPU is
  never counted in a measured child) and stops it in `stop()` (use it as a context manager).
* `rechunk_sse()` rewrites a recorded stream so that every `text_delta` carries `piece` characters
  (4 characters = 1 emulator token), the way the real API streams a long answer (the emulator's
  `chunk_bytes` directive replays it in bigger HTTP chunks of whole events).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import http.client
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any, Literal

__all__ = [
    "API_KEY",
    "MODEL",
    "BenchError",
    "EmulatorProcess",
    "Sample",
    "Stats",
    "child_env",
    "rechunk_sse",
    "spawn",
    "summarize",
]

API_KEY = "sk-ant-bench-emulator"  # the emulator accepts any non-empty key
MODEL = "claude-sonnet-5-5"
Output = Literal["devnull", "pipe", "pty"]


class BenchError(RuntimeError):
    """Something the bench needs is missing or misbehaved: printed as one clear line."""


# -- measured child processes ---------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    user: float
    sys: float
    maxrss_kb: int
    returncode: int
    stdout: bytes = b""
    stderr: bytes = b""
    out_bytes: int = 0

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    def check(self, what: str) -> Sample:
        if self.returncode != 0:
            tail = (self.stderr or self.stdout)[-600:].decode(errors="replace").strip()
            raise BenchError(f"{what}: exit status {self.returncode}: {tail}")
        return self


LAUNCHER = Path(__file__).resolve().parent / "launcher.py"


def _drain_fd(fd: int, sink: list[bytes], keep: int | None) -> None:
    """Read fd to EOF (or EIO: a pty whose slave side is closed); keep at most `keep` bytes."""
    total = 0
    try:
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError as exc:
                if exc.errno == errno.EIO:
                    break
                raise
            if not data:
                break
            total += len(data)
            if keep is None or sum(map(len, sink)) < keep:
                sink.append(data)
    finally:
        os.close(fd)
        sink.append(str(total).encode())  # the last item is the byte count


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    output: Output = "devnull",
    winsize: tuple[int, int] = (120, 40),
    timeout: float = 600.0,
    keep_output: bool = False,
    python: str = sys.executable,
) -> Sample:
    """Run argv once in a fresh process (forked by bench/launcher.py); measure it.

    output: "devnull" (stdout to /dev/null, stderr to a pipe), "pipe" (both to drained pipes),
    "pty" (stdin/stdout/stderr a pseudo-terminal of `winsize` columns x rows, its controlling
    terminal; the master side is drained here).
    """
    cols, rows = winsize
    result_r, result_w = os.pipe()
    to_close: list[int] = [result_w]
    readers: list[tuple[threading.Thread, list[bytes]]] = []
    keep = None if keep_output else 4000

    def reader(fd: int) -> None:
        sink: list[bytes] = []
        thread = threading.Thread(target=_drain_fd, args=(fd, sink, keep), daemon=True)
        readers.append((thread, sink))

    devnull_in = os.open(os.devnull, os.O_RDONLY)
    to_close.append(devnull_in)
    if output == "pty":
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        to_close.append(slave)
        fds = (slave, slave, slave)
        reader(master)
    else:
        if output == "pipe":
            out_r, out_w = os.pipe()
            to_close.append(out_w)
            reader(out_r)
        else:
            out_w = os.open(os.devnull, os.O_WRONLY)
            to_close.append(out_w)
        err_r, err_w = os.pipe()
        to_close.append(err_w)
        reader(err_r)
        fds = (devnull_in, out_w, err_w)
    mode = "pty" if output == "pty" else "plain"
    try:
        launcher = subprocess.Popen(
            [python, "-S", "-I", str(LAUNCHER), str(result_w), mode, *argv],
            env=dict(env),
            stdin=fds[0],
            stdout=fds[1],
            stderr=fds[2],
            pass_fds=(result_w,),
        )
    finally:
        for fd in to_close:
            os.close(fd)
    for thread, _ in readers:
        thread.start()
    with os.fdopen(result_r, "rb") as results:
        first = results.readline()
        killer = None
        if first.strip().isdigit():
            killer = threading.Timer(timeout, _kill, args=(int(first),))
            killer.start()
        rest = results.read()
        if killer:
            killer.cancel()
    launcher.wait()
    for thread, _ in readers:
        thread.join()
    fields = rest.split()
    if launcher.returncode != 0 or len(fields) != 5:
        raise BenchError(f"launcher failed for {argv[0]} (status {launcher.returncode})")
    status, utime, stime, maxrss, wall = fields
    outputs = [b"".join(sink[:-1]) for _, sink in readers]
    counts = [int(sink[-1]) for _, sink in readers]
    if output == "pty":
        stdout, stderr, out_bytes = outputs[0], outputs[0][-2000:], counts[0]
    elif output == "pipe":
        stdout, stderr, out_bytes = outputs[0], outputs[1], counts[0]
    else:
        stdout, stderr, out_bytes = b"", outputs[0], 0
    return Sample(
        wall=float(wall),
        user=float(utime),
        sys=float(stime),
        maxrss_kb=int(maxrss),
        returncode=os.waitstatus_to_exitcode(int(status)),
        stdout=stdout,
        stderr=stderr,
        out_bytes=out_bytes,
    )


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@dataclass
class Stats:
    """Medians over runs (the samples are kept for --json)."""

    runs: int
    cpu: float
    wall: float
    wall_min: float
    rss_mb: float
    rss_mb_max: float
    out_bytes: int
    samples: list[dict[str, float]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "cpu_s": round(self.cpu, 4),
            "wall_s": round(self.wall, 4),
            "wall_min_s": round(self.wall_min, 4),
            "peak_rss_mb": round(self.rss_mb, 2),
            "peak_rss_mb_max": round(self.rss_mb_max, 2),
            "out_bytes": self.out_bytes,
            "samples": self.samples,
            **({"extra": self.extra} if self.extra else {}),
        }


def summarize(samples: Sequence[Sample], **extra: Any) -> Stats:
    rss = [s.maxrss_kb / 1024 for s in samples]
    return Stats(
        runs=len(samples),
        cpu=median(s.cpu for s in samples),
        wall=median(s.wall for s in samples),
        wall_min=min(s.wall for s in samples),
        rss_mb=median(rss),
        rss_mb_max=max(rss),
        out_bytes=int(median(s.out_bytes for s in samples)),
        samples=[
            {
                "cpu_s": round(s.cpu, 4),
                "user_s": round(s.user, 4),
                "sys_s": round(s.sys, 4),
                "wall_s": round(s.wall, 4),
                "peak_rss_mb": round(s.maxrss_kb / 1024, 2),
            }
            for s in samples
        ],
        extra=dict(extra),
    )


_DROP_ENV_PREFIXES = ("ANTHROPIC_", "CLAUDECLI_", "LLM_")
_DROP_ENV = {
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONTRACEMALLOC",
    "PYTHONDEVMODE",
    "PYTHONWARNINGS",
    "PYTHONSTARTUP",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
}


def child_env(
    *,
    base_url: str,
    home: Path,
    pycache: Path | None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A clean, loopback-only environment: no user config, no proxies, no colour overrides.

    `pycache`: a bytecode cache directory (warm after the first run, like an installed package);
    None keeps whatever the caller's PYTHONDONTWRITEBYTECODE says (every start compiles).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _DROP_ENV and not k.startswith(_DROP_ENV_PREFIXES)
    }
    if pycache is None:
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            env["PYTHONDONTWRITEBYTECODE"] = os.environ["PYTHONDONTWRITEBYTECODE"]
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(
        {
            "ANTHROPIC_BASE_URL": base_url,
            "ANTHROPIC_API_KEY": API_KEY,
            "CLAUDECLI_HOME": str(home / "claudecli"),
            "LLM_USER_PATH": str(home / "llm"),
            "HOME": str(home),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "TERM": "xterm-256color",
            "LANG": os.environ.get("LANG", "C.UTF-8") or "C.UTF-8",
        }
    )
    for sub in ("claudecli", "llm"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    if extra:
        env.update(extra)
    return env


# -- the emulator, in its own process -------------------------------------------------------


class EmulatorProcess:
    """`python -m claudecli.emulator --port 0` in a separate process (a free loopback port)."""

    def __init__(self, python: str, *, env: Mapping[str, str], cwd: Path) -> None:
        self._python = python
        self._env = dict(env)
        self._cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def __enter__(self) -> EmulatorProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 20.0) -> None:
        self._proc = subprocess.Popen(
            [self._python, "-m", "claudecli.emulator", "--port", "0"],
            cwd=self._cwd,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        line = self._proc.stdout.readline().decode().strip() if ready else ""
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise BenchError(
                f"the emulator did not print its URL within {timeout:g} s (got {line!r}); "
                f"try: {self._python} -m claudecli.emulator --port 0"
            )
        self.url = line.rstrip("/")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stdout:
            proc.stdout.close()

    # control endpoint and plain HTTP, standard library only ---------------------------------
    def _conn(self) -> http.client.HTTPConnection:
        parts = urllib.parse.urlsplit(self.url)
        return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)

    def _post(self, path: str, body: Any, headers: Mapping[str, str] | None = None) -> bytes:
        conn = self._conn()
        try:
            prefix = urllib.parse.urlsplit(self.url).path
            data = json.dumps(body).encode()
            hdrs = {"content-type": "application/json", **(headers or {})}
            conn.request("POST", prefix + path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            if resp.status != 200:
                raise BenchError(f"emulator POST {path}: {resp.status} {payload[:300]!r}")
            return payload
        finally:
            conn.close()

    def enqueue(self, item: Mapping[str, Any]) -> None:
        self._post("/_emulator/enqueue", dict(item))

    def reset(self) -> None:
        self._post("/_emulator/reset", {})

    def record_stream(self, body: Mapping[str, Any]) -> bytes:
        """The raw SSE body of one streamed `POST /v1/messages` (chunked framing removed)."""
        headers = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
        return self._post("/v1/messages", {**body, "stream": True}, headers)


# -- SSE files --------------------------------------------------------------------------------


def _events(raw: bytes) -> list[tuple[str, bytes]]:
    events: list[tuple[str, bytes]] = []
    for block in raw.replace(b"\n\r\n", b"\n\n").split(b"\n\n"):
        if not block.strip():
            continue
        name, data = "", b""
        for line in block.split(b"\n"):
            if line.startswith(b"event:"):
                name = line[6:].strip().decode()
            elif line.startswith(b"data:"):
                data = line[5:].strip()
        events.append((name, data))
    return events


def _encode(name: str, payload: Mapping[str, Any]) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def rechunk_sse(raw: bytes, piece: int) -> tuple[bytes, dict[str, int]]:
    """Re-split every text block's deltas into `piece`-character deltas; other events verbatim.

    Returns the new SSE body and counts: events, text_deltas, text_chars, output_tokens.
    """
    out: list[bytes] = []
    pending: list[str] = []
    pending_index = -1
    counts = {"events": 0, "text_deltas": 0, "text_chars": 0, "output_tokens": 0}

    def flush() -> None:
        text = "".join(pending)
        pending.clear()
        for i in range(0, len(text), piece):
            delta = {"type": "text_delta", "text": text[i : i + piece]}
            out.append(
                _encode(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": pending_index, "delta": delta},
                )
            )
            counts["events"] += 1
            counts["text_deltas"] += 1
        counts["text_chars"] += len(text)

    for name, data in _events(raw):
        payload = json.loads(data) if data else {}
        delta = payload.get("delta") if isinstance(payload, dict) else None
        is_text = name == "content_block_delta" and (delta or {}).get("type") == "text_delta"
        if is_text and (not pending or payload["index"] == pending_index):
            pending_index = payload["index"]
            pending.append(delta["text"])  # type: ignore[index]
            continue
        if pending:
            flush()
        if is_text:
            pending_index = payload["index"]
            pending.append(delta["text"])  # type: ignore[index]
            continue
        if name == "message_delta":
            counts["output_tokens"] = int(payload.get("usage", {}).get("output_tokens", 0))
        out.append(b"event: " + name.encode() + b"\ndata: " + data + b"\n\n")
        counts["events"] += 1
    if pending:
        flush()
    return b"".join(out), counts


def count_text(raw: bytes) -> dict[str, int]:
    """Counts for a recorded stream as it is (no re-chunking)."""
    counts = {"events": 0, "text_deltas": 0, "text_chars": 0, "output_tokens": 0}
    for name, data in _events(raw):
        counts["events"] += 1
        if name == "content_block_delta":
            delta = json.loads(data).get("delta", {})
            if delta.get("type") == "text_delta":
                counts["text_deltas"] += 1
                counts["text_chars"] += len(delta["text"])
        elif name == "message_delta":
            counts["output_tokens"] = int(json.loads(data).get("usage", {}).get("output_tokens", 0))
    return counts


def which_or_none(path: str | None) -> str | None:
    if path and os.access(path, os.X_OK):
        return path
    return None


def load_avg() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def fail(message: str) -> None:
    print(f"bench: error: {message}", file=sys.stderr)
