"""Limit checks: each error is one line naming the file and the limit."""

from __future__ import annotations

import pytest

from claudecli.errors import InputError
from claudecli.request.inputs import Attachment, attachment_from_bytes
from claudecli.request.limits import (
    MAX_IMAGE_BASE64_BYTES,
    MB,
    check_media,
    check_request_size,
    encode_body,
    format_mb,
)
from tests.request import media


def _image(label: str, width: int = 10, height: int = 10, padding: int = 0) -> Attachment:
    data = media.png(width, height, pixels=False) + bytes(padding)
    return attachment_from_bytes(data, label=label)


def _pdf(label: str, pages: int) -> Attachment:
    # Pages are what the checks read; skip building a 100-page file for every case.
    return Attachment(label, label, "pdf", "application/pdf", media.pdf(1), pages=pages)


def _raises(message: str) -> pytest.RaisesExc[InputError]:
    return pytest.raises(InputError, match="^" + message + "$")


def test_format_mb_rounds_up_so_excess_never_looks_equal() -> None:
    assert format_mb(32 * MB) == "32 MB"
    assert format_mb(5 * MB + 4) == "5.1 MB"
    assert format_mb(int(6.2 * MB)) == "6.2 MB"
    assert format_mb(1) == "0.1 MB"


def test_image_base64_limit_boundary() -> None:
    raw_limit = MAX_IMAGE_BASE64_BYTES * 3 // 4  # 3.75 MB raw = exactly 5 MB of base64
    header = len(media.png(pixels=False))
    check_media([_image("ok.png", padding=raw_limit - header)])
    with _raises(
        r"big\.png: image is 3\.8 MB, 5\.1 MB as base64; "
        r"the limit is 5 MB of base64 \(3\.75 MB raw\) per image"
    ):
        check_media([_image("big.png", padding=raw_limit - header + 1)])


def test_real_six_megabyte_image_file() -> None:
    image = _image("big.png", padding=int(6.2 * MB))
    with _raises(
        r"big\.png: image is 6\.3 MB, 8\.3 MB as base64; "
        r"the limit is 5 MB of base64 \(3\.75 MB raw\) per image"
    ):
        check_media([image])


def test_image_side_limit() -> None:
    check_media([_image("edge.png", 8000, 8000)])
    with _raises(r"photo\.png: image is 9000×600 px; the limit is 8000 px a side"):
        check_media([_image("photo.png", 9000, 600)])
    with _raises(r"tall\.png: image is 600×8001 px; the limit is 8000 px a side"):
        check_media([_image("tall.png", 600, 8001)])


def test_many_images_lower_the_side_limit() -> None:
    twenty = [_image(f"img{i}.png", 2001, 100) for i in range(20)]
    check_media(twenty)  # 20 images may still be large
    with _raises(
        r"img0\.png: image is 2001×100 px; the limit is 2000 px a side "
        r"when a request has more than 20 images \(this one has 21\)"
    ):
        check_media([*twenty, _image("small.png")])
    check_media([_image(f"img{i}.png", 2000, 2000) for i in range(21)])


def test_image_count_limit() -> None:
    hundred = [_image(f"img{i}.png") for i in range(1, 101)]
    check_media(hundred)
    with _raises(r"img101\.png: request has 101 images; the limit is 100 images per request"):
        check_media([*hundred, _image("img101.png")])


def test_pdf_page_limit_single() -> None:
    check_media([_pdf("ok.pdf", 100)])
    with _raises(r"scan\.pdf: 143 pages; the limit is 100 pages per request"):
        check_media([_pdf("scan.pdf", 143)])


def test_pdf_page_limit_is_per_request() -> None:
    with _raises(
        r"b\.pdf: the PDFs in this request have 150 pages in all \(a\.pdf: 60, b\.pdf: 90\); "
        r"the limit is 100 pages per request"
    ):
        check_media([_pdf("a.pdf", 60), _pdf("b.pdf", 90)])


def test_real_pdf_pages_are_counted() -> None:
    with _raises(r"scan\.pdf: 101 pages; the limit is 100 pages per request"):
        check_media([attachment_from_bytes(media.pdf(101), label="scan.pdf")])


def test_images_from_urls_count_but_are_not_measured() -> None:
    url_image = Attachment("image 1 of message 1", "image 1 of message 1", "image", "")
    check_media([url_image] * 100)
    with _raises(
        r"image 1 of message 1: request has 101 images; the limit is 100 images per request"
    ):
        check_media([url_image] * 101)


def test_request_size_limit_names_the_largest_part() -> None:
    text = attachment_from_bytes(b"x" * (33 * MB), label="dump.log")
    small = attachment_from_bytes(b"hello", label="small.txt")
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": text.text}]}]}
    with _raises(r"request is 33\.1 MB; the limit is 32 MB \(largest part: dump\.log, 33 MB\)"):
        check_request_size(body, [small, text])
    with _raises(r"request is 33\.1 MB; the limit is 32 MB"):
        check_request_size(body)


def test_request_size_is_measured_on_the_wire_encoding() -> None:
    body = {"text": "é", "n": [1, 2]}
    assert encode_body(body) == '{"text":"é","n":[1,2]}'.encode()
    check_request_size({"text": "x" * (32 * MB - 20)})
