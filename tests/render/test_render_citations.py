"""Citation numbering, deduplication and footnote text for every location type."""

from __future__ import annotations

from claudecli.render.citations import CitationRegistry, describe_citation, markers, quote

from .test_render_live import CITATIONS


def test_every_location_type_is_described() -> None:
    names = {0: "report.pdf"}
    assert [describe_citation(c, names) for c in CITATIONS] == [
        "report.pdf p.3",
        "document 1 chars 10–25",
        "Custom doc blocks 1–2",
        "KB article — https://kb.example/article block 1",
        "News story — https://news.example/story",
    ]


def test_page_ranges_use_an_exclusive_end() -> None:
    page = {"type": "page_location", "document_index": 0, "start_page_number": 2}
    assert describe_citation({**page, "end_page_number": 5}, {}) == "document 0 pp.2–4"
    assert describe_citation({**page, "end_page_number": 2}, {}) == "document 0 p.2"


def test_numbers_are_stable_and_deduplicated() -> None:
    registry = CitationRegistry({0: "report.pdf"})
    numbers = [registry.add(c) for c in (CITATIONS[0], CITATIONS[1], dict(CITATIONS[0]))]
    assert numbers == [1, 2, 1]
    assert len(registry) == 2
    assert markers([2, 1, 2]) == "[2][1]"


def test_same_web_page_different_passages_get_different_numbers() -> None:
    registry = CitationRegistry()
    web = dict(CITATIONS[4])
    assert registry.add(web) == registry.add(dict(web)) == 1
    assert registry.add({**web, "cited_text": "another passage"}) == 2


def test_quote_is_one_short_sanitized_line() -> None:
    assert quote("a\n\x1b[2Jb  c") == '"a b c"'
    assert quote("x" * 200, limit=10) == '"xxxxxxxxx…"'


def test_document_names_are_sanitized() -> None:
    registry = CitationRegistry({0: "evil\x1b]0;t\x07.pdf"})
    registry.add({"type": "page_location", "document_index": 0, "start_page_number": 1})
    assert registry.footnotes() == ["[1] evil.pdf p.1"]
