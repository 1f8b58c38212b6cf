"""The interfaces: `Renderer` (what commands call) and `Sink` (what a renderer draws on)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from claudecli.client import StreamEvent

from .notices import RetryInfo
from .summaries import Summary

__all__ = ["Renderer", "Sink"]


class Renderer(Protocol):
    """Shows one streamed answer (or several, one after the other: it is reusable).

    Order of calls: `start()` before sending the request (spinner), `on_retry()` for every retry
    before the first event, `on_event()` for every stream event, then exactly one of `finish()`
    (stream complete) or `abort()` (stream broke, Ctrl-C). `on_tool_result()` may be called at any
    time between answers (client tool results of `tools run`).
    """

    def start(self) -> None: ...

    def on_event(self, event: StreamEvent) -> None: ...

    def on_retry(self, notice: RetryInfo) -> None: ...

    def on_tool_result(self, block: Mapping[str, Any]) -> None: ...

    def finish(self, message: Mapping[str, Any], *, usage_line: str | None = None) -> None: ...

    def abort(self, reason: str) -> None: ...

    def flush(self) -> None:
        """Push written output out: the caller calls it before it waits for more input."""


class Sink(Protocol):
    """Where the event interpreter draws; every string it receives is already sanitized."""

    def text(self, text: str) -> None:
        """Append answer Markdown."""

    def end_text(self) -> None:
        """The run of text blocks ended (a tool block follows, or the answer ended)."""

    def thinking_start(self) -> None: ...

    def thinking(self, text: str) -> None: ...

    def thinking_end(self, summary: str) -> None:
        """The thinking ended: keep it (dim), followed by `summary` ("thought for 4.2 s")."""

    def tool_start(self, title: str) -> None:
        """A tool_use block began; its input JSON follows through `tool_input()`."""

    def tool_input(self, text: str) -> None: ...

    def summary(self, summary: Summary) -> None:
        """A finished non-text block (tool call, server tool result, tool result)."""

    def note(self, text: str) -> None:
        """A one-line dim note (redacted thinking, unsupported block)."""

    def footnotes(self, lines: list[str]) -> None: ...

    def tick(self) -> None:
        """Called after every event: refresh the live region if it is due."""

    def flush(self) -> None:
        """Push written output out (before the caller waits for the network)."""

    def close(self) -> None:
        """Commit everything pending and release the terminal (idempotent, reusable after)."""
