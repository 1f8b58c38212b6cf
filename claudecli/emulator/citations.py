"""Citations into the request's own documents (§5.3): one citation per citable document.

`document_index` counts every `document` block of the request in order. Plain-text documents get
a `char_location` for their first sentence, PDFs a `page_location` for page 1 (text taken from
simple `(…) Tj` operators when present), custom-content documents a `content_block_location`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from .wire import Obj

__all__ = ["document_citations"]

_SENTENCE = re.compile(r"(.+?[.!?])(\s|$)", re.DOTALL)
_PDF_TEXT = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj")
_MAX_CITED = 200


def _documents(body: Obj) -> Iterator[Obj]:
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "document":
                yield block


def _enabled(block: Obj) -> bool:
    config = block.get("citations")
    return isinstance(config, dict) and config.get("enabled") is True


def document_citations(body: Obj) -> list[Obj]:
    """A citation object for each document with `citations.enabled`, in document order."""
    found: list[Obj] = []
    for index, block in enumerate(_documents(body)):
        citation = _citation(index, block) if _enabled(block) else None
        if citation is not None:
            found.append(citation)
    return found


def _citation(index: int, block: Obj) -> Obj | None:
    source = block.get("source") or {}
    base: Obj = {"document_index": index, "document_title": block.get("title"), "file_id": None}
    kind = source.get("type")
    if kind == "text":
        return _char_location(base, str(source.get("data", "")))
    if kind == "base64" and source.get("media_type") == "application/pdf":
        return _page_location(base, str(source.get("data", "")))
    if kind == "content":
        return _block_location(base, source.get("content"))
    return None


def _first_sentence(text: str) -> str:
    match = _SENTENCE.match(text.lstrip())
    sentence = match.group(1) if match else text.strip()
    return sentence[:_MAX_CITED]


def _char_location(base: Obj, text: str) -> Obj:
    cited = _first_sentence(text)
    start = max(0, text.find(cited))
    return {
        "type": "char_location",
        "cited_text": cited,
        **base,
        "start_char_index": start,
        "end_char_index": start + len(cited),
    }


def _page_location(base: Obj, data: str) -> Obj:
    page = {"start_page_number": 1, "end_page_number": 2}
    return {"type": "page_location", "cited_text": _pdf_text(data), **base, **page}


def _pdf_text(data: str) -> str:
    try:
        raw = base64.b64decode(data)
    except (binascii.Error, ValueError):
        return ""
    pieces = [m.group(1).decode("latin-1") for m in _PDF_TEXT.finditer(raw)]
    return " ".join(pieces)[:_MAX_CITED]


def _block_location(base: Obj, content: Any) -> Obj:
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
    texts = [
        str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text"
    ]
    cited = texts[0] if texts else ""
    span = {"start_block_index": 0, "end_block_index": 1}
    return {"type": "content_block_location", "cited_text": cited[:_MAX_CITED], **base, **span}
