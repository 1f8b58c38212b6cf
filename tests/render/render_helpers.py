"""Test helpers for claudecli.render: a fake clock, fixed consoles, a tiny VT screen, goldens."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from claudecli.client.events import (
    ContentBlockStart,
    ContentBlockStop,
    InputJsonDelta,
    MessageDelta,
    MessageStart,
    MessageStop,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)
from claudecli.client.synth import events_from_message

GOLDEN = Path(__file__).parent / "golden"


class FakeClock:
    """A monotonic clock the test moves by hand (optionally a step per reading)."""

    def __init__(self, start: float = 1000.0, step: float = 0.0) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def fixed_console(width: int = 60, height: int = 20, *, interactive: bool = True) -> Console:
    """The deterministic terminal of reliability-security.md §E2."""
    return Console(
        file=io.StringIO(),
        width=width,
        height=height,
        force_terminal=True,
        force_interactive=interactive,
        color_system=None,
        record=True,
        highlight=False,
        markup=False,
        emoji=False,
        _environ={},
    )


def written(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


_TOKEN = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\r|\n|[^\x1b\r\n]+|\x1b.?", re.DOTALL)


class Screen:
    """Just enough of a VT100 to replay what Rich's Live and the spinner write.

    Any escape sequence it does not expect fails the test: output must contain nothing else.
    With `width`, text wraps like xterm's autowrap: a character written in the last column
    leaves the cursor there, and the next printable character first moves to a new line (so
    what the tty echoes, e.g. `^C`, lands one row lower than a program that forgot it expects).
    `resize()` changes the width like a terminal that reflows (tmux, VTE) or one that truncates
    (xterm). The screen has no height: nothing is ever out of reach of the cursor.
    """

    def __init__(self, width: int | None = None) -> None:
        self.lines: list[str] = [""]
        self.soft: set[int] = set()  # rows that the autowrap continued on the next row
        self.row = 0
        self.col = 0
        self.width = width

    def resize(self, width: int, *, reflow: bool) -> Screen:
        """Re-wrap every row at `width`, the cursor following its text; or truncate the rows."""
        if reflow:
            self._reflow(width)
        else:
            self.lines = [line[:width] for line in self.lines]
            self.col = min(self.col, width - 1)
        self.width = width
        return self

    def _reflow(self, width: int) -> None:
        lines: list[str] = []
        soft: set[int] = set()
        cursor = (0, 0)
        for first, last, text in self._logical():
            if first <= self.row <= last:
                offset = sum(len(self.lines[r]) for r in range(first, self.row)) + self.col
                cursor = (len(lines) + offset // width, offset % width)
            chunks = [text[i : i + width] for i in range(0, len(text), width)] or [""]
            soft.update(range(len(lines), len(lines) + len(chunks) - 1))
            lines.extend(chunks)
        while len(lines) <= cursor[0]:
            lines.append("")
        self.lines, self.soft = lines, soft
        self.row, self.col = cursor

    def _logical(self) -> list[tuple[int, int, str]]:
        """(first row, last row, text) of each line written, joining the autowrapped rows."""
        out: list[tuple[int, int, str]] = []
        for row, line in enumerate(self.lines):
            if row - 1 in self.soft:
                first, _, text = out[-1]
                out[-1] = (first, row, text + line)
            else:
                out.append((row, row, line))
        return out

    def feed(self, data: str) -> Screen:
        for match in _TOKEN.finditer(data):
            self._token(match)
        return self

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines).rstrip("\n")

    def _token(self, match: re.Match[str]) -> None:
        token = match.group(0)
        if token == "\r":
            self.col = 0
        elif token == "\n":
            self._newline()
        elif match.group(2):
            self._csi(match.group(1), match.group(2))
        elif token.startswith("\x1b"):
            raise AssertionError(f"unexpected escape {token!r}")
        else:
            self._put(token)

    def _csi(self, params: str, final: str) -> None:
        if final == "A":
            self.row = max(0, self.row - int(params or "1"))
            if self.width is not None:
                self.col = min(self.col, self.width - 1)  # leaves the pending-wrap state
        elif final == "K":
            keep = "" if params == "2" else self.lines[self.row][: self.col]
            self.lines[self.row] = keep
            self.soft.discard(self.row)
        elif final in "hl" and params == "?25":
            pass  # cursor show / hide
        elif final == "m":
            pass  # colours
        else:
            raise AssertionError(f"unexpected CSI {params!r}{final}")

    def _newline(self) -> None:
        self.row += 1
        self.col = 0
        if self.row == len(self.lines):
            self.lines.append("")

    def _put(self, text: str) -> None:
        while text:
            if self.width is not None and self.col >= self.width:
                self.soft.add(self.row)
                self._newline()  # the deferred wrap of a full line
            room = len(text) if self.width is None else self.width - self.col
            chunk, text = text[:room], text[room:]
            line = self.lines[self.row].ljust(self.col)
            self.lines[self.row] = line[: self.col] + chunk + line[self.col + len(chunk) :]
            self.col += len(chunk)


def screen_of(console: Console) -> str:
    """What the terminal shows (scrollback included) after everything written so far."""
    return Screen().feed(written(console)).text()


def normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/render/golden/NAME.txt (UPDATE_GOLDEN=1 rewrites it)."""
    path = GOLDEN / f"{name}.txt"
    actual = normalize(text)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"golden {name} differs:\n{actual}"


def message(*blocks: Mapping[str, Any], usage: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": list(blocks),
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": dict(usage or {"input_tokens": 10, "output_tokens": 20}),
    }


def chunked(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def streamed(msg: Mapping[str, Any], chunk: int = 7) -> Iterator[StreamEvent]:
    """The events of `msg`, with every text/thinking/JSON delta cut into `chunk`-sized pieces."""
    for event in events_from_message(msg):
        yield from _split(event, chunk)


def _split(event: StreamEvent, size: int) -> list[StreamEvent]:
    if isinstance(event, TextDelta) and len(event.text) > size:
        return [TextDelta(event.index, piece) for piece in chunked(event.text, size)]
    if isinstance(event, ThinkingDelta) and len(event.thinking) > size:
        return [ThinkingDelta(event.index, piece) for piece in chunked(event.thinking, size)]
    if isinstance(event, InputJsonDelta) and len(event.partial_json) > size:
        return [InputJsonDelta(event.index, piece) for piece in chunked(event.partial_json, size)]
    return [event]


def text_stream(deltas: Iterable[str]) -> Iterator[StreamEvent]:
    """message_start, one text block carrying `deltas`, message_delta, message_stop."""
    yield MessageStart({"id": "msg_test", "content": []})
    yield ContentBlockStart(0, {"type": "text", "text": ""})
    for delta in deltas:
        yield TextDelta(0, delta)
    yield ContentBlockStop(0)
    yield MessageDelta({"stop_reason": "end_turn"}, {"output_tokens": 1})
    yield MessageStop()
