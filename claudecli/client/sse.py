"""Incremental Server-Sent Events decoder: bytes in, events out.

Follows the WHATWG event-stream rules that the official SDK's `SSEDecoder` implements: lines end in
CRLF, LF or CR; a blank line dispatches the event; `event:`/`data:`/`id:`/`retry:` fields lose one
leading space after the colon; several `data:` lines join with a newline; lines starting with
`:` are comments. Lines are split on bytes before decoding, so a UTF-8 character cut across
two network chunks is decoded whole. Unlike a strict decoder, `flush()` also dispatches an
event still unterminated at EOF: real streams end with `data: {"type":"message_stop"}` and
no blank line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent", "iter_sse"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str | None
    data: str
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed bytes with `feed()`, collect events; call `flush()` at EOF."""

    __slots__ = ("_buf", "_data", "_event", "_id", "_retry")

    def __init__(self) -> None:
        self._buf = b""
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk; return the events it completed (possibly none)."""
        buf = self._buf + chunk if self._buf else chunk
        if b"\r" in buf:
            return self._feed_any_eol(buf)
        # LF-only (what the API sends): split once, no per-line terminator handling.
        cut = buf.rfind(b"\n")
        self._buf = buf[cut + 1 :]
        return self._lines(buf[:cut].split(b"\n") if cut >= 0 else [])

    def _feed_any_eol(self, buf: bytes) -> list[ServerSentEvent]:
        lines = buf.splitlines(keepends=True)
        # A line is complete only with its terminator, and a trailing CR may be half of a CRLF
        # whose LF is in the next chunk: keep such a line until more bytes (or EOF) arrive.
        self._buf = b"" if lines[-1].endswith(b"\n") else lines.pop()
        return self._lines([line.rstrip(b"\r\n") for line in lines])

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        out: list[ServerSentEvent] = []
        for raw in lines:
            # The hot path, three lines per event: `event: NAME`, `data: JSON`, blank.
            if raw[:6] == b"data: ":
                self._data.append(raw[6:].decode("utf-8"))
            elif raw[:7] == b"event: ":
                self._event = raw[7:].decode("utf-8")
            elif not raw:
                dispatched = self._dispatch()
                if dispatched is not None:
                    out.append(dispatched)
            else:
                event = self._line(raw)
                if event is not None:
                    out.append(event)
        return out

    def flush(self) -> list[ServerSentEvent]:
        """At EOF: finish a last line without terminator and dispatch a pending event."""
        out: list[ServerSentEvent] = []
        if self._buf:
            rest, self._buf = self._buf, b""
            for line in rest.splitlines():
                event = self._line(line)
                if event is not None:
                    out.append(event)
        event = self._dispatch()
        if event is not None:
            out.append(event)
        return out

    def _line(self, raw: bytes) -> ServerSentEvent | None:
        if not raw:
            return self._dispatch()
        if raw[:1] == b":":
            return None
        line = raw.decode("utf-8")
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        if self._event is None and not self._data:
            return None
        event = ServerSentEvent(self._event, "\n".join(self._data), self._id, self._retry)
        self._event, self._data, self._retry = None, [], None
        return event


def iter_sse(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Decode a whole byte stream; the final unterminated event is dispatched at EOF."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()
