"""Drive the installed `claudecli` binary in subprocesses, and build tiny media files by hand."""

from __future__ import annotations

import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claudecli.emulator import Emulator

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
    """A decodable 8-bit greyscale PNG of `width`×`height` (pixels only for small sizes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunks = _chunk(b"IHDR", header)
    if width * height <= 4096:
        rows = b"".join(b"\x00" + b"\x7f" * width for _ in range(height))
        chunks += _chunk(b"IDAT", zlib.compress(rows))
    return b"\x89PNG\r\n\x1a\n" + chunks + _chunk(b"IEND", b"")


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def jpeg(width: int = 2, height: int = 2) -> bytes:
    """A baseline JPEG header (SOI, APP0, SOF0 with the size, EOI): enough to be measured."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    app0 = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    sof0 = segment(0xC0, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00")
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def gif(width: int = 1, height: int = 1) -> bytes:
    """A GIF89a with a one-pixel frame on a `width`×`height` logical screen."""
    palette = b"\x00" * 3 + b"\xff" * 3
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + palette
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame + b"\x3b"


def webp(width: int = 1, height: int = 1) -> bytes:
    """A lossless ('VP8L') WEBP header with the size in 14-bit fields."""
    bits = (width - 1) | ((height - 1) << 14)
    payload = b"\x2f" + bits.to_bytes(4, "little") + bytes(4)
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf(pages: int = 1, *, encrypted: bool = False) -> bytes:
    """A small valid PDF 1.4 (catalog, page tree, `pages` blank pages, exact xref table).

    `encrypted` adds a standard-security-handler /Encrypt dictionary to the trailer.
    """
    kids = " ".join(f"{i + 3} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"] * pages
    if encrypted:
        owner = "<" + "5a" * 32 + ">"
        objects.append(f"<< /Filter /Standard /V 1 /R 2 /O {owner} /U {owner} /P -44 >>".encode())
    out = bytearray(b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = f"/Size {len(objects) + 1} /Root 1 0 R"
    if encrypted:
        doc_id = "<0123456789abcdef0123456789abcdef>"
        trailer += f" /Encrypt {len(objects)} 0 R /ID [{doc_id} {doc_id}]"
    out += f"trailer\n<< {trailer} >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)
