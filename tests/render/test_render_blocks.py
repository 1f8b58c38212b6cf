"""BlockSplitter: closed Markdown blocks and the open tail, independent of how text is chunked."""

from __future__ import annotations

import pytest

from claudecli.render.blocks import Block, BlockSplitter

DOC = """\
# Title

Para one line
continues here.
- a
- b
  more b

- c
1. one
2. two

> quote
lazy line

~~~python
def f(x):

    return x
```
~~~
Setext
---
| a | b |
|---|---|
| 1 | 2 |

***
    indented

    code
Last line with `code`."""

EXPECTED = [
    ("heading", False, "# Title"),
    ("paragraph", False, "Para one line\ncontinues here."),
    ("list_item", False, "- a"),
    ("list_item", True, "- b\n  more b"),
    ("list_item", True, "- c"),
    ("list_item", False, "1. one"),
    ("list_item", True, "2. two"),
    ("quote", False, "> quote\nlazy line"),
    ("fence", False, "~~~python\ndef f(x):\n\n    return x\n```\n~~~"),
    ("heading", False, "Setext\n---"),
    ("table", False, "| a | b |\n|---|---|\n| 1 | 2 |"),
    ("rule", False, "***"),
    ("indented", False, "    indented\n\n    code"),
    ("paragraph", False, "Last line with `code`."),
]


def split(text: str, size: int) -> list[Block]:
    splitter = BlockSplitter()
    blocks: list[Block] = []
    for index in range(0, len(text), size):
        blocks += splitter.feed(text[index : index + size])
    return blocks + splitter.close()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 1000])
def test_blocks_do_not_depend_on_chunking(size: int) -> None:
    blocks = split(DOC, size)
    assert [(b.kind, b.tight, b.source) for b in blocks] == EXPECTED


def test_a_block_closes_as_soon_as_it_is_complete() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("Hello\nworld") == []
    assert splitter.tail() == "Hello\nworld"
    assert splitter.feed("\n") == []
    assert [b.source for b in splitter.feed("\n")] == ["Hello\nworld"]
    assert splitter.feed("## Heading") == []
    assert [b.kind for b in splitter.feed("\n")] == ["heading"]


def test_fence_stays_open_over_blank_lines_and_short_fences() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("````\ncode\n\n```\nmore\n") == []
    assert splitter.kind == "fence"
    assert [b.kind for b in splitter.feed("````\n")] == ["fence"]


def test_list_item_closes_at_the_next_item_and_nested_items_stay_inside() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("- one\n  - nested\n\n  still one\n") == []
    closed = splitter.feed("- two\n")
    assert [(b.source, b.tight) for b in closed] == [("- one\n  - nested\n\n  still one", False)]
    assert [b.source for b in splitter.close()] == ["- two"]


def test_a_different_marker_starts_a_new_list() -> None:
    blocks = split("- a\n+ b\n1) c\n2) d\n", 4)
    assert [(b.source, b.tight) for b in blocks] == [
        ("- a", False),
        ("+ b", False),
        ("1) c", False),
        ("2) d", True),
    ]


def test_paragraph_is_interrupted_by_block_starts() -> None:
    blocks = split("text\n```\ncode\n```\ntext\n> q\n\ntext\n# h\n", 3)
    assert [b.kind for b in blocks] == [
        "paragraph",
        "fence",
        "paragraph",
        "quote",
        "paragraph",
        "heading",
    ]


def test_ordered_item_not_starting_at_one_does_not_interrupt_a_paragraph() -> None:
    blocks = split("in\n2. no list\n\n", 3)
    assert [b.source for b in blocks] == ["in\n2. no list"]


def test_unclosed_fence_is_committed_at_close() -> None:
    assert [(b.kind, b.source) for b in split("```py\nx = 1", 4)] == [("fence", "```py\nx = 1")]


def test_window_keeps_the_fence_opening_and_the_last_lines() -> None:
    splitter = BlockSplitter()
    splitter.feed("```python\n" + "".join(f"line {i}\n" for i in range(1000)) + "partial")
    assert splitter.window(3, 100) == "```python\nline 997\nline 998\nline 999\npartial"


def test_window_keeps_the_table_header() -> None:
    splitter = BlockSplitter()
    splitter.feed("| a |\n|---|\n" + "".join(f"| {i} |\n" for i in range(50)))
    assert splitter.window(2, 100) == "| a |\n|---|\n| 48 |\n| 49 |"


def test_window_of_a_huge_unfinished_line_is_bounded() -> None:
    splitter = BlockSplitter()
    for _ in range(10_000):
        splitter.feed("word ")
    window = splitter.window(5, 200)
    assert len(window) <= 200
    assert window.startswith("word")
