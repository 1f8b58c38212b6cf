"""LiveRenderer on a fixed 60x20 terminal: golden screens, render counts, cropping, safety."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

import pytest
from rich.console import Console
from rich.markdown import Markdown

from claudecli.client import RetryNotice
from claudecli.client.events import (
    ContentBlockStart,
    ContentBlockStop,
    InputJsonDelta,
    MessageStart,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)
from claudecli.render.blocks import BlockSplitter
from claudecli.render.live import LiveRenderer
from claudecli.render.markdown import markdown
from claudecli.render.spinner import Spinner

from .render_helpers import (
    FakeClock,
    Screen,
    assert_golden,
    chunked,
    fixed_console,
    message,
    screen_of,
    streamed,
    text_stream,
    written,
)

ANSWER = """\
## Plan

Streaming Markdown must stay **linear**: each block is
rendered once.

- parse the *blocks*
- commit closed ones
  to the scrollback

```python
def render(block: str) -> None:
    print(block)
```

| step | cost |
|------|-----:|
| split | O(n) |
| render | O(n) |

Done.
"""


def live_markdown(source: str) -> Markdown:
    """The whole document as the live view draws it, on a console without colour."""
    return markdown(source, code_theme="monokai", copyable_code=True, code_ticks=True)


def make(
    *, width: int = 60, height: int = 20, show_thinking: bool = False, step: float = 0.1, **kw: Any
) -> tuple[LiveRenderer, Console, io.StringIO, FakeClock]:
    console = fixed_console(width, height)
    err = io.StringIO()
    clock = FakeClock(step=step)
    renderer = LiveRenderer(console, err, show_thinking=show_thinking, clock=clock, **kw)
    return renderer, console, err, clock


def feed(renderer: LiveRenderer, events: Iterable[StreamEvent]) -> None:
    for event in events:
        renderer.on_event(event)


def test_answer_golden() -> None:
    renderer, console, _, _ = make()
    msg = message({"type": "text", "text": ANSWER})
    feed(renderer, streamed(msg, 3))
    renderer.finish(msg)
    assert_golden("answer", screen_of(console))


def test_code_blocks_are_syntax_highlighted() -> None:
    console = Console(file=io.StringIO(), width=60, force_terminal=True, color_system="256")
    renderer = LiveRenderer(console, io.StringIO(), clock=FakeClock(step=0.1))
    feed(renderer, text_stream(chunked("```python\ndef f():\n    return 1\n```\n", 4)))
    renderer.finish({})
    code_line = next(line for line in written(console).splitlines() if "return" in line)
    assert len(set(re.findall(r"38;5;(\d+)", code_line))) >= 2  # tokens in several colours


def test_shown_thinking_stays_in_the_scrollback_above_its_summary() -> None:
    renderer, console, _, clock = make(show_thinking=True)
    feed(renderer, [MessageStart({}), ContentBlockStart(0, {"type": "thinking", "thinking": ""})])
    feed(renderer, [ThinkingDelta(0, piece) for piece in chunked("Let me weigh this.\nFirst…", 5)])
    assert_golden("thinking_live", screen_of(console))
    clock.advance(4.0)
    feed(renderer, [ContentBlockStop(0), ContentBlockStart(1, {"type": "text", "text": ""})])
    feed(renderer, [TextDelta(1, "The answer is 42."), ContentBlockStop(1)])
    renderer.finish({})
    assert_golden("thinking_kept", screen_of(console))


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}], ids=["colour", "NO_COLOR"])
def test_all_of_a_long_thinking_is_kept_dim(env: dict[str, str]) -> None:
    """Taller than the terminal: the live region showed its end, the scrollback gets it all."""
    console = Console(file=io.StringIO(), width=60, height=10, force_terminal=True, _environ=env)
    renderer = LiveRenderer(console, io.StringIO(), show_thinking=True, clock=FakeClock(step=0.1))
    thought = "".join(f"step {i} of the reasoning\n" for i in range(30))
    msg = message(
        {"type": "thinking", "thinking": thought, "signature": "s"},
        {"type": "text", "text": "Answer."},
    )
    feed(renderer, streamed(msg, 9))
    renderer.finish(msg)
    lines = screen_of(console).splitlines()
    assert lines[:30] == [f"step {i} of the reasoning" for i in range(30)]
    assert re.match(r"thought for [0-9.]+ s · ~\d+ tokens\Z", lines[30])
    assert lines[31:] == ["", "Answer."]
    dim = re.search(r"\x1b\[([0-9;]*)mstep 29 of the reasoning", written(console))
    assert dim is not None and "2" in dim.group(1).split(";")


def test_thinking_is_hidden_by_default() -> None:
    renderer, console, _, _ = make()
    msg = message(
        {"type": "thinking", "thinking": "secret reasoning", "signature": "s"},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "Answer."},
    )
    feed(renderer, streamed(msg))
    renderer.finish(msg)
    assert screen_of(console) == "Answer."


def test_redacted_thinking_is_a_one_line_note() -> None:
    renderer, console, _, _ = make(show_thinking=True)
    msg = message({"type": "redacted_thinking", "data": "opaque"}, {"type": "text", "text": "Hi."})
    feed(renderer, streamed(msg))
    renderer.finish(msg)
    assert_golden("redacted_thinking", screen_of(console))


def test_tool_use_input_streams_then_is_pretty_printed() -> None:
    renderer, console, _, _ = make()
    block = {"type": "tool_use", "id": "tu_1", "name": "get_weather", "input": {}}
    feed(renderer, [MessageStart({}), ContentBlockStart(0, block)])
    raw = '{"location": "Paris, France", "unit": "celsius", "days": [1, 2]}'
    feed(renderer, [InputJsonDelta(0, piece) for piece in chunked(raw[:40], 6)])
    assert_golden("tool_use_streaming", screen_of(console))
    feed(renderer, [InputJsonDelta(0, raw[40:]), ContentBlockStop(0)])
    renderer.on_tool_result(
        {"tool_use_id": "tu_1", "content": "\n".join(f"day {i}: sunny" for i in range(30))}
    )
    renderer.finish({})
    assert_golden("tool_use_final", screen_of(console))


def test_truncated_tool_input_is_shown_raw() -> None:
    renderer, console, _, _ = make()
    block = {"type": "tool_use", "id": "tu_1", "name": "write", "input": {}}
    feed(renderer, [MessageStart({}), ContentBlockStart(0, block), InputJsonDelta(0, '{"pa')])
    renderer.finish({})
    assert "write (incomplete input)" in screen_of(console)
    assert '{"pa' in screen_of(console)


SERVER_BLOCKS: list[dict[str, Any]] = [
    {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": "rich live"}},
    {
        "type": "web_search_tool_result",
        "tool_use_id": "s1",
        "content": [
            {
                "type": "web_search_result",
                "title": "Live Display",
                "url": "https://rich.example/live",
            },
            {"type": "web_search_result", "title": "Markdown", "url": "https://rich.example/md"},
        ],
    },
    {
        "type": "server_tool_use",
        "id": "s2",
        "name": "web_fetch",
        "input": {"url": "https://a.example"},
    },
    {
        "type": "web_fetch_tool_result",
        "tool_use_id": "s2",
        "content": {
            "type": "web_fetch_result",
            "url": "https://a.example",
            "content": {"type": "document", "title": "Example page"},
        },
    },
    {
        "type": "server_tool_use",
        "id": "s3",
        "name": "code_execution",
        "input": {"code": "print(6*7)"},
    },
    {
        "type": "code_execution_tool_result",
        "tool_use_id": "s3",
        "content": {
            "type": "code_execution_result",
            "return_code": 1,
            "stdout": "\n".join(f"out {i}" for i in range(20)),
            "stderr": "Traceback: boom",
            "content": [],
        },
    },
    {
        "type": "web_search_tool_result",
        "tool_use_id": "s4",
        "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"},
    },
]


def test_server_tool_blocks_are_summarised() -> None:
    renderer, console, _, _ = make(height=80)
    msg = message(*SERVER_BLOCKS, {"type": "text", "text": "Summary."})
    feed(renderer, streamed(msg))
    renderer.finish(msg)
    assert_golden("server_tools", screen_of(console))


CITATIONS: list[dict[str, Any]] = [
    {
        "type": "page_location",
        "cited_text": "Revenue grew by 5 percent\nin the third quarter.",
        "document_index": 0,
        "document_title": "Q3",
        "start_page_number": 3,
        "end_page_number": 4,
    },
    {
        "type": "char_location",
        "cited_text": "plain text fact",
        "document_index": 1,
        "start_char_index": 10,
        "end_char_index": 25,
    },
    {
        "type": "content_block_location",
        "cited_text": "custom content",
        "document_index": 2,
        "document_title": "Custom doc",
        "start_block_index": 0,
        "end_block_index": 2,
    },
    {
        "type": "search_result_location",
        "cited_text": "a search hit",
        "source": "https://kb.example/article",
        "title": "KB article",
        "search_result_index": 0,
        "start_block_index": 0,
        "end_block_index": 1,
    },
    {
        "type": "web_search_result_location",
        "cited_text": "web passage " * 20,
        "url": "https://news.example/story",
        "title": "News story",
        "encrypted_index": "abc",
    },
]


def test_citations_become_markers_and_footnotes() -> None:
    renderer, console, _, _ = make(height=40, citations_names={0: "report.pdf", 1: "notes.txt"})
    msg = message(
        {"type": "text", "text": "According to the report, "},
        {"type": "text", "text": "revenue grew", "citations": CITATIONS[:2]},
        {"type": "text", "text": " and "},
        {"type": "text", "text": "sources agree.\n\n", "citations": CITATIONS[2:]},
        {"type": "text", "text": "Again", "citations": [dict(CITATIONS[0])]},  # same number
        {"type": "text", "text": "."},
    )
    feed(renderer, streamed(msg, 4))
    renderer.finish(msg)
    assert_golden("citations", screen_of(console))


def test_unknown_block_is_noted() -> None:
    renderer, console, _, _ = make()
    msg = message({"type": "text", "text": "Before."}, {"type": "hologram", "x": 1})
    feed(renderer, streamed(msg))
    renderer.finish(msg)
    assert_golden("unknown_block", screen_of(console))


def test_ten_thousand_deltas_cost_a_bounded_number_of_renders() -> None:
    paragraphs = [f"Paragraph {i} says something about item {i}.\n\n" for i in range(300)]
    items = [f"- item {i}\n" for i in range(300)]
    text = "".join(paragraphs) + "\n" + "".join(items) + "\n```\n" + "code\n" * 200 + "```\n"
    deltas = chunked(text, max(1, len(text) // 10_000))
    assert len(deltas) >= 10_000
    renderer, _, _, clock = make(step=0.001)  # 1 ms per clock reading
    feed(renderer, text_stream(deltas))
    renderer.finish({})
    splitter = BlockSplitter()
    blocks = splitter.feed(text) + splitter.close()
    assert renderer.stats.block_renders == len(blocks) == 300 + 300 + 1
    elapsed = clock.now - 1000.0
    assert renderer.stats.tail_renders <= elapsed * 15 + 1
    assert renderer.stats.tail_renders > 10  # the tail was shown while streaming


def test_a_tail_taller_than_the_terminal_shows_its_last_lines() -> None:
    renderer, console, _, _ = make(height=10)
    code = "".join(f"line {i}\n" for i in range(40))
    feed(renderer, text_stream([]))  # an empty answer first: nothing drawn
    renderer.finish({})
    feed(renderer, [MessageStart({}), ContentBlockStart(0, {"type": "text", "text": ""})])
    feed(renderer, [TextDelta(0, piece) for piece in chunked("```\n" + code, 9)])
    assert_golden("tail_cropped", screen_of(console))
    renderer.finish({})
    assert "line 0\n" in screen_of(console) + "\n"
    assert "line 39" in screen_of(console)


def test_abort_keeps_the_partial_answer_and_restores_the_cursor() -> None:
    renderer, console, err, _ = make()
    feed(renderer, [MessageStart({}), ContentBlockStart(0, {"type": "text", "text": ""})])
    feed(renderer, [TextDelta(0, "Partial para"), TextDelta(0, "graph, still going")])
    renderer.abort("interrupted")
    assert screen_of(console) == "Partial paragraph, still going"
    assert re.findall(r"\x1b\[\?25([hl])", written(console))[-1] == "h"  # cursor shown again
    assert err.getvalue() == "interrupted\n"


STALLED = [  # what `#emu fault=stall` sends before it stalls, in the emulator's delta sizes
    "## Section 1\n\n",
    "Cache terminal tokens ",
    "tables scripts lists.\n\n- ",
    "**Point 1:** Any the reply ",
    "is tool it.\n- `item_1` ",
    "Any the reply.\n\nCan network ",
    "document cache care.\n\n",
]
OPEN_TAILS = {  # the open block when it stalls; Rich pads a paragraph's lines to full width
    "quote": ["> Pipelines ", "prompt markdown key "],
    "paragraph": ["Pipelines prompt ", "markdown key"],
}


@pytest.mark.parametrize("tail", OPEN_TAILS)
@pytest.mark.parametrize("step", [0.0, 0.1], ids=["throttled", "every-refresh"])
def test_ctrl_c_during_a_stall_shows_every_block_once(step: float, tail: str) -> None:
    """The stream stalls, the tty echoes `^C` at the cursor, then the CLI calls `abort`.

    With step 0 only the first event refreshes the live region (all deltas arrive within one
    frame, as from a fast server), so blocks are committed while the frame is stale.
    """
    deltas = STALLED + OPEN_TAILS[tail]
    renderer, console, _, _ = make(step=step)
    feed(renderer, [MessageStart({}), ContentBlockStart(0, {"type": "text", "text": ""})])
    feed(renderer, [TextDelta(0, delta) for delta in deltas])
    screen = Screen(width=60).feed(written(console))
    stalled = screen.text()
    for words in ("Section 1", "Cache terminal", "Point 1", "item_1", "Can network", "Pipelines"):
        assert stalled.count(words) <= 1, stalled  # nothing committed is also in the frame
    screen.feed("^C")  # echoed by the tty where the cursor is, before Python sees SIGINT
    mark = len(written(console))
    renderer.abort("")
    screen.feed(written(console)[mark:])
    whole = fixed_console()
    whole.print(live_markdown("".join(deltas)))
    assert screen.text() == screen_of(whole)  # each block once, the open one committed
    assert (screen.row, screen.col) == (len(screen_of(whole).splitlines()), 0)
    assert re.findall(r"\x1b\[\?25([hl])", written(console))[-1] == "h"


def test_renderer_is_reusable_for_the_next_answer() -> None:
    renderer, console, _, _ = make()
    for word in ("First.", "Second."):
        msg = message({"type": "text", "text": word})
        feed(renderer, streamed(msg))
        renderer.finish(msg)
    assert screen_of(console) == "First.\nSecond."


def test_finish_renders_a_message_that_was_not_streamed() -> None:
    renderer, console, err, _ = make()
    renderer.finish(message({"type": "text", "text": "# Hi\n\nthere"}), usage_line="12 tokens")
    assert screen_of(console).split() == ["Hi", "there"]
    assert err.getvalue() == "12 tokens\n"


def test_spinner_until_the_first_token_with_retry_notice() -> None:
    console = fixed_console()
    err = io.StringIO()
    clock = FakeClock()
    spinner = Spinner(err, clock=clock, animate=False)
    renderer = LiveRenderer(console, err, clock=clock, spinner=spinner)
    renderer.start()
    clock.advance(1.25)
    spinner.tick()
    renderer.on_retry(RetryNotice("overloaded", 2.1, 1, 2))
    assert "overloaded, retrying in 2.1 s (1/2)" in err.getvalue()
    feed(renderer, [MessageStart({}), ContentBlockStart(0, {"type": "text", "text": ""})])
    assert spinner.active  # nothing visible yet
    feed(renderer, [TextDelta(0, "Hi")])
    assert not getattr(spinner, "active")  # noqa: B009 (mypy narrows the attribute)
    renderer.finish({})
    assert err.getvalue().endswith("\r\x1b[K")
    assert "waiting · 1.2 s" in err.getvalue()


def test_streamed_answer_looks_like_rendering_the_whole_document() -> None:
    whole = fixed_console()
    whole.print(live_markdown(ANSWER))
    renderer, console, _, _ = make()
    feed(renderer, text_stream(chunked(ANSWER, 1)))
    renderer.finish({})
    assert screen_of(console) == screen_of(whole)
