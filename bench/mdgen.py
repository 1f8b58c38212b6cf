"""A deterministic Markdown answer for the rendering benchmark (section 3 of bench/run.py).

The emulator's `tokens=` filler has headings, lists, quotes and inline code but no fenced code
blocks and no tables, so the bench builds its own answer: every section has a heading, a paragraph
with emphasis/inline code/a link, a bullet list (with a nested item), a numbered list, a fenced
Python code block, a table and a block quote. All sections have the same length (4-digit section
numbers), so the 2x answer is exactly twice as long as the 1x answer.
"""

from __future__ import annotations

__all__ = ["markdown_answer"]

_SECTION = """## Section {n:04d}: streaming notes

The renderer keeps **closed blocks** committed once and re-renders only the _live tail_; \
see `render_{n:04d}()` and [the notes](https://example.invalid/notes/{n:04d}).

- First bullet point of section {n:04d} with `inline code`
- Second bullet point that is a little longer so that it wraps on narrow terminals
  - A nested bullet under the second one
1. Numbered step one
2. Numbered step two

```python
def handler_{n:04d}(event):
    if event.type == "content_block_delta":
        return event.delta.text.upper()
    return None
```

| Column | Value | Notes |
|--------|------:|-------|
| alpha  | {n:04d}  | first row |
| beta   | {m:04d}  | second row |

> A block quote closes section {n:04d}.

"""


def markdown_answer(tokens: int, scale: int = 1) -> str:
    """`scale` x (whole sections of Markdown, at least `tokens` emulator tokens of 4 characters)."""
    one = len(_SECTION.format(n=0, m=0))
    count = max(1, -(-tokens * 4 // one)) * scale
    return "".join(_SECTION.format(n=i % 10000, m=(i * 7) % 10000) for i in range(1, count + 1))
