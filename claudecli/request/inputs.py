"""Turn paths and stdin bytes into `Attachment` values, safely.

Files are opened only after `stat` says they are regular files, with `O_NONBLOCK` so that a path
swapped for a FIFO between the check and the open cannot hang us, and checked again on the open
descriptor. Sizes are checked before reading. Every error names the path as the user typed it.
"""

from __future__ import annotations

import io
import json
import os
import stat
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, Final, Literal

from claudecli.errors import InputError, UsageError
from claudecli.request.limits import MAX_REQUEST_BYTES, format_mb
from claudecli.request.pdf import PdfProblem, pdf_page_count
from claudecli.request.sniff import (
    ImageType,
    decode_text,
    image_size,
    sniff,
    text_problem,
    unsupported_image_format,
)

__all__ = [
    "STDIN_NAME",
    "Attachment",
    "AttachmentKind",
    "attachment_from_bytes",
    "load_attachment",
    "load_schema",
    "read_regular_file",
    "read_stdin",
    "read_text_file",
]

AttachmentKind = Literal["image", "pdf", "text"]
STDIN_NAME: Final = "stdin"
_CHUNK: Final = 1 << 20

_SUPPORTED: Final = "supported: jpeg, png, gif, webp images, PDF and UTF-8 text"
_NON_REGULAR: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One piece of user-supplied content, sniffed and measured, ready to become a block."""

    name: str  # file name sent to the API (document title, text header); "stdin" for stdin
    label: str  # how messages refer to it: the path exactly as typed, or "stdin"
    kind: AttachmentKind
    media_type: str  # image/png … image/webp, application/pdf or text/plain
    data: bytes = b""
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    path: str | None = None  # resolved absolute path, for a confirmation line; None for stdin

    @property
    def size(self) -> int:
        """Raw size in bytes."""
        return len(self.data)

    @property
    def base64_size(self) -> int:
        """Length of the base64 text the request will carry (4 characters per 3 bytes)."""
        return -(-len(self.data) // 3) * 4

    @property
    def text(self) -> str:
        """The decoded text of a text attachment (strict UTF-8, BOM dropped)."""
        return decode_text(self.data)


def attachment_from_bytes(
    data: bytes, *, label: str, name: str | None = None, path: str | None = None
) -> Attachment:
    """Sniff `data` and measure it (image size, PDF pages); InputError if it cannot be sent."""
    name = name if name is not None else label
    kind = sniff(data)
    if kind == "binary":
        raise InputError(_binary_message(data, label))
    if kind == "text":
        return Attachment(name, label, "text", "text/plain", data, path=path)
    if kind == "pdf":
        pages = _pdf_pages(data, label)
        return Attachment(name, label, "pdf", "application/pdf", data, pages=pages, path=path)
    width, height = _image_dimensions(data, kind, label)
    return Attachment(name, label, "image", kind, data, width=width, height=height, path=path)


def load_attachment(path: str, *, stdin: bytes | None = None) -> Attachment:
    """Read `--attach PATH`; `-` means stdin, whose bytes the caller passes in `stdin`."""
    if path == "-":
        if not stdin:
            raise UsageError("--attach -: stdin is empty or not available (a terminal)")
        return attachment_from_bytes(stdin, label=STDIN_NAME)
    expanded = os.path.expanduser(path)
    data = read_regular_file(path)
    if not data:
        raise InputError(f"{path}: the file is empty (0 bytes); there is nothing to attach")
    name = os.path.basename(os.path.normpath(expanded))
    return attachment_from_bytes(data, label=path, name=name, path=os.path.realpath(expanded))


def read_regular_file(path: str, *, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """Read a regular file of at most `limit` bytes; InputError naming `path` otherwise."""
    expanded = os.path.expanduser(path)
    try:
        _check_regular(path, os.stat(expanded).st_mode)
        fd = os.open(expanded, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            _check_regular(path, info.st_mode)  # the path may have been swapped since the stat
            _check_file_size(path, info.st_size, limit)
            data = _read_at_most(handle, limit)  # the file may grow while we read
    except OSError as exc:
        raise _os_error(path, exc) from exc
    _check_file_size(path, len(data), limit)
    return data


def read_stdin(stream: BinaryIO, *, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """Read all of binary stdin, refusing more than `limit` bytes without reading further."""
    data = _read_at_most(stream, limit)
    if len(data) > limit:
        raise InputError(
            f"stdin is more than {format_mb(limit)}; the limit is {format_mb(limit)} per request"
        )
    return data


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Read to EOF but never more than `limit + 1` bytes (one past tells "too big").

    A buffered reader returns less than asked for only at end of file, so a short read ends the
    loop: on a terminal, one Ctrl-D ends the input (reading again would wait for a second one).
    """
    chunks: list[bytes] = []
    remaining = limit + 1
    buffered = isinstance(stream, io.BufferedIOBase)
    while remaining > 0:
        wanted = min(remaining, _CHUNK)
        chunk = stream.read(wanted)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        if buffered and len(chunk) < wanted:
            break
    return b"".join(chunks)


def read_text_file(path: str) -> str:
    """Read a UTF-8 text file (such as `--system-file`); InputError naming the path otherwise."""
    data = read_regular_file(path)
    problem = text_problem(data)
    if problem is not None:
        raise InputError(f"{path}: not a UTF-8 text file ({problem})")
    return decode_text(data)


def load_schema(path: str) -> dict[str, Any]:
    """Read `--schema FILE`: it must hold a JSON object (a JSON Schema)."""
    text = read_text_file(path)
    try:
        schema = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON ({exc.msg})") from exc
    except ValueError as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(schema, dict):
        kind = type(schema).__name__
        raise InputError(f"{path}: a JSON Schema must be a JSON object, not {_json_type(kind)}")
    return schema


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _os_error(path: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: no such file")
    if isinstance(exc, PermissionError):
        return InputError(f"{path}: permission denied")
    return InputError(f"{path}: cannot read ({exc.strerror or exc})")


def _check_regular(path: str, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    what = next((text for test, text in _NON_REGULAR if test(mode)), "not a regular file")
    raise InputError(f"{path}: is {what}, not a regular file")


def _check_file_size(path: str, size: int, limit: int) -> None:
    if size > limit:
        raise InputError(
            f"{path}: file is {format_mb(size)}; the limit is {format_mb(limit)} per request"
        )


def _binary_message(data: bytes, label: str) -> str:
    image_format = unsupported_image_format(data)
    if image_format is not None:
        return f"{label}: {image_format} images are not supported ({_SUPPORTED})"
    reason = text_problem(data)
    if label == STDIN_NAME:
        return f"stdin is binary (not UTF-8, PDF or image): {reason}"
    return f"{label}: binary file (not UTF-8 text, PDF or image): {reason}; {_SUPPORTED}"


def _pdf_pages(data: bytes, label: str) -> int:
    try:
        return pdf_page_count(data)
    except PdfProblem as exc:
        raise InputError(f"{label}: {exc}") from exc


def _image_dimensions(data: bytes, media_type: ImageType, label: str) -> tuple[int, int]:
    size = image_size(data, media_type)
    if size is None:
        short = media_type.removeprefix("image/").upper()
        raise InputError(f"{label}: cannot read the image size (truncated or corrupt {short})")
    return size


def _json_type(python_name: str) -> str:
    names = {"list": "an array", "str": "a string", "int": "a number", "float": "a number"}
    return names.get(python_name, "null" if python_name == "NoneType" else "a boolean")
