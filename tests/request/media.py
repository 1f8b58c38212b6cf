"""Tiny images and PDFs built byte by byte, so tests need no fixtures and no Pillow."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 1, height: int = 1, *, pixels: bool = True) -> bytes:
    """A PNG; with `pixels` a real decodable 8-bit greyscale image, else only the header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunks = _png_chunk(b"IHDR", ihdr)
    if pixels:
        raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
        chunks += _png_chunk(b"IDAT", zlib.compress(raw))
    return b"\x89PNG\r\n\x1a\n" + chunks + _png_chunk(b"IEND", b"")


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def gif(width: int = 1, height: int = 1) -> bytes:
    """A one-pixel-frame GIF89a whose logical screen is `width`×`height`."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0)
    palette = b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return screen + palette + image + b"\x3b"


def jpeg(width: int = 1, height: int = 1, *, sof: int = 0xC0, thumbnail: bool = True) -> bytes:
    """A baseline (or `sof`) JPEG header: APP0, an APP1 hiding a decoy SOF, DQT, SOF, SOS, EOI.

    The decoy is a 9999×9999 frame header inside the APP1 payload, like an EXIF thumbnail:
    a reader that scans bytes instead of walking segments finds it first.
    """
    out = b"\xff\xd8"
    out += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if thumbnail:
        decoy = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 9999, 9999) + b"\x01\x01\x11\x00"
        out += _segment(0xE1, b"Exif\x00\x00" + decoy)
    out += b"\xff\xff"  # fill byte before the next marker
    out += _segment(0xDB, b"\x00" + bytes(64))
    out += _segment(sof, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00")
    out += _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x00\xff\xd9"
    return out


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def webp_lossy(width: int = 1, height: int = 1) -> bytes:
    """A 'VP8 ' (lossy) WEBP header: frame tag, start code, 14-bit sizes."""
    frame = b"\x9d\x01\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + bytes(8)
    return _riff(b"VP8 ", frame)


def webp_lossless(width: int = 1, height: int = 1) -> bytes:
    """A 'VP8L' WEBP header: signature 0x2f, then (width-1) and (height-1) in 14 bits each."""
    bits = (width - 1) | ((height - 1) << 14)
    return _riff(b"VP8L", b"\x2f" + bits.to_bytes(4, "little") + bytes(4))


def webp_extended(width: int = 1, height: int = 1) -> bytes:
    """A 'VP8X' WEBP header: flags, then the canvas (width-1) and (height-1) in 24 bits each."""
    payload = bytes(4) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return _riff(b"VP8X", payload)


def _riff(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf(pages: int = 1, *, encrypt: bool = False) -> bytes:
    """A minimal PDF 1.4 with a correct xref table; `encrypt` adds an RC4 /Encrypt dictionary."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages,
    ]
    if encrypt:
        key = "<" + "ab" * 32 + ">"
        objects.append(f"<< /Filter /Standard /V 1 /R 2 /O {key} /U {key} /P -4 >>".encode())
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"/Size {len(objects) + 1} /Root 1 0 R"
    if encrypt:
        file_id = "<00112233445566778899aabbccddeeff>"
        trailer += f" /Encrypt {len(objects)} 0 R /ID [{file_id} {file_id}]"
    out += f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
