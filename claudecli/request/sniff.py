"""Recognise bytes by their content, never by a file name.

`sniff()` tells a supported image, a PDF, UTF-8 text and anything else apart; `image_size()`
reads pixel dimensions from the image headers by hand (no Pillow). Nothing here raises a domain
error: callers know the file name and turn the answers into `InputError`s.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Final, Literal

__all__ = [
    "ImageType",
    "Kind",
    "decode_text",
    "image_media_type",
    "image_size",
    "sniff",
    "text_problem",
    "unsupported_image_format",
]

ImageType = Literal["image/png", "image/jpeg", "image/gif", "image/webp"]
Kind = Literal["pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text", "binary"]

PDF_MAGIC: Final = b"%PDF-"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
_UTF8_BOM: Final = b"\xef\xbb\xbf"

# Formats people try to attach that the API does not take; named in the error message.
_UNSUPPORTED_IMAGES: Final = (
    (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (0, b"\x00\x00\x01\x00", "ICO"),
    (0, b"8BPS", "PSD"),
    (0, b"\xff\x0a", "JPEG XL"),
    (4, b"ftypheic", "HEIC"),
    (4, b"ftypheix", "HEIC"),
    (4, b"ftypmif1", "HEIF"),
    (4, b"ftypavif", "AVIF"),
)


def sniff(data: bytes) -> Kind:
    """Classify `data`: a supported image type, `"pdf"`, `"text"` (strict UTF-8) or `"binary"`."""
    media_type = image_media_type(data)
    if media_type is not None:
        return media_type
    if data.startswith(PDF_MAGIC):
        return "pdf"
    return "text" if text_problem(data) is None else "binary"


def image_media_type(data: bytes) -> ImageType | None:
    """Return the media type of a PNG, JPEG, GIF or WEBP image from its magic bytes."""
    if data.startswith(_PNG_MAGIC):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def unsupported_image_format(data: bytes) -> str | None:
    """Name a well-known image format the API does not accept (BMP, TIFF, HEIC, …), if it is one."""
    for offset, magic, name in _UNSUPPORTED_IMAGES:
        if data[offset : offset + len(magic)] == magic:
            return name
    return None


def text_problem(data: bytes) -> str | None:
    """Say why `data` is not text ("invalid UTF-8 at byte 17", "NUL byte at byte 3"), or None.

    A NUL byte is valid UTF-8, but no text file contains one; treating it as binary keeps
    files such as UTF-16 text or small binaries from being sent as garbage text.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 at byte {exc.start}"
    nul = data.find(b"\x00")
    return None if nul < 0 else f"NUL byte at byte {nul}"


def decode_text(data: bytes) -> str:
    """Decode UTF-8 strictly, dropping a leading byte-order mark."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    return data.decode("utf-8")


def image_size(data: bytes, media_type: ImageType) -> tuple[int, int] | None:
    """Return `(width, height)` in pixels from the image header, or None if it is unreadable."""
    return _SIZE_READERS[media_type](data)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The IHDR chunk must come first: 8-byte signature, 4-byte length, b"IHDR", width, height.
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif_size(data: bytes) -> tuple[int, int] | None:
    # Logical screen descriptor right after the 6-byte signature; frames never exceed it.
    if len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return width, height


# SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_JPEG_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, RST0..RST7, SOI.
_JPEG_STANDALONE: Final = frozenset({0x01, *range(0xD0, 0xD9)})
_JPEG_SOS: Final = 0xDA


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments by their lengths, so EXIF thumbnails inside APP1 are skipped.
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
        elif marker in _JPEG_STANDALONE:
            pos += 2
        elif marker in _JPEG_SOF:
            return _jpeg_frame_size(data, pos)
        elif marker == _JPEG_SOS:  # image data began without a frame header
            return None
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def _jpeg_frame_size(data: bytes, pos: int) -> tuple[int, int] | None:
    # SOFn: marker(2) length(2) precision(1) height(2) width(2)
    if pos + 9 > len(data):
        return None
    height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
    return width, height


def _webp_size(data: bytes) -> tuple[int, int] | None:
    # RIFF header (12 bytes), then the first chunk's FourCC at 12 and its payload at 20.
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return _uint24(data, 24) + 1, _uint24(data, 27) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _uint24(data: bytes, pos: int) -> int:
    return int.from_bytes(data[pos : pos + 3], "little")


_SIZE_READERS: Final[dict[ImageType, Callable[[bytes], tuple[int, int] | None]]] = {
    "image/png": _png_size,
    "image/gif": _gif_size,
    "image/jpeg": _jpeg_size,
    "image/webp": _webp_size,
}
