"""The event interpreter shared by both renderers (pure Python, no rich).

`StreamRenderer` implements the `Renderer` protocol: it turns typed stream events into calls on
a `Sink` (the live terminal view or the plain pipe writer). It owns everything both outputs have
in common: sanitizing every string (per block, across delta boundaries), citation numbers and
markers, thinking timing and token estimates, tool names for tool results, the spinner, and the
order in which things are finished on `finish()` / `abort()`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import assert_never

from claudecli.client import (
    CitationsDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    InputJsonDelta,
    JSONView,
    MessageDelta,
    MessageStart,
    MessageStop,
    Ping,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    UnknownDelta,
    UnknownEvent,
    events_from_message,
)

from .citations import CitationRegistry, markers
from .notices import RetryInfo, retry_text, thought_line
from .protocol import Sink
from .sanitize import StreamSanitizer
from .spinner import Clock, Spinner
from .summaries import (
    TOOL_INPUT_TYPES,
    is_result_block,
    summarize_result,
    summarize_tool_result,
    summarize_tool_use,
    unsupported,
)
from .terminal import ErrWriter

__all__ = ["StreamRenderer"]

_CHARS_PER_TOKEN = 4


@dataclass(slots=True)
class _OpenBlock:
    kind: str
    block: JSONView
    started: float
    parts: list[str] = field(default_factory=list)  # tool input JSON fragments
    chars: int = 0  # thinking characters seen
    citations: list[int] = field(default_factory=list)
    sanitizer: StreamSanitizer = field(default_factory=StreamSanitizer)


class StreamRenderer:
    """Interprets events for one `Sink`; see `Renderer` for the calling order."""

    def __init__(
        self,
        sink: Sink,
        err: ErrWriter,
        *,
        show_thinking: bool = False,
        citations_names: Mapping[int, str] | None = None,
        clock: Clock = time.monotonic,
        spinner: Spinner | None = None,
        inline_markers: bool = True,
    ) -> None:
        self._sink = sink
        self._err = err
        self._show_thinking = show_thinking
        self._clock = clock
        self._spinner = spinner
        self._inline_markers = inline_markers
        self._citations = CitationRegistry(citations_names)
        self._open: dict[int, _OpenBlock] = {}
        self._tool_names: dict[str, str] = {}
        self._in_text = False
        self._pending_newlines = ""
        self._saw_events = False

    # -- Renderer protocol -------------------------------------------------------------------

    def start(self) -> None:
        """Show the spinner (if any) while waiting for the first token."""
        if self._spinner is not None:
            self._spinner.start()

    def on_event(self, event: StreamEvent) -> None:
        self._saw_events = True
        match event:
            case TextDelta(index=index, text=text):
                self._on_text(index, text)
            case ThinkingDelta(index=index, thinking=thinking):
                self._on_thinking(index, thinking)
            case InputJsonDelta(index=index, partial_json=partial):
                self._on_input(index, partial)
            case CitationsDelta(index=index, citation=citation):
                self._on_citation(index, citation)
            case ContentBlockStart(index=index, block=block):
                self._on_block_start(index, block)
            case ContentBlockStop(index=index):
                self._on_block_stop(index)
            case MessageStart():
                self._on_message_start()
            case (
                MessageDelta()
                | MessageStop()
                | Ping()
                | ErrorEvent()
                | UnknownEvent()
                | SignatureDelta()
                | UnknownDelta()
            ):
                pass  # nothing to draw (usage is the caller's; errors come as exceptions)
            case _:
                assert_never(event)
        self._sink.tick()

    def on_retry(self, notice: RetryInfo) -> None:
        """A retry notice on stderr (above the spinner when it runs)."""
        text = retry_text(notice)
        if self._spinner is not None and self._spinner.active:
            self._spinner.note(text)
        else:
            self._err.line(text, "warn")

    def on_tool_result(self, block: JSONView) -> None:
        self._show()
        name = self._tool_names.get(str(block.get("tool_use_id")))
        self._sink.summary(summarize_tool_result(block, name))
        self._sink.tick()

    def finish(self, message: JSONView, *, usage_line: str | None = None) -> None:
        """The answer is complete. A message that was never streamed is rendered whole."""
        if not self._saw_events and message:
            for event in events_from_message(message):
                self.on_event(event)
        self._wrap_up()
        if usage_line:
            self._err.line(usage_line, "dim")

    def flush(self) -> None:
        """Push what was written to stdout (called before the caller waits for the network)."""
        self._sink.flush()

    def abort(self, reason: str) -> None:
        """Keep what was shown, close the live region cleanly, then say why it stopped.

        Best effort: called while another exception is on its way up, so a closed stream
        (OSError, e.g. a broken pipe) does not replace that exception.
        """
        with contextlib.suppress(OSError):
            try:
                self._wrap_up()
            finally:
                self._stop_spinner()
                self._sink.close()
        if reason:
            with contextlib.suppress(OSError):
                self._err.line(reason, "warn")

    # -- events ------------------------------------------------------------------------------

    def _on_message_start(self) -> None:
        self._open.clear()
        self._citations.clear()

    def _on_block_start(self, index: int, block: JSONView) -> None:
        kind = str(block.get("type") or "")
        opened = self._open[index] = _OpenBlock(kind, block, self._clock())
        if kind == "text":
            self._in_text = True
            self._on_text(index, str(block.get("text") or ""))
            return
        self._end_text_run()
        if kind == "thinking":
            self._start_thinking(opened)
        elif kind in TOOL_INPUT_TYPES:
            self._show()
            self._sink.tool_start(summarize_tool_use(block, "").title)

    def _start_thinking(self, opened: _OpenBlock) -> None:
        if not self._show_thinking:
            if self._spinner is not None:
                self._spinner.set_label("thinking")
            return
        self._show()
        self._sink.thinking_start()
        self._on_thinking_text(opened, str(opened.block.get("thinking") or ""))

    def _on_text(self, index: int, text: str) -> None:
        opened = self._open.get(index)
        if opened is None or opened.kind != "text" or not text:
            return
        self._show()
        self._emit_text(opened.sanitizer.feed(text))

    def _on_thinking(self, index: int, text: str) -> None:
        opened = self._open.get(index)
        if opened is not None and opened.kind == "thinking":
            self._on_thinking_text(opened, text)

    def _on_thinking_text(self, opened: _OpenBlock, text: str) -> None:
        opened.chars += len(text)
        if self._show_thinking and text:
            self._sink.thinking(opened.sanitizer.feed(text))

    def _on_input(self, index: int, fragment: str) -> None:
        opened = self._open.get(index)
        if opened is None or opened.kind not in TOOL_INPUT_TYPES:
            return
        opened.parts.append(fragment)
        self._sink.tool_input(opened.sanitizer.feed(fragment))

    def _on_citation(self, index: int, citation: JSONView) -> None:
        opened = self._open.get(index)
        number = self._citations.add(citation)
        if opened is not None:
            opened.citations.append(number)

    def _on_block_stop(self, index: int) -> None:
        opened = self._open.pop(index, None)
        if opened is not None:
            self._close_block(opened)

    # -- closing blocks ----------------------------------------------------------------------

    def _close_block(self, opened: _OpenBlock) -> None:
        kind = opened.kind
        if kind == "text":
            self._close_text(opened)
        elif kind == "thinking":
            self._close_thinking(opened)
        elif kind == "redacted_thinking":
            if self._show_thinking:
                self._show()
                self._sink.note("[redacted thinking]")
        elif kind in TOOL_INPUT_TYPES:
            self._close_tool_use(opened)
        else:
            self._show()
            self._close_other(opened)

    def _close_text(self, opened: _OpenBlock) -> None:
        self._emit_text(opened.sanitizer.flush())
        if self._inline_markers and opened.citations:
            self._sink.text(markers(opened.citations))  # before the held-back newlines
        self._release_newlines()

    def _close_thinking(self, opened: _OpenBlock) -> None:
        if not self._show_thinking:
            return
        rest = opened.sanitizer.flush()
        if rest:
            self._sink.thinking(rest)
        seconds = self._clock() - opened.started
        tokens = -(-opened.chars // _CHARS_PER_TOKEN) if opened.chars else None
        self._sink.thinking_end(thought_line(seconds, tokens, estimated=True))

    def _close_tool_use(self, opened: _OpenBlock) -> None:
        self._sink.tool_input(opened.sanitizer.flush())
        block = opened.block
        if block.get("id") is not None:
            self._tool_names[str(block["id"])] = str(block.get("name") or "")
        self._sink.summary(summarize_tool_use(block, "".join(opened.parts)))

    def _close_other(self, opened: _OpenBlock) -> None:
        if is_result_block(opened.kind):
            name = self._tool_names.get(str(opened.block.get("tool_use_id")))
            self._sink.summary(summarize_result(opened.block, name))
        else:
            self._sink.note(unsupported(opened.kind))

    # -- text flow ---------------------------------------------------------------------------

    def _emit_text(self, text: str) -> None:
        """Send text on, holding back trailing newlines so a citation marker can precede them."""
        if not text:
            return
        text = self._pending_newlines + text
        body = text.rstrip("\n")
        self._pending_newlines = text[len(body) :]
        if body:
            self._sink.text(body)

    def _release_newlines(self) -> None:
        pending, self._pending_newlines = self._pending_newlines, ""
        if pending:
            self._sink.text(pending)

    def _end_text_run(self) -> None:
        if self._in_text:
            self._in_text = False
            self._release_newlines()
            self._sink.end_text()

    # -- lifecycle ---------------------------------------------------------------------------

    def _show(self) -> None:
        """Something visible is about to be drawn: the spinner must go first."""
        self._stop_spinner()

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()

    def _wrap_up(self) -> None:
        for index in sorted(self._open):
            self._close_block(self._open.pop(index))
        self._end_text_run()
        self._stop_spinner()
        footnotes = self._citations.footnotes()
        if footnotes:
            self._sink.footnotes(footnotes)
        self._citations.clear()
        self._sink.close()
        self._saw_events = False
