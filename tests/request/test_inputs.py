"""Attachments from paths and stdin: sniffing, safety checks, one-line errors naming the file."""

from __future__ import annotations

import io
import os
import socket
from pathlib import Path
from typing import IO, Any

import pytest

from claudecli.errors import InputError, UsageError
from claudecli.request.inputs import (
    attachment_from_bytes,
    load_attachment,
    load_schema,
    read_regular_file,
    read_stdin,
    read_text_file,
)
from tests.request import media


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("data", "kind", "media_type"),
    [
        (media.png(4, 3), "image", "image/png"),
        (media.jpeg(4, 3), "image", "image/jpeg"),
        (media.gif(4, 3), "image", "image/gif"),
        (media.webp_lossless(4, 3), "image", "image/webp"),
        (media.pdf(3), "pdf", "application/pdf"),
        (b"# notes\n", "text", "text/plain"),
    ],
)
def test_load_attachment_by_magic_not_extension(
    tmp_path: Path, data: bytes, kind: str, media_type: str
) -> None:
    path = _write(tmp_path, "misleading.txt", data)  # the extension is ignored
    attachment = load_attachment(path)
    assert (attachment.kind, attachment.media_type) == (kind, media_type)
    assert attachment.name == "misleading.txt"
    assert attachment.label == path
    assert attachment.data == data
    assert attachment.size == len(data)
    if kind == "image":
        assert (attachment.width, attachment.height) == (4, 3)
    if kind == "pdf":
        assert attachment.pages == 3


def test_attachment_base64_size() -> None:
    sizes = [attachment_from_bytes(b"x" * n, label="t").base64_size for n in (0, 1, 2, 3, 4)]
    assert sizes == [0, 4, 4, 4, 8]


def test_load_attachment_expands_home_and_resolves_symlinks(
    hermetic_env: Path, tmp_path: Path
) -> None:
    target = Path(_write(tmp_path, "real.md", b"hello"))
    (hermetic_env / "link.md").symlink_to(target)
    attachment = load_attachment("~/link.md")
    assert attachment.label == "~/link.md"
    assert attachment.name == "link.md"
    assert attachment.path == str(target.resolve())
    assert attachment.text == "hello"


def test_dash_means_stdin_bytes_from_the_caller() -> None:
    attachment = load_attachment("-", stdin=media.pdf(1))
    assert (attachment.name, attachment.label, attachment.kind) == ("stdin", "stdin", "pdf")
    assert attachment.path is None


def test_dash_without_stdin_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^--attach -: stdin is empty or not available"):
        load_attachment("-")


def test_dash_with_empty_stdin_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"^--attach -: stdin is empty"):
        load_attachment("-", stdin=b"")


@pytest.mark.parametrize("name", ["empty.txt", "empty.png", "empty.pdf"])
def test_empty_file_is_refused_naming_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(InputError, match=rf"^{path}: the file is empty \(0 bytes\)"):
        load_attachment(str(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^missing\.png: no such file$"):
        load_attachment("missing.png")


def test_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=rf"^{tmp_path}: is a directory, not a regular file$"):
        load_attachment(str(tmp_path))


@pytest.mark.timeout(10)
def test_fifo_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # no writer: any blocking open or read would hang here
    with pytest.raises(InputError, match=r"pipe: is a FIFO \(named pipe\), not a regular file$"):
        load_attachment(str(fifo))


@pytest.mark.timeout(10)
def test_fifo_swapped_in_after_stat_is_caught_on_the_descriptor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    regular = Path(_write(tmp_path, "innocent.txt", b"hi"))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, flags, *a: real_open(str(fifo), flags, *a))
    with pytest.raises(InputError, match=r"innocent\.txt: is a FIFO \(named pipe\)"):
        read_regular_file(str(regular))


@pytest.mark.timeout(10)
def test_device_refused_without_reading() -> None:
    with pytest.raises(InputError, match=r"^/dev/zero: is a character device, not a regular file$"):
        load_attachment("/dev/zero")


def test_socket_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InputError, match=r"sock: is a socket, not a regular file$"):
            load_attachment(str(path))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(_write(tmp_path, "secret.txt", b"x"))

    def denied(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)  # chmod 0 does not stop root, who runs CI
    with pytest.raises(InputError, match=r"secret\.txt: permission denied$"):
        load_attachment(str(path))


class _NoReadHandle:
    """Wraps a file object; any read fails as a dying disk would."""

    def __init__(self, handle: IO[Any]) -> None:
        self._handle = handle

    def __enter__(self) -> _NoReadHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def fileno(self) -> int:
        return self._handle.fileno()

    def read(self, size: int = -1) -> bytes:
        raise OSError(5, "Input/output error")


def test_file_over_the_request_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.bin"
    with path.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)  # sparse: nothing is written
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: _NoReadHandle(real_fdopen(fd, mode)))
    with pytest.raises(
        InputError, match=r"huge\.bin: file is 40 MB; the limit is 32 MB per request$"
    ):
        load_attachment(str(path))


