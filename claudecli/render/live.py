"""The renderer for a terminal: streaming Markdown with Rich, O(n) in the answer's length.

Closed Markdown blocks (see `blocks.py`) are rendered once with `rich.markdown.Markdown` (built
by `markdown.py` without a parser per block) and printed to the scrollback, the blocks that one
delta closes in one print. Only the open block lives in a transient live region (`_Region`, a
Rich render hook like `rich.live.Live`): the tail Markdown, the thinking section, or the panel of
a tool call whose input is streaming. That region is rendered by us, at most `fps` times a second
(manual refreshes, injectable clock), from a bounded window of the tail, and cropped to the
terminal height keeping the **last** lines (never a frozen `...`). A print only ever re-draws the
cached lines of the last render, so a commit costs one block render. `stats` counts the renders
for tests.

A resize while the region is shown: the region knows the width of every row it drew, so it erases
the rows they occupy at the new width on a terminal that reflows (tmux, VTE, iTerm2, kitty...:
`terminal.terminal_reflows`), and the rows it drew on one that truncates instead (xterm).

Thinking (shown only with `--show-thinking`) streams in the live region; when it ends, all of it
is printed once to the scrollback, dim, followed by its summary line ("thought for 3.0 s"): the
user asked to see it, so it is not erased.

Model text is never markup: it reaches Rich inside `Text`, `Markdown` (with `hyperlinks=False`,
so a Markdown link shows its URL and never becomes an OSC 8 hyperlink) or `Syntax`, and it has
been sanitized before it gets here.

With `animate=False` (TERM=dumb, or colour forced into a pipe) there is no live region and no
cursor movement: blocks appear as they close, thinking and tool calls when they end.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TextIO, TypeVar

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    Group,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.control import Control
from rich.panel import Panel
from rich.segment import ControlType, Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from rich.theme import Theme

from .blocks import Block, BlockSplitter
from .core import StreamRenderer
from .markdown import lexer_for, markdown, theme_for
from .spinner import Clock, Spinner
from .summaries import Summary
from .terminal import ErrWriter, terminal_reflows

__all__ = [
    "LiveRenderer",
    "LiveSink",
    "RenderStats",
    "TerminalConsole",
    "Throttle",
    "make_console",
]

Lines = list[list[Segment]]
# Rich's headings differ by colour from level 2 on: without colour, attributes must tell them.
_MONOCHROME = {
    "markdown.h2": "bold underline",
    "markdown.h3": "bold",
    "markdown.h4": "bold italic",
    "markdown.h5": "italic underline",
}
_DIM = Style(dim=True)
_P = ParamSpec("_P")
_R = TypeVar("_R")


class TerminalConsole(Console):
    """A Console that also knows whether its terminal reflows its lines on a resize."""

    reflows = False


def make_console(
    file: TextIO,
    *,
    color: bool,
    animate: bool,
    width: int | None = None,
    height: int | None = None,
    env: Mapping[str, str] | None = None,
    styles: bool = False,
) -> Console:
    """The stdout Console: always a terminal (we decided), never markup, emoji or highlighting.

    Without `color`, `styles` keeps the attributes (bold, italic, underline, dim, reverse) and
    headings are made bold, since no colour tells them apart: NO_COLOR removes colour only.
    """
    console = TerminalConsole(
        file=file,
        force_terminal=True,
        force_interactive=animate,
        color_system="auto" if color else "standard" if styles else None,
        no_color=not color,
        theme=None if color else Theme(_MONOCHROME),
        width=width,
        height=height,
        highlight=False,
        markup=False,
        emoji=False,
        _environ=dict(env) if env is not None else None,
    )
    console.reflows = terminal_reflows(os.environ if env is None else env)
    return console


@dataclass(slots=True)
class RenderStats:
    block_renders: int = 0  # closed Markdown blocks rendered (each exactly once)
    tail_renders: int = 0  # renders of the live region's content (throttled)
    refreshes: int = 0  # refreshes of the live region


class Throttle:
    """`ready()` is true at most once per `interval` seconds of `clock`."""

    def __init__(self, clock: Clock, interval: float) -> None:
        self._clock = clock
        self._interval = interval
        self._last = float("-inf")

    def ready(self) -> bool:
        now = self._clock()
        if now - self._last < self._interval:
            return False
        self._last = now
        return True


_ERASE_ROW = (ControlType.ERASE_IN_LINE, 2)
_ROW_UP = (ControlType.CURSOR_UP, 1)


class _Region(RenderHook):
    """The live region: `lines`, re-drawn below whatever is printed through the console.

    Like `rich.live.Live`, each print (a commit, or a refresh printing nothing) is preceded by
    the erase of the region and followed by the region drawn again. The erase starts from the
    region's last row, where drawing left the cursor, and goes up the rows the region occupies
    *now*, computed from the visible width of every row drawn (kept here): one row each at the
    width they were drawn at, ceil(width / new width) after a resize on a terminal that
    `reflows` (it re-wraps the old rows, and the cursor follows its text). A terminal that does
    not reflow truncates a narrowed row, so there the region keeps its height: erasing the
    reflowed height would erase committed lines above it.

    Rich pads most lines to the full width, which leaves the cursor in the terminal's
    pending-wrap state: any character the tty echoes then (`^C` on Ctrl-C) wraps to a new row,
    and the erase would start one row too low, leaving the region's top row behind. So the
    region (even an empty one) ends with an empty row for the cursor: an echo lands there,
    inside the region, and is erased with it.
    """

    def __init__(self, console: Console, *, reflows: bool) -> None:
        self.console = console
        self.reflows = reflows
        self.lines: Lines = []
        self._widths: list[int] = []  # each row drawn last, the cursor's (empty) row included
        self._drawn_at = 1  # the terminal's width then

    def start(self) -> None:
        self.console.show_cursor(False)
        self.console.push_render_hook(self)

    def refresh(self) -> None:
        self.console.print(Control())

    def stop(self) -> None:
        """Erase the region (the cursor ends where its top row was) and give the cursor back."""
        self.console.pop_render_hook()
        self.console.control(self._erase())
        self._widths = []
        self.console.show_cursor(True)

    def rows(self) -> int:
        """The rows the region occupies on the screen now."""
        width = self.console.width
        at = width if self.reflows and width != self._drawn_at else self._drawn_at
        return sum(max(1, -(-cells // max(at, 1))) for cells in self._widths)

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [self._erase(), *renderables, self]

    def _erase(self) -> Control:
        rows = self.rows()
        if not rows:
            return Control()
        return Control(ControlType.CARRIAGE_RETURN, _ERASE_ROW, *(_ROW_UP, _ERASE_ROW) * (rows - 1))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.size.width
        self._drawn_at = width
        self._widths = []
        for line in self.lines:
            cells = Segment.get_line_length(line)
            if cells > width:  # drawn at an older width: cropped, so that it takes one row
                line, cells = Segment.adjust_line_length(line, width), width
            self._widths.append(cells)
            yield from line
            yield Segment.line()
        self._widths.append(0)  # the cursor's row, where the next print starts, empty


class _Lines:
    """Pre-rendered lines to print to the scrollback."""

    def __init__(self, lines: Lines) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            yield from line
            yield Segment.line()


def _is_empty(line: list[Segment]) -> bool:
    return all(not segment.text for segment in line)


def _strip_empty(lines: Lines) -> Lines:
    start, end = 0, len(lines)
    while start < end and _is_empty(lines[start]):
        start += 1
    while end > start and _is_empty(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _rstrip(line: list[Segment]) -> list[Segment]:
    """The line without the blank padding Rich adds up to the full width (coloured cells stay).

    A padded line fills the terminal's width, so a terminal that reflows on a resize would turn
    each row of the live region into two when the window narrows, and leave half of them behind.
    """
    out = list(line)
    while out:
        last = out[-1]
        if last.control or (last.style is not None and last.style.bgcolor is not None):
            break
        text = last.text.rstrip(" ")
        if text:
            out[-1] = Segment(text, last.style)
            break
        out.pop()
    return out


def _crop(lines: Lines, rows: int) -> Lines:
    """The last `rows` lines, the first of them replaced by a mark that more is above."""
    if len(lines) <= rows:
        return lines
    keep = max(rows - 1, 1)
    return [[Segment("(… more above)", _DIM)], *lines[-keep:]]


def _last_chars(parts: list[str], max_chars: int) -> str:
    kept: list[str] = []
    size = 0
    for part in reversed(parts):
        kept.append(part)
        size += len(part)
        if size >= max_chars:
            break
    return "".join(reversed(kept))[-max_chars:]


class _MarkdownTail:
    def __init__(self, splitter: BlockSplitter, draw: Callable[[str], RenderableType]) -> None:
        self.splitter = splitter
        self.draw = draw

    def renderable(self, max_lines: int, max_chars: int) -> RenderableType:
        return self.draw(self.splitter.window(max_lines, max_chars))


class _ThinkingTail:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self) -> str:
        """All the thinking, for the scrollback (rendered once, when it ends)."""
        return "".join(self.parts).strip("\n")

    def renderable(self, max_lines: int, max_chars: int) -> RenderableType:
        text = _last_chars(self.parts, max_chars)
        return Group(Text("thinking…", style="dim bold"), Text(text, style="dim italic"))


class _ToolTail:
    def __init__(self, title: str) -> None:
        self.title = title
        self.parts: list[str] = []

    def renderable(self, max_lines: int, max_chars: int) -> RenderableType:
        text = Text(_last_chars(self.parts, max_chars), style="dim")
        return Panel(text, title=Text(self.title), title_align="left", border_style="dim")


_Tail = _MarkdownTail | _ThinkingTail | _ToolTail


def _summary_renderable(summary: Summary, code_theme: str) -> RenderableType:
    title = Text(summary.title, style="bold red" if summary.error else "bold")
    if not summary.body:
        return Text.assemble(("• ", "dim"), title)
    code = "\n".join(summary.body)
    body: RenderableType = (
        Syntax(
            code,
            lexer_for(summary.language),
            theme=theme_for(code_theme),
            word_wrap=True,
            background_color="default",
        )
        if summary.language
        else Text(code)
    )
    if summary.more:
        body = Group(body, Text(f"(+{summary.more} lines)", style="dim"))
    border = "red" if summary.error else "dim"
    return Panel(body, title=title, title_align="left", border_style=border, expand=False)


def _reflows(console: Console, reflows: bool | None) -> bool:
    """`reflows` if given, else what `make_console` found out about the terminal."""
    if reflows is not None:
        return reflows
    return isinstance(console, TerminalConsole) and console.reflows


def _locked(
    method: Callable[Concatenate[LiveSink, _P], _R],
) -> Callable[Concatenate[LiveSink, _P], _R]:
    """Run a `LiveSink` method under its lock (the catch-up thread draws too)."""

    @functools.wraps(method)
    def wrapper(sink: LiveSink, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with sink._lock:
            return method(sink, *args, **kwargs)

    return wrapper


class LiveSink:
    """Scrollback commits plus one throttled live region (see the module docstring).

    With `catch_up`, a daemon thread draws what the throttle held back once the stream goes
    quiet (a pause between events would otherwise show a stale tail until the next event), and
    redraws the tail at a new width after a resize. Every drawing method holds one lock.
    """

    def __init__(
        self,
        console: Console,
        *,
        animate: bool = True,
        clock: Clock = time.monotonic,
        fps: float = 15.0,
        code_theme: str = "monokai",
        catch_up: bool = False,
        reflows: bool | None = None,
    ) -> None:
        self.console = console
        self.stats = RenderStats()
        self._animate = animate
        self._interval = 1.0 / fps
        self._throttle = Throttle(clock, self._interval)
        self._code_theme = code_theme
        self._frame = _Region(console, reflows=_reflows(console, reflows))
        self._live: _Region | None = None
        self._tail: _Tail | None = None
        self._markdown: BlockSplitter | None = None
        self._dirty = False
        self._printed = False
        self._lock = threading.RLock()
        self._catch_up = catch_up and animate
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn_width: int | None = None  # the width the live region was last drawn at
        self._ticks = console.no_color or console.color_system is None  # no colour: `code`

    @property
    def reflows(self) -> bool:
        """Whether the terminal re-wraps the live region's rows on a resize (see `_Region`)."""
        return self._frame.reflows

    # -- Sink --------------------------------------------------------------------------------

    @_locked
    def text(self, text: str) -> None:
        if self._markdown is None:
            self._markdown = BlockSplitter()
            self._set_tail(_MarkdownTail(self._markdown, self._markdown_of))
        self._commit_blocks(self._markdown.feed(text))
        self._dirty = True

    @_locked
    def end_text(self) -> None:
        splitter, self._markdown = self._markdown, None
        if splitter is None:
            return
        self._set_tail(None)
        self._commit_blocks(splitter.close())

    @_locked
    def thinking_start(self) -> None:
        self._set_tail(_ThinkingTail())

    @_locked
    def thinking(self, text: str) -> None:
        if text and isinstance(self._tail, _ThinkingTail):
            self._tail.parts.append(text)
            self._dirty = True

    @_locked
    def thinking_end(self, summary: str) -> None:
        tail = self._tail
        self._set_tail(None)
        line = Text(summary, style="dim")
        shown = tail.text() if isinstance(tail, _ThinkingTail) else ""
        self._commit(Group(Text(shown, style="dim italic"), line) if shown else line)

    @_locked
    def tool_start(self, title: str) -> None:
        self._set_tail(_ToolTail(title))

    @_locked
    def tool_input(self, text: str) -> None:
        if text and isinstance(self._tail, _ToolTail):
            self._tail.parts.append(text)
            self._dirty = True

    @_locked
    def summary(self, summary: Summary) -> None:
        if isinstance(self._tail, _ToolTail):
            self._set_tail(None)
        self._commit(_summary_renderable(summary, self._code_theme))

    @_locked
    def note(self, text: str) -> None:
        self._commit(Text(text, style="dim"))

    @_locked
    def footnotes(self, lines: list[str]) -> None:
        self._commit(Text("\n".join(lines), style="dim"))

    @_locked
    def tick(self) -> None:
        if self._dirty and self._animate and self._throttle.ready():
            self._refresh()

    def flush(self) -> None:
        """Rich writes each commit and refresh through at once."""

    def close(self) -> None:
        self._stop_catch_up()
        try:
            with self._lock:
                try:
                    self.end_text()
                    self._set_tail(None)
                finally:
                    self._frame.lines = []  # so stop() erases the region even if a commit failed
                    live, self._live = self._live, None
                    if live is not None:
                        live.stop()
                    self._printed = False
                    self._drawn_width = None
        finally:
            self._stop_catch_up()  # the final commit may have opened the region (and the thread)

    # -- catching up -------------------------------------------------------------------------

    def _start_catch_up(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._catch_up_loop, name="live-tail", daemon=True)
        self._thread.start()

    def _stop_catch_up(self) -> None:
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _catch_up_loop(self) -> None:
        while not self._stopping.wait(self._interval):
            with self._lock:
                if self._live is None:
                    continue
                if self._drawn_width not in (None, self.console.width):
                    self._dirty = self._dirty or self._tail is not None  # a resize: redraw
                self.tick()

    def _note_drawn(self) -> None:
        self._drawn_width = self.console.width

    # -- drawing -----------------------------------------------------------------------------

    def _set_tail(self, tail: _Tail | None) -> None:
        self._tail = tail
        self._frame.lines = []
        self._dirty = tail is not None

    def _markdown_of(self, source: str) -> RenderableType:
        return markdown(
            source, code_theme=self._code_theme, copyable_code=True, code_ticks=self._ticks
        )

    def _render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Lines:
        """Lines for the scrollback, not cropped: a long code line overflows, as it is.

        `options`: the console's options, when the caller renders several blocks at one width
        (`Console.options` builds a new `ConsoleOptions` each time it is read).
        """
        segments = self.console.render(renderable, options or self.console.options)
        return _strip_empty(list(Segment.split_lines(segments)))

    def _render_cropped(self, renderable: RenderableType) -> Lines:
        """Lines for the live region, which must fit the terminal's width."""
        return _strip_empty(self.console.render_lines(renderable, self.console.options, pad=False))

    def _commit_blocks(self, blocks: list[Block]) -> None:
        """Render the blocks that closed together, and print them with one write."""
        if not blocks:
            return
        # The frame was rendered from a tail that still held these blocks: drawn again below
        # the commit (the region re-draws it on every print) it would show them twice until the
        # next refresh, which a stalled stream never brings. The next tick() redraws the tail.
        self._frame.lines = []
        lines: Lines = []
        printed = self._printed
        options = self.console.options  # one width for the blocks printed together
        try:
            for block in blocks:
                rendered = self._render(self._markdown_of(block.source), options)
                self.stats.block_renders += 1
                if not rendered:
                    continue
                if printed and not block.tight:
                    lines.append([])
                lines.extend(rendered)
                printed = True
        finally:
            self._print(lines, gap=False)  # what `_print` per block would show, in one print

    def _commit(self, renderable: RenderableType) -> None:
        self._print(self._render(renderable), gap=True)

    def _print(self, lines: Lines, *, gap: bool) -> None:
        if not lines:
            return
        self._ensure_live()
        if gap and self._printed:
            lines = [[], *lines]
        self.console.print(_Lines(lines), crop=False)
        self._printed = True
        self._note_drawn()

    def _ensure_live(self) -> _Region | None:
        if self._live is None and self._animate:
            self._live = self._frame
            self._live.start()
            if self._catch_up:
                self._start_catch_up()
        return self._live

    def _refresh(self) -> None:
        self._frame.lines = self._render_tail() if self._tail is not None else []
        live = self._ensure_live()
        if live is not None:
            live.refresh()
            self._note_drawn()
            self.stats.refreshes += 1
        self._dirty = False

    def _render_tail(self) -> Lines:
        assert self._tail is not None
        height = max(2, self.console.size.height)
        renderable = self._tail.renderable(height, height * max(self.console.width, 20))
        self.stats.tail_renders += 1
        lines = self._render_cropped(renderable)
        return _crop([_rstrip(line) for line in lines], self._tail_rows(height))

    def _tail_rows(self, height: int) -> int:
        """The rows the live region may show (its cursor's row apart).

        The whole screen but the cursor's row; half of it on a terminal that reflows, so that
        the region still fits the screen after the window narrows by up to half: rows pushed
        above the screen's top are out of reach of any erase (tmux moves them to its history).
        """
        return max(1, (height // 2 if self._frame.reflows else height) - 1)


class LiveRenderer(StreamRenderer):
    """Renderer for a terminal stdout; `console` comes from `make_console()` (or a test)."""

    def __init__(
        self,
        console: Console,
        err: TextIO,
        *,
        show_thinking: bool = False,
        citations_names: Mapping[int, str] | None = None,
        clock: Clock = time.monotonic,
        spinner: Spinner | None = None,
        err_color: bool = False,
        animate: bool = True,
        fps: float = 15.0,
        code_theme: str = "monokai",
        catch_up: bool = False,
        reflows: bool | None = None,
    ) -> None:
        self.sink = LiveSink(
            console,
            animate=animate,
            clock=clock,
            fps=fps,
            code_theme=code_theme,
            catch_up=catch_up,
            reflows=reflows,
        )
        super().__init__(
            self.sink,
            ErrWriter(err, color=err_color),
            show_thinking=show_thinking,
            citations_names=citations_names,
            clock=clock,
            spinner=spinner,
        )

    @property
    def stats(self) -> RenderStats:
        return self.sink.stats
