"""Citation numbering and footnote text (pure Python, no rich).

Numbers are given in order of first appearance and deduplicated: the same cited location (same
document and range, or same web page and passage) always gets the same number. Footnotes read
`[1] report.pdf p.3: "cited text…"`; `document_index` maps back to the attachment's file name
through `names` (falling back to the API's `document_title`). Ranges follow the API: pages are
1-based, char and block indices 0-based, and every `end_*` index is exclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from claudecli.client import JSONView

from .sanitize import sanitize

__all__ = ["CitationRegistry", "describe_citation", "markers", "quote"]

_QUOTE_LIMIT = 100


def quote(text: str, limit: int = _QUOTE_LIMIT) -> str:
    """The cited text on one line, shortened to `limit` characters, in double quotes."""
    flat = " ".join(sanitize(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f'"{flat}"'


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _span(label: str, plural: str, start: int | None, end: int | None) -> str:
    """`p.3` or `pp.3–4` for a 1-based start and an exclusive end."""
    if start is None:
        return ""
    last = end - 1 if end is not None and end - 1 > start else start
    return f"{label}{start}" if last == start else f"{plural}{start}–{last}"


def _location(citation: JSONView) -> str:
    kind = citation.get("type")
    if kind == "page_location":
        start, end = _int(citation.get("start_page_number")), _int(citation.get("end_page_number"))
        return _span("p.", "pp.", start, end)
    if kind == "char_location":
        start, end = _int(citation.get("start_char_index")), _int(citation.get("end_char_index"))
        return f"chars {start}–{end}" if start is not None and end is not None else ""
    start, end = _int(citation.get("start_block_index")), _int(citation.get("end_block_index"))
    if start is None:
        return ""
    return _span("block ", "blocks ", start + 1, end + 1 if end is not None else None)


def _document(citation: JSONView, names: Mapping[int, str]) -> str:
    index = _int(citation.get("document_index"))
    if index is not None and index in names:
        return sanitize(names[index])
    title = citation.get("document_title")
    if isinstance(title, str) and title.strip():
        return sanitize(title)
    return f"document {index}" if index is not None else "document"


def _titled(title: Any, where: Any) -> str:
    parts = [sanitize(str(value)) for value in (title, where) if value]
    return " — ".join(dict.fromkeys(parts)) or "source"


def describe_citation(citation: JSONView, names: Mapping[int, str]) -> str:
    """Where a citation points: `report.pdf p.3`, `Title — https://…`."""
    kind = citation.get("type")
    if kind == "web_search_result_location":
        return _titled(citation.get("title"), citation.get("url"))
    if kind == "search_result_location":
        where = _titled(citation.get("title"), citation.get("source"))
    else:
        where = _document(citation, names)
    location = _location(citation)
    return f"{where} {location}" if location else where


def _key(citation: JSONView) -> tuple[Any, ...]:
    kind = citation.get("type")
    if kind == "web_search_result_location":
        return (kind, citation.get("url"), citation.get("cited_text"))
    source = citation.get("source", citation.get("document_index"))
    ranges = tuple(
        citation.get(field) for field in sorted(citation) if field.startswith(("start_", "end_"))
    )
    return (kind, repr(source), citation.get("search_result_index"), ranges)


class CitationRegistry:
    """Assigns footnote numbers to citations and formats the footnotes."""

    def __init__(self, names: Mapping[int, str] | None = None) -> None:
        self._names: Mapping[int, str] = names or {}
        self._numbers: dict[tuple[Any, ...], int] = {}
        self._footnotes: list[str] = []

    def __len__(self) -> int:
        return len(self._footnotes)

    def add(self, citation: JSONView) -> int:
        """The footnote number of `citation` (a new one the first time it is seen)."""
        key = _key(citation)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self._footnotes) + 1
            self._footnotes.append(self._footnote(number, citation))
        return number

    def footnotes(self) -> list[str]:
        """One line per footnote, in number order."""
        return list(self._footnotes)

    def clear(self) -> None:
        self._numbers.clear()
        self._footnotes.clear()

    def _footnote(self, number: int, citation: JSONView) -> str:
        line = f"[{number}] {describe_citation(citation, self._names)}"
        cited = citation.get("cited_text")
        return f"{line}: {quote(cited)}" if isinstance(cited, str) and cited.strip() else line


def markers(numbers: Iterable[int]) -> str:
    """`[1][3]` for the distinct numbers, in order."""
    return "".join(f"[{number}]" for number in dict.fromkeys(numbers))
