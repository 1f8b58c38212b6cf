"""PDF page count and encryption check, done with pypdf.

Counting pages by scanning bytes for `/Type /Page` breaks on object streams (PDF 1.5+ packs page
objects into compressed streams), incremental updates (old page objects stay in the file) and
linearised files; pypdf walks the real page tree. It is imported only when a PDF is attached, so
plain-text runs pay nothing for it.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PdfEncryptedError", "PdfProblem", "PdfUnreadableError", "pdf_page_count"]


class PdfProblem(Exception):
    """A PDF we cannot send; `str()` is the reason without the file name."""


class PdfEncryptedError(PdfProblem):
    """The PDF has an `/Encrypt` entry in its trailer."""


class PdfUnreadableError(PdfProblem):
    """pypdf could not find a page tree in the file."""


def pdf_page_count(data: bytes) -> int:
    """Return the number of pages; raise `PdfEncryptedError` or `PdfUnreadableError`."""
    from pypdf import PdfReader  # lazy: only PDF attachments need it

    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise PdfEncryptedError("encrypted PDFs are not supported")
            return len(reader.pages)
        except PdfProblem:
            raise
        except Exception as exc:  # pypdf raises many types on broken files
            raise _classify_failure(data, exc) from exc


def _classify_failure(data: bytes, exc: Exception) -> PdfProblem:
    # Reading an encrypted file can fail before `is_encrypted` is reachable (an unsupported
    # cipher, no AES provider installed); the trailer entry is still plain text in the file.
    if b"/Encrypt" in data:
        return PdfEncryptedError("encrypted PDFs are not supported")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return PdfUnreadableError(f"cannot read the PDF structure ({reason})")


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's repair notes ("incorrect startxref pointer", …) off the user's stderr."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
