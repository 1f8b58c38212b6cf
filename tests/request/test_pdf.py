"""PDF page counting and encryption detection (pypdf underneath)."""

from __future__ import annotations

import logging

import pytest

from claudecli.request.pdf import PdfEncryptedError, PdfUnreadableError, pdf_page_count
from tests.request import media


@pytest.mark.parametrize("pages", [1, 3, 143])
def test_page_count(pages: int) -> None:
    assert pdf_page_count(media.pdf(pages)) == pages


def test_encrypted_pdf_is_refused() -> None:
    with pytest.raises(PdfEncryptedError, match=r"^encrypted PDFs are not supported$"):
        pdf_page_count(media.pdf(2, encrypt=True))


def test_encrypted_pdf_is_refused_even_when_pypdf_cannot_parse_it() -> None:
    broken = b"%PDF-1.7\n" + b"garbage " * 10 + b"trailer << /Encrypt 9 0 R >>\n%%EOF\n"
    with pytest.raises(PdfEncryptedError):
        pdf_page_count(broken)


def test_unreadable_pdf_gives_one_line_reason() -> None:
    with pytest.raises(PdfUnreadableError, match=r"^cannot read the PDF structure \(.+\)$"):
        pdf_page_count(b"%PDF-1.4\nnot really a pdf\n")


def test_pypdf_repair_notes_stay_quiet(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # A wrong startxref makes pypdf repair the file and log a warning about it.
    data = media.pdf(2).replace(b"startxref\n", b"startxref\n1")
    with caplog.at_level(logging.DEBUG):
        assert pdf_page_count(data) == 2
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert capsys.readouterr().err == ""
    assert logging.getLogger("pypdf").level == logging.NOTSET  # restored afterwards
