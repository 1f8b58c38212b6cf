"""The HTTP/1.1 request handler: reads requests, writes responses and plays stream scripts.

Streams use hand-written chunked transfer-encoding, one chunk per SSE event, each written with
its own `sendall` (so every event is flushed). Faults act on the raw socket: `drop` shuts it
down without the final zero-length chunk, `reset` sets SO_LINGER 0 and closes (the peer gets a
TCP RST).
"""

from __future__ import annotations

import logging
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import Any

from .app import App, body_limit
from .clouds import frame_sse
from .errors import new_request_id
from .sse import PING, encode
from .wire import Drip, End, Hangup, Pause, Request, Response, Send, Stream

__all__ = ["Handler"]

log = logging.getLogger("claudecli.emulator")

_REASONS = {529: "Overloaded", 413: "Payload Too Large"}
_DISCARD_PIECE = 1 << 20


def _with_request_id(headers: dict[str, str], request_id: str) -> dict[str, str]:
    """`request-id` first, unless the reply carries a cloud's own (Bedrock: x-amzn-requestid)."""
    if "x-amzn-requestid" in headers:
        return dict(headers)
    return {"request-id": request_id, **headers}


class _Hangup(Exception):
    """The emulator is stopping: abandon the stream."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "claudecli-emulator"
    sys_version = ""
    # Headers and body go out in separate writes: without TCP_NODELAY every request after the
    # first on a kept-alive connection waits ~40 ms for the delayed ACK.
    disable_nagle_algorithm = True
    _framing = "sse"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    @property
    def app(self) -> App:
        app: App = getattr(self.server, "app")  # noqa: B009 (attribute of our server subclass)
        return app

    # --- reading --------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            req = self._read_request()
            result = self.app.dispatch(req)
            if isinstance(result, Hangup):
                self._end(End(result.how))
            elif isinstance(result, Stream):
                self._write_stream(result, req.request_id)
            else:
                self._write_response(result, req.request_id)
        except (OSError, ValueError, _Hangup) as exc:
            log.debug("connection ended: %r", exc)
            self.close_connection = True

    def _read_request(self) -> Request:
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        route = self.app.strip_prefix(path)
        raw, too_large = self._read_body(headers, body_limit(route))
        request_id = new_request_id()
        return Request(self.command, path, route or "", query, headers, raw, request_id, too_large)

    def _read_body(self, headers: dict[str, str], limit: int) -> tuple[bytes, bool]:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked(limit)
        length = int(headers.get("content-length") or 0)
        if length > limit:
            self._discard(length)
            return b"", True
        return self.rfile.read(length), False

    def _read_chunked(self, limit: int) -> tuple[bytes, bool]:
        pieces: list[bytes] = []
        total = 0
        while size := int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16):
            data = self.rfile.read(size)
            self.rfile.readline(8)
            total += size
            if total <= limit:
                pieces.append(data)
        while self.rfile.readline(8192).strip():
            pass
        return (b"", True) if total > limit else (b"".join(pieces), False)

    def _discard(self, length: int) -> None:
        while length > 0:
            piece = self.rfile.read(min(length, _DISCARD_PIECE))
            if not piece:
                return
            length -= len(piece)

    # --- writing --------------------------------------------------------------------------

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status, _REASONS.get(status))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _write_response(self, resp: Response, request_id: str) -> None:
        headers = _with_request_id(resp.headers, request_id)
        if resp.content_type:
            headers["content-type"] = resp.content_type
        headers["content-length"] = str(len(resp.body))
        if resp.close:
            headers["connection"] = "close"
            self.close_connection = True
        self._head(resp.status, headers)
        self.wfile.write(resp.body)

    def _write_stream(self, stream: Stream, request_id: str) -> None:
        headers = {
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
            "transfer-encoding": "chunked",
            **_with_request_id(stream.headers, request_id),
        }
        self._framing = stream.framing
        self._head(200, headers)
        for step in stream.steps:
            if isinstance(step, End):
                self._end(step)
                return
            self._play(step)

    def _play(self, step: Send | Pause | Drip) -> None:
        if isinstance(step, Send):
            self._chunk(step.data)
        elif isinstance(step, Pause):
            if self.app.pause(step.seconds):
                raise _Hangup("emulator stopping")
        else:
            self._drip(step)

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))

    def _drip(self, drip: Drip) -> None:
        sent = 0
        while drip.count == 0 or sent < drip.count:
            if self.app.pause(drip.interval):
                raise _Hangup("emulator stopping")
            ping = encode(PING)
            self._chunk(frame_sse(ping) if self._framing == "eventstream" else ping)
            sent += 1

    def _end(self, end: End) -> None:
        if end.how == "clean":
            self.wfile.write(b"0\r\n\r\n")
            return
        self.close_connection = True
        if end.how == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.rfile.close()
