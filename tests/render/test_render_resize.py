"""A resize while the live region is shown: every row of the old region is erased, on a
terminal that reflows (tmux, VTE: the old rows take more rows at a narrower width) and on one
that truncates them (xterm: erasing the reflowed height there would erase committed lines)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from claudecli.render.live import LiveSink, make_console
from claudecli.render.terminal import terminal_reflows

from .render_helpers import FakeClock, Screen, fixed_console, written

HEAD = "Committed first.\n\nThen this.\n\n"  # closed blocks, in the scrollback before the resize
WORDS = [f"word{i:03d}" for i in range(60)]
OPEN = " ".join(WORDS[:40])  # an open paragraph: in the live region when the window changes


def _sink(console: Console, *, reflows: bool) -> LiveSink:
    return LiveSink(console, clock=FakeClock(step=1.0), reflows=reflows)


def _after_resize(width: int, *, reflows: bool, screen_reflows: bool | None = None) -> Screen:
    """Stream, resize the console and the screen to `width`, stream the rest, close."""
    console = fixed_console(width=60, height=40)
    sink = _sink(console, reflows=reflows)
    screen = Screen(width=60)
    sink.text(HEAD + OPEN)
    sink.tick()
    screen.feed(written(console))
    mark = len(written(console))
    screen.resize(width, reflow=reflows if screen_reflows is None else screen_reflows)
    console.width = width
    sink.text(" " + " ".join(WORDS[40:]))
    sink.tick()
    sink.close()
    return screen.feed(written(console)[mark:])


def _expected(width: int) -> list[str]:
    """The paragraph as it ends up when all of it is drawn at `width`."""
    console = fixed_console(width=width, height=40)
    sink = _sink(console, reflows=False)
    sink.text(" ".join(WORDS) + "\n\n")
    sink.close()
    return Screen(width=width).feed(written(console)).text().splitlines()


def _after_head(rows: list[str]) -> int:
    return next(i for i, row in enumerate(rows) if row.startswith("word"))


@pytest.mark.parametrize("width", [35, 25, 90], ids=["narrower", "less-than-half", "wider"])
@pytest.mark.parametrize("reflows", [True, False], ids=["reflowing", "truncating"])
def test_a_resize_mid_answer_erases_the_whole_old_region(width: int, reflows: bool) -> None:
    screen = _after_resize(width, reflows=reflows)
    rows = screen.text().splitlines()
    head, paragraph = rows[: _after_head(rows)], rows[_after_head(rows) :]
    # the committed lines are all still there (their padding re-wrapped onto blank rows)
    assert [row for row in head if row] == ["Committed first.", "Then this."], rows
    assert paragraph == _expected(width), rows  # each word once, drawn at the new width
    assert (screen.row, screen.col) == (len(rows), 0)


def test_a_reflowing_terminal_taken_for_a_truncating_one_keeps_old_rows() -> None:
    # What the renderer did before it knew: the reflowed rows of the old region stay behind.
    screen = _after_resize(35, reflows=False, screen_reflows=True)
    assert screen.text().count("word000") == 2


@pytest.mark.parametrize(
    ("env", "reflows"),
    [
        ({"TMUX": "/tmp/tmux-1000/default,1,0", "TERM": "tmux-256color"}, True),
        ({"VTE_VERSION": "7600", "TERM": "xterm-256color"}, True),
        ({"TERM_PROGRAM": "iTerm.app"}, True),
        ({"TERM": "xterm-kitty"}, True),
        ({"XTERM_VERSION": "XTerm(390)", "VTE_VERSION": "7600"}, False),  # xterm started from VTE
        ({"STY": "1234.pts-0", "TERM": "screen"}, False),
        ({"TERM": "xterm-256color"}, False),  # unknown: the safe answer
        ({}, False),
    ],
)
def test_which_terminals_reflow(env: dict[str, str], reflows: bool) -> None:
    assert terminal_reflows(env) is reflows


def test_make_console_tells_the_sink_whether_the_terminal_reflows() -> None:
    console = make_console(io.StringIO(), color=False, animate=True, width=60, env={"TMUX": "x"})
    assert LiveSink(console).reflows
    assert not LiveSink(make_console(io.StringIO(), color=False, animate=True, env={})).reflows
