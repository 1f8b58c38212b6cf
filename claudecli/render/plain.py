"""The renderer for a piped stdout: raw Markdown, flushed per delta, no rich, no ANSI on stdout.

Channels:

* **stdout** carries the answer text only: every text delta, sanitized (a pipe can end at a
  terminal, so only `\\n` and `\\t` survive among control characters), written and flushed as it
  arrives. Text runs separated by tool blocks are separated by a blank line, and the output ends
  with a newline.
* **stderr** carries everything else, as plain text: thinking (only with `show_thinking`),
  tool calls and server tool results, notes, retry notices, the usage line.
* **Citations** (there are some only when the user asked for them): the `[1]` markers are
  inserted in the text and the footnotes follow the answer on stdout, after a blank line, in
  the same words as on a terminal, so a reader of the pipe can match them. With
  `footnotes_on_stdout=False`, stdout stays exactly the answer text (no markers) and the
  footnotes go to stderr.

Write errors (BrokenPipeError for `| head`) propagate: the command decides how to exit.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TextIO

from .core import StreamRenderer
from .spinner import Clock, Spinner
from .summaries import Summary
from .terminal import ErrWriter

__all__ = ["PlainRenderer", "PlainSink", "QuietSink"]


def _summary_lines(summary: Summary) -> list[str]:
    lines = [f"[{summary.title}]", *(f"  {line}" for line in summary.body)]
    if summary.more:
        lines.append(f"  (+{summary.more} lines)")
    return lines


class PlainSink:
    """Plain-text output; strings arrive sanitized from the interpreter."""

    def __init__(self, out: TextIO, err: ErrWriter, *, footnotes_on_stdout: bool = False) -> None:
        self._out = out
        self._err = err
        self._footnotes_on_stdout = footnotes_on_stdout
        self._last = ""  # the last two characters written to stdout
        self._wrote = False
        self._break = False
        self._thinking_mid_line = False

    def text(self, text: str) -> None:
        if self._break:
            self._break = False
            self._write("\n" * self._missing_newlines(2))
        self._write(text)

    def end_text(self) -> None:
        self._break = self._wrote

    def thinking_start(self) -> None:
        self._err.line("[thinking]", "dim")

    def thinking(self, text: str) -> None:
        if text:
            self._err.write(f"\x1b[2m{text}\x1b[0m" if self._err.color else text)
            self._thinking_mid_line = not text.endswith("\n")

    def thinking_end(self, summary: str) -> None:
        if self._thinking_mid_line:
            self._err.write("\n")
            self._thinking_mid_line = False
        self._err.line(f"[{summary}]", "dim")

    def tool_start(self, title: str) -> None:
        """Tool input is not streamed to a pipe; the whole call is shown at its end."""

    def tool_input(self, text: str) -> None:
        """See `tool_start`."""

    def summary(self, summary: Summary) -> None:
        style = "error" if summary.error else "dim"
        for line in _summary_lines(summary):
            self._err.line(line, style)

    def note(self, text: str) -> None:
        self._err.line(text, "dim")

    def footnotes(self, lines: list[str]) -> None:
        if not self._footnotes_on_stdout:
            for line in lines:
                self._err.line(line, "dim")
            return
        if self._wrote:
            self._write("\n" * self._missing_newlines(2))
        self._write("".join(f"{line}\n" for line in lines))

    def tick(self) -> None:
        """Nothing is throttled in a pipe."""

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if self._wrote and not self._last.endswith("\n"):
            self._write("\n")
        self._out.flush()
        self._last = ""
        self._wrote = self._break = False

    def _missing_newlines(self, wanted: int) -> int:
        present = len(self._last) - len(self._last.rstrip("\n"))
        return max(0, wanted - present)

    def _write(self, text: str) -> None:
        if not text:
            return
        self._out.write(text)  # flushed by flush(), before the caller waits for more
        self._last = (self._last + text)[-2:]
        self._wrote = True


class QuietSink:
    """Draws nothing: for `--json` / `--stream-json`, where stdout carries JSON instead.

    The renderer around it still runs the spinner and prints retry notices, the usage line
    and the abort reason on stderr.
    """

    def text(self, text: str) -> None:
        """Nothing: the answer is in the JSON."""

    def end_text(self) -> None:
        """Nothing to draw."""

    def thinking_start(self) -> None:
        """Nothing to draw."""

    def thinking(self, text: str) -> None:
        """Nothing to draw."""

    def thinking_end(self, summary: str) -> None:
        """Nothing to draw."""

    def tool_start(self, title: str) -> None:
        """Nothing to draw."""

    def tool_input(self, text: str) -> None:
        """Nothing to draw."""

    def summary(self, summary: Summary) -> None:
        """Nothing to draw."""

    def note(self, text: str) -> None:
        """Nothing to draw."""

    def footnotes(self, lines: list[str]) -> None:
        """Nothing: citations are in the JSON as the API gave them."""

    def tick(self) -> None:
        """Nothing to refresh."""

    def flush(self) -> None:
        """Nothing is written."""

    def close(self) -> None:
        """Nothing to release."""


class PlainRenderer(StreamRenderer):
    """Renderer for a piped stdout (see the module docstring for what goes where)."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        *,
        show_thinking: bool = False,
        citations_names: Mapping[int, str] | None = None,
        clock: Clock = time.monotonic,
        spinner: Spinner | None = None,
        err_color: bool = False,
        footnotes_on_stdout: bool = True,
    ) -> None:
        writer = ErrWriter(err, color=err_color)
        super().__init__(
            PlainSink(out, writer, footnotes_on_stdout=footnotes_on_stdout),
            writer,
            show_thinking=show_thinking,
            citations_names=citations_names,
            clock=clock,
            spinner=spinner,
            inline_markers=footnotes_on_stdout,
        )
