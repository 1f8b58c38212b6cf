"""What a 40-column terminal keeps of a code block: the code, exactly, for copying it back.

The terminal soft-wraps a line wider than itself and joins it again on copy, so a code line
must reach it whole: never hard-wrapped, indented, bordered or padded with spaces.
"""

from __future__ import annotations

import pytest

from .render_helpers import Screen, chunked, text_stream, written
from .test_render_live import feed, make

CODE = [
    "def handler(event, context, *, retries=3, timeout=30.0, verbose=False):",
    "    if event.type == 'content_block_delta':  # a comment that is long too",
    "        return event.text",
    "",
    "    return None   ",
]
ANSWER = "Run this:\n\n```python\n" + "\n".join(CODE) + "\n```\n\nDone.\n"


@pytest.mark.parametrize("step", [0.0, 0.1], ids=["throttled", "every-refresh"])
def test_code_lines_reach_the_terminal_whole(step: float) -> None:
    renderer, console, _, _ = make(width=40, height=12, step=step)
    feed(renderer, text_stream(chunked(ANSWER, 7)))
    renderer.finish({})
    screen = Screen().feed(written(console))  # no width: one row per line the program wrote
    fence = screen.lines.index("```python")
    assert screen.lines[fence + 1 : fence + 1 + len(CODE)] == [*CODE[:-1], CODE[-1].rstrip()]
    assert screen.lines[fence + 1 + len(CODE)] == "```"


def test_a_soft_wrapped_code_line_is_drawn_once() -> None:
    """The live region was cropped to the width, so its erasing leaves nothing behind."""
    renderer, console, _, _ = make(width=40, height=12, step=0.1)
    feed(renderer, text_stream(chunked(ANSWER, 7)))
    renderer.finish({})
    rows = Screen(width=40).feed(written(console)).text().splitlines()
    long_line = CODE[0]
    assert rows.count(long_line[:40]) == 1
    assert long_line[40:] in rows
    assert rows[-1] == "Done."
