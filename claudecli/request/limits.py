"""API limits, checked locally before any network I/O.

Every check raises a one-line `InputError` that names the file and the limit. Numbers follow the
Anthropic docs (vision, PDF support, errors); "MB" means 1,048,576 bytes throughout, as in the
5 MB image limit, which applies to the **base64 text** of the image (`4 * ceil(n / 3)` characters),
not to the raw file: a 4 MB PNG is 5.33 MB as base64 and is refused. The 32 MB request limit
applies to the JSON body exactly as `encode_body()` serialises it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from claudecli.errors import InputError

if TYPE_CHECKING:
    from claudecli.request.inputs import Attachment

__all__ = [
    "MANY_IMAGES",
    "MAX_IMAGES",
    "MAX_IMAGE_BASE64_BYTES",
    "MAX_IMAGE_SIDE",
    "MAX_IMAGE_SIDE_MANY",
    "MAX_PDF_PAGES",
    "MAX_REQUEST_BYTES",
    "MB",
    "check_media",
    "check_request_size",
    "encode_body",
    "format_mb",
]

MB: Final = 1024 * 1024
MAX_IMAGE_BASE64_BYTES: Final = 5 * MB
MAX_IMAGE_SIDE: Final = 8000
MANY_IMAGES: Final = 20  # above this many images in a request, each side must be ≤ 2000 px
MAX_IMAGE_SIDE_MANY: Final = 2000
MAX_IMAGES: Final = 100  # for 200k-context models; larger-context models take 600
MAX_PDF_PAGES: Final = 100
MAX_REQUEST_BYTES: Final = 32 * MB


def format_mb(size: int) -> str:
    """`32 MB` for whole numbers, else one decimal rounded **up**, so an excess never reads as
    equal to the limit ("5.1 MB", not "5.0 MB", for 5 MB + 4 bytes)."""
    if size % MB == 0:
        return f"{size // MB} MB"
    return f"{math.ceil(size * 10 / MB) / 10:.1f} MB"


def check_media(items: Sequence[Attachment]) -> None:
    """Check every image and PDF in a request (new attachments and history alike)."""
    images = [item for item in items if item.kind == "image"]
    for image in images:
        _check_image_bytes(image)
        _check_image_side(image, MAX_IMAGE_SIDE, "")
    _check_image_count(images)
    if len(images) > MANY_IMAGES:
        suffix = f" when a request has more than {MANY_IMAGES} images (this one has {len(images)})"
        for image in images:
            _check_image_side(image, MAX_IMAGE_SIDE_MANY, suffix)
    _check_pdf_pages([item for item in items if item.kind == "pdf"])


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Serialise a request body the way it goes on the wire (compact UTF-8 JSON, as httpx does)."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:  # NaN or Infinity, which JSON cannot carry
        raise InputError(f"the request cannot be encoded as JSON ({exc})") from exc
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. "\udcff" in a JSON schema file
        raise InputError(
            f"the request holds text that is not valid UTF-8 (character {exc.start} of the body)"
        ) from exc


def check_request_size(body: Mapping[str, Any], items: Sequence[Attachment] = ()) -> None:
    """Refuse a body over 32 MB, naming the largest attachment as the likely culprit."""
    size = len(encode_body(body))
    if size <= MAX_REQUEST_BYTES:
        return
    message = f"request is {format_mb(size)}; the limit is {format_mb(MAX_REQUEST_BYTES)}"
    sized = [item for item in items if item.size]
    if sized:
        largest = max(sized, key=_wire_size)
        message += f" (largest part: {largest.label}, {format_mb(_wire_size(largest))})"
    raise InputError(message)


def _wire_size(item: Attachment) -> int:
    return item.size if item.kind == "text" else item.base64_size


def _check_image_bytes(image: Attachment) -> None:
    if image.base64_size <= MAX_IMAGE_BASE64_BYTES:
        return
    raw_limit = MAX_IMAGE_BASE64_BYTES * 3 // 4
    raise InputError(
        f"{image.label}: image is {format_mb(image.size)}, {format_mb(image.base64_size)} as "
        f"base64; the limit is {format_mb(MAX_IMAGE_BASE64_BYTES)} of base64 "
        f"({raw_limit / MB:g} MB raw) per image"
    )


def _check_image_side(image: Attachment, limit: int, suffix: str) -> None:
    if image.width is None or image.height is None:
        return  # a URL or file-id image from history: nothing to measure locally
    if max(image.width, image.height) > limit:
        raise InputError(
            f"{image.label}: image is {image.width}×{image.height} px; "
            f"the limit is {limit} px a side{suffix}"
        )


def _check_image_count(images: Sequence[Attachment]) -> None:
    if len(images) > MAX_IMAGES:
        raise InputError(
            f"{images[MAX_IMAGES].label}: request has {len(images)} images; "
            f"the limit is {MAX_IMAGES} images per request"
        )


def _check_pdf_pages(pdfs: Sequence[Attachment]) -> None:
    total = 0
    for index, pdf in enumerate(pdfs):
        total += pdf.pages or 0
        if total <= MAX_PDF_PAGES:
            continue
        if index == 0:
            raise InputError(
                f"{pdf.label}: {pdf.pages} pages; the limit is {MAX_PDF_PAGES} pages per request"
            )
        parts = ", ".join(f"{p.label}: {p.pages}" for p in pdfs[: index + 1])
        raise InputError(
            f"{pdf.label}: the PDFs in this request have {total} pages in all ({parts}); "
            f"the limit is {MAX_PDF_PAGES} pages per request"
        )
