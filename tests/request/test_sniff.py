"""Content sniffing and hand-written image header readers."""

from __future__ import annotations

import pytest

from claudecli.request.sniff import (
    ImageType,
    decode_text,
    image_media_type,
    image_size,
    sniff,
    text_problem,
    unsupported_image_format,
)
from tests.request import media


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (media.png(), "image/png"),
        (media.jpeg(), "image/jpeg"),
        (media.gif(), "image/gif"),
        (b"GIF87a" + media.gif()[6:], "image/gif"),
        (media.webp_lossy(), "image/webp"),
        (media.pdf(), "pdf"),
        (b"hello\n", "text"),
        ("héllo ✓\n".encode(), "text"),
        (b"", "text"),
        (b"\xff\xfeh\x00i\x00", "binary"),  # UTF-16
        (b"caf\xe9", "binary"),  # Latin-1
        (b"abc\x00def", "binary"),
    ],
)
def test_sniff_kinds(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_sniff_uses_content_not_names() -> None:
    # A PNG magic wins over text that happens to decode; "%PDF-" must be at the very start.
    assert sniff(b" %PDF-1.4") == "text"
    assert image_media_type(b"RIFF\x00\x00\x00\x00WAVE") is None


def test_text_problem_gives_byte_offset() -> None:
    assert text_problem(b"abc\xe9def") == "invalid UTF-8 at byte 3"
    assert text_problem("ok ✓".encode() + b"\xc3") == "invalid UTF-8 at byte 6"
    assert text_problem(b"ab\x00") == "NUL byte at byte 2"
    assert text_problem(b"fine") is None


def test_decode_text_drops_bom() -> None:
    assert decode_text(b"\xef\xbb\xbfhi") == "hi"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"BM\x36\x00\x00\x00", "BMP"),
        (b"II*\x00\x08\x00", "TIFF"),
        (b"MM\x00*\x00\x08", "TIFF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "HEIC"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00", "AVIF"),
        (b"\x00\x00\x01\x00\x01\x00", "ICO"),
    ],
)
def test_unsupported_image_formats_are_named(data: bytes, name: str) -> None:
    assert unsupported_image_format(data) == name


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (media.png(640, 480), "image/png"),
        (media.png(640, 480, pixels=False), "image/png"),
        (media.gif(640, 480), "image/gif"),
        (media.jpeg(640, 480), "image/jpeg"),
        (media.jpeg(640, 480, sof=0xC2), "image/jpeg"),  # progressive
        (media.jpeg(640, 480, thumbnail=False), "image/jpeg"),
        (media.webp_lossy(640, 480), "image/webp"),
        (media.webp_lossless(640, 480), "image/webp"),
        (media.webp_extended(640, 480), "image/webp"),
    ],
)
def test_image_size(data: bytes, media_type: ImageType) -> None:
    assert image_media_type(data) == media_type
    assert image_size(data, media_type) == (640, 480)


def test_image_size_reads_large_claims_from_headers() -> None:
    assert image_size(media.png(9000, 600, pixels=False), "image/png") == (9000, 600)
    assert image_size(media.webp_extended(16383, 20000), "image/webp") == (16383, 20000)
    assert image_size(media.jpeg(65535, 2), "image/jpeg") == (65535, 2)


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (media.png()[:20], "image/png"),
        (b"GIF89a\x01", "image/gif"),
        (media.jpeg()[:30], "image/jpeg"),  # cut before the frame header
        (b"\xff\xd8\xff\xda\x00\x02", "image/jpeg"),  # scan data before any frame header
        (b"\xff\xd8\xff\xe0\x00\x10JF\x00\x00", "image/jpeg"),  # segment runs off the end
        (b"\xff\xd8\x00\x00\x00\x00", "image/jpeg"),  # no marker where one must be
        (b"RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00", "image/webp"),
        (b"RIFF\x10\x00\x00\x00WEBPALPH\x04\x00\x00\x00", "image/webp"),
    ],
)
def test_unreadable_image_headers_give_none(data: bytes, media_type: ImageType) -> None:
    assert image_size(data, media_type) is None