def test_read_error_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "bad-sector.txt", b"x")
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: _NoReadHandle(real_fdopen(fd, mode)))
    with pytest.raises(InputError, match=r"bad-sector\.txt: cannot read \(Input/output error\)$"):
        load_attachment(path)


class _Trickle(io.RawIOBase):
    """A raw stream that hands out 3 bytes per read, like a slow pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk, self._data = self._data[:3], self._data[3:]
        return chunk


def test_read_stdin_collects_short_reads() -> None:
    assert read_stdin(_Trickle(b"0123456789"), limit=10) == b"0123456789"  # type: ignore[arg-type]
    with pytest.raises(InputError):
        read_stdin(_Trickle(b"0123456789"), limit=9)  # type: ignore[arg-type]


class _Terminal(io.RawIOBase):
    """A terminal in canonical mode: each read returns one typed line; Ctrl-D on an empty line
    is a zero-length read, and the user may go on typing after it."""

    def __init__(self, *reads: bytes) -> None:
        self._reads = list(reads)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._reads.pop(0) if self._reads else b"NEVER-REACHED"
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_one_ctrl_d_ends_terminal_input() -> None:
    terminal = io.BufferedReader(_Terminal(b"first line\n", b"second\n", b"", b"typed later"))
    assert read_stdin(terminal) == b"first line\nsecond\n"


def test_read_regular_file_limit(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.txt", b"x" * 11)
    assert read_regular_file(path, limit=11) == b"x" * 11
    with pytest.raises(InputError, match=r"f\.txt: file is 0\.1 MB; the limit is 0\.1 MB"):
        read_regular_file(path, limit=10)


def test_binary_file_message_names_file_and_offset(tmp_path: Path) -> None:
    path = _write(tmp_path, "data.bin", b"ab\xff\xfe")
    with pytest.raises(InputError) as caught:
        load_attachment(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: binary file (not UTF-8 text, PDF or image)")
    assert "invalid UTF-8 at byte 2" in message
    assert "\n" not in message


def test_unsupported_image_format_names_the_supported_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, "photo.bmp", b"BM\x36\x00\x00\x00\x00\x00\xff\xfe")
    with pytest.raises(
        InputError,
        match=r"photo\.bmp: BMP images are not supported \(supported: jpeg, png, gif, webp",
    ):
        load_attachment(path)


def test_binary_stdin_message() -> None:
    with pytest.raises(
        InputError, match=r"^stdin is binary \(not UTF-8, PDF or image\): invalid UTF-8 at byte 0$"
    ):
        attachment_from_bytes(b"\x80\x81", label="stdin")


def test_corrupt_image_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "cut.jpg", media.jpeg()[:30])
    with pytest.raises(
        InputError, match=r"cut\.jpg: cannot read the image size \(truncated or corrupt JPEG\)$"
    ):
        load_attachment(path)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "report.pdf", media.pdf(1, encrypt=True))
    with pytest.raises(InputError, match=r"report\.pdf: encrypted PDFs are not supported$"):
        load_attachment(path)


def test_read_stdin_is_bounded() -> None:
    assert read_stdin(io.BytesIO(b"abc"), limit=3) == b"abc"
    stream = io.BytesIO(b"x" * 100)
    with pytest.raises(
        InputError, match=r"^stdin is more than 0\.1 MB; the limit is 0\.1 MB per request$"
    ):
        read_stdin(stream, limit=10)
    assert stream.tell() == 11  # read one byte past the limit, no more


def test_read_text_file(tmp_path: Path) -> None:
    assert read_text_file(_write(tmp_path, "sys.md", b"\xef\xbb\xbfBe brief.")) == "Be brief."
    bad = _write(tmp_path, "latin1.txt", b"caf\xe9")
    with pytest.raises(
        InputError, match=r"latin1\.txt: not a UTF-8 text file \(invalid UTF-8 at byte 3\)$"
    ):
        read_text_file(bad)


def test_load_schema(tmp_path: Path) -> None:
    path = _write(tmp_path, "s.json", b'{"type": "object", "properties": {}}')
    assert load_schema(path) == {"type": "object", "properties": {}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"type": }', r"s\.json:1:10: invalid JSON \(Expecting value\)$"),
        (b"[1, 2]", r"s\.json: a JSON Schema must be a JSON object, not an array$"),
        (b'"x"', r"s\.json: a JSON Schema must be a JSON object, not a string$"),
        (b"null", r"s\.json: a JSON Schema must be a JSON object, not null$"),
        (b"true", r"s\.json: a JSON Schema must be a JSON object, not a boolean$"),
        (b'{"maximum": NaN}', r"s\.json: invalid JSON \(NaN is not JSON\)$"),
    ],
)
def test_load_schema_errors(tmp_path: Path, text: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_schema(_write(tmp_path, "s.json", text))
