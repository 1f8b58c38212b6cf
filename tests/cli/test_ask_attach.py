"""`ask -a PATH`: each kind of attachment, and every local limit checked before any network I/O."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import (
    Result,
    cli_env,
    gif,
    jpeg,
    only_body,
    pdf,
    png,
    run_many,
    user_content,
    webp,
)

pytestmark = pytest.mark.slow

MB = 1024 * 1024


def test_every_kind_of_attachment_in_order_after_stdin(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    files = {
        "a.png": png(2, 3),
        "b.jpg": jpeg(4, 5),
        "c.gif": gif(6, 7),
        "d.webp": webp(8, 9),
        "report.pdf": pdf(3),
        "notes.md": b"# Notes\nline two\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    args = [a for name in files for a in ("-a", str(tmp_path / name))]
    result = ask(*args, "compare", "them", stdin=b"from stdin")
    assert result.rc == 0, result

    blocks = user_content(only_body(emulator))
    assert [b["type"] for b in blocks] == [
        "text", "image", "image", "image", "image", "document", "text", "text"
    ]  # fmt: skip
    assert blocks[0] == {"type": "text", "text": "from stdin"}
    media = [b["source"]["media_type"] for b in blocks[1:6]]
    assert media == ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]
    for block, name in zip(blocks[1:6], list(files)[:5], strict=True):
        assert base64.b64decode(block["source"]["data"]) == files[name]
    assert blocks[5]["title"] == "report.pdf"
    assert blocks[6]["text"] == '<file name="notes.md">\n# Notes\nline two\n</file>'
    assert blocks[7] == {"type": "text", "text": "compare them"}


def test_attach_dash_reads_image_bytes_from_stdin(ask: Ask, emulator: Emulator) -> None:
    data = png(5, 5)
    result = ask("-a", "-", "describe", stdin=data)
    assert result.rc == 0, result
    image, prompt = user_content(only_body(emulator))
    assert image["source"]["media_type"] == "image/png"
    assert base64.b64decode(image["source"]["data"]) == data
    assert prompt == {"type": "text", "text": "describe"}


@dataclass(frozen=True)
class Case:
    name: str
    args: list[str]
    rc: int
    says: str


def _many(tmp: Path, prefix: str, count: int, big: int | None = None) -> list[str]:
    """`-a` options for `count` small PNGs; with `big`, the last one is `big` px wide."""
    args = []
    for i in range(count):
        path = tmp / f"{prefix}{i:03}.png"
        path.write_bytes(png(big if big and i == count - 1 else 1, 1))
        args += ["-a", str(path)]
    return args


def _limit_cases(tmp: Path) -> list[Case]:
    def put(name: str, data: bytes) -> str:
        (tmp / name).write_bytes(data)
        return str(tmp / name)

    fifo = tmp / "pipe"
    os.mkfifo(fifo)
    (tmp / "adir").mkdir()
    sparse = tmp / "huge.txt"
    with sparse.open("wb") as handle:
        handle.truncate(33 * MB)
    text17 = b"a" * (17 * MB)
    huge_png = png(10, 10) + b"\x00" * (4 * MB)  # 4 MB raw = 5.4 MB as base64
    return [
        Case("side over 8000 px", ["-a", put("wide.png", png(8001, 10))], 3,
             "wide.png: image is 8001×10 px; the limit is 8000 px a side"),
        Case("image base64 over 5 MB", ["-a", put("heavy.png", huge_png)], 3,
             "the limit is 5 MB of base64"),
        Case("21 images, one over 2000 px", _many(tmp, "m", 21, big=2001), 3,
             "the limit is 2000 px a side when a request has more than 20 images "
             "(this one has 21)"),
        Case("101 images", _many(tmp, "n", 101), 3,
             "request has 101 images; the limit is 100 images per request"),
        Case("PDF over 100 pages", ["-a", put("long.pdf", pdf(101))], 3,
             "long.pdf: 101 pages; the limit is 100 pages per request"),
        Case("PDFs over 100 pages together",
             ["-a", put("p60.pdf", pdf(60)), "-a", put("p50.pdf", pdf(50))], 3,
             "have 110 pages in all"),
        Case("encrypted PDF", ["-a", put("locked.pdf", pdf(1, encrypted=True))], 3,
             "locked.pdf: encrypted PDFs are not supported"),
        Case("BMP image", ["-a", put("pic.bmp", b"BM" + bytes(60))], 3,
             "pic.bmp: BMP images are not supported"),
        Case("missing file", ["-a", str(tmp / "missing.png")], 3, "missing.png: no such file"),
        Case("directory", ["-a", str(tmp / "adir")], 3, "is a directory, not a regular file"),
        Case("FIFO", ["-a", str(fifo)], 3, "is a FIFO (named pipe), not a regular file"),
        Case("/dev/zero", ["-a", "/dev/zero"], 3,
             "/dev/zero: is a character device, not a regular file"),
        Case("file over 32 MB", ["-a", str(sparse)], 3,
             "huge.txt: file is 33 MB; the limit is 32 MB per request"),
        Case("request over 32 MB",
             ["-a", put("t1.txt", text17), "-a", put("t2.txt", text17)], 3,
             "the limit is 32 MB (largest part:"),
        Case("system file missing", ["--system-file", str(tmp / "nosys.txt")], 3,
             "nosys.txt: no such file"),
    ]  # fmt: skip


def test_limits_and_bad_files_fail_fast_without_any_request(
    emulator: Emulator, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    cases = _limit_cases(tmp_path)
    env = cli_env(emulator.url)
    results = run_many(
        [(["ask", *case.args, "look"], {"url": emulator.url, "env": env, "timeout": 15})
         for case in cases]
    )  # fmt: skip
    for case, result in zip(cases, results, strict=True):
        with subtests.test(case.name):
            _check_refused(case, result)
    assert emulator.requests == []  # every check ran before any network I/O


def _check_refused(case: Case, result: Result) -> None:
    assert result.rc == case.rc, result
    assert case.says in result.err, result
    assert len(result.err.splitlines()) == 1, result
    assert result.err.startswith("claudecli: error: "), result
    assert result.out == b"", result


def test_limit_boundaries_are_accepted(
    emulator: Emulator, tmp_path: Path, subtests: pytest.Subtests
) -> None:
    """Just inside each limit, the request is built (dry run: nothing is sent)."""
    (tmp_path / "ok.pdf").write_bytes(pdf(100))
    (tmp_path / "side.png").write_bytes(png(8000, 10))
    calls = {
        "20 images, one over 2000 px": _many(tmp_path, "b", 20, big=2001),
        "100 pages and 8000 px": ["-a", str(tmp_path / "ok.pdf"), "-a", str(tmp_path / "side.png")],
    }
    env = cli_env(emulator.url)
    results = run_many(
        [(["ask", "--dry-run", *args, "x"], {"url": emulator.url, "env": env})
         for args in calls.values()]
    )  # fmt: skip
    for name, result in zip(calls, results, strict=True):
        with subtests.test(name):
            assert result.rc == 0, result
            assert result.err == "", result
    assert emulator.requests == []
