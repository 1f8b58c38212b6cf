"""AWS event-stream binary framing (Bedrock's `invoke-with-response-stream`) -> SSE events.

A message is, all integers big-endian: `uint32 total_length`, `uint32 headers_length`,
`uint32 prelude_crc` (CRC-32 of the first 8 bytes), the headers, the payload, and
`uint32 message_crc` (CRC-32 of everything before it). A header is `uint8 name_length`, the
name, `uint8 type` and a value whose shape the type gives (0/1 true/false, 2-5 int8..int64,
6 bytes and 7 string with a uint16 length, 8 timestamp int64 ms, 9 uuid 16 bytes).

Bedrock sends `:message-type: event` / `:event-type: chunk` messages whose JSON payload is
`{"bytes": "<base64 of one Messages stream event>"}`, and `:message-type: exception` messages
(`:exception-type: throttlingException`, …) with `{"message": "…"}`. `bedrock_event` turns each
into the `ServerSentEvent` the SSE path would have produced, so everything after the decoder
(typed events, retries, the accumulator, rendering) is shared. Standard library only: struct,
zlib, base64 and json; botocore is not needed to read a stream.
"""

from __future__ import annotations

import base64
import binascii
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Final

from .errors import ProtocolError
from .sse import ServerSentEvent

__all__ = [
    "EventMessage",
    "EventStreamDecoder",
    "EventStreamError",
    "bedrock_event",
]

PRELUDE: Final = 12
MAX_HEADERS: Final = 128 * 1024
MAX_PAYLOAD: Final = 24 * 1024 * 1024
_PRELUDE = struct.Struct("!III")
_CRC = struct.Struct("!I")
_CHUNK_HEAD: Final = b'{"bytes":"'
# Bedrock's stream exception names -> the Messages API error type they stand for (the
# status that type means decides retries and the exit code: 429 and 5xx retried, then 6).
_EXCEPTION_TYPES: Final = {
    "throttlingException": "rate_limit_error",
    "serviceUnavailableException": "overloaded_error",
    "internalServerException": "api_error",
    "modelStreamErrorException": "api_error",
    "modelTimeoutException": "timeout_error",
    "validationException": "invalid_request_error",
    "accessDeniedException": "permission_error",
    "resourceNotFoundException": "not_found_error",
}


class EventStreamError(ProtocolError):
    """The bytes are not valid event-stream framing (CRC mismatch, bad length, cut frame)."""


@dataclass(frozen=True, slots=True)
class EventMessage:
    headers: dict[str, object]
    payload: bytes


class EventStreamDecoder:
    """Feed bytes with `feed()`, collect whole, CRC-checked messages; `flush()` at EOF."""

    __slots__ = ("_buf", "_headers")

    def __init__(self) -> None:
        self._buf = b""
        # Bedrock repeats the same few header blocks: each is parsed once per stream.
        self._headers: dict[bytes, dict[str, object]] = {}

    def feed(self, chunk: bytes) -> list[EventMessage]:
        buf = self._buf + chunk if self._buf else chunk
        view = memoryview(buf)
        out: list[EventMessage] = []
        pos = 0
        while len(buf) - pos >= PRELUDE:
            total, headers_length = _check_prelude(view, pos)
            end = pos + total
            if len(buf) < end:
                break
            out.append(self._message(view, pos, end, headers_length))
            pos = end
        self._buf = buf[pos:]
        return out

    def _message(self, view: memoryview, pos: int, end: int, headers_length: int) -> EventMessage:
        (crc,) = _CRC.unpack_from(view, end - 4)
        if zlib.crc32(view[pos : end - 4]) != crc:
            raise EventStreamError("event stream message CRC mismatch")
        start = pos + PRELUDE
        raw = bytes(view[start : start + headers_length])
        headers = self._headers.get(raw)
        if headers is None:
            headers = self._headers[raw] = _headers(raw)
        return EventMessage(headers, bytes(view[start + headers_length : end - 4]))

    def flush(self) -> None:
        """At EOF: raise if a frame was left incomplete."""
        if self._buf:
            left = len(self._buf)
            self._buf = b""
            raise EventStreamError(f"event stream ended inside a frame ({left} bytes left)")


def _check_prelude(view: memoryview, pos: int) -> tuple[int, int]:
    total, headers_length, crc = _PRELUDE.unpack_from(view, pos)
    if zlib.crc32(view[pos : pos + 8]) != crc:
        raise EventStreamError("event stream prelude CRC mismatch")
    if headers_length > MAX_HEADERS:
        raise EventStreamError(f"event stream headers too long ({headers_length} bytes)")
    payload = total - headers_length - PRELUDE - 4
    if payload < 0 or payload > MAX_PAYLOAD:
        raise EventStreamError(f"event stream frame length {total} is invalid")
    return int(total), int(headers_length)


_FIXED: Final = {2: "!b", 3: "!h", 4: "!i", 5: "!q", 8: "!q"}


def _headers(raw: bytes) -> dict[str, object]:
    headers: dict[str, object] = {}
    pos = 0
    try:
        while pos < len(raw):
            size = raw[pos]
            name = raw[pos + 1 : pos + 1 + size].decode("utf-8")
            pos += 1 + size
            value, pos = _header_value(raw, raw[pos], pos + 1)
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise EventStreamError(f"event stream headers are malformed ({exc})") from None
    return headers


def _header_value(raw: bytes, kind: int, pos: int) -> tuple[object, int]:
    if kind in (0, 1):
        return kind == 0, pos
    if kind in _FIXED:
        fmt = _FIXED[kind]
        return struct.unpack_from(fmt, raw, pos)[0], pos + struct.calcsize(fmt)
    if kind in (6, 7):
        (length,) = struct.unpack_from("!H", raw, pos)
        data = raw[pos + 2 : pos + 2 + length]
        if len(data) != length:
            raise IndexError("header value cut short")
        return (data.decode("utf-8") if kind == 7 else data), pos + 2 + length
    if kind == 9:
        return raw[pos : pos + 16], pos + 16
    raise EventStreamError(f"event stream header type {kind} is unknown")


def bedrock_event(message: EventMessage) -> ServerSentEvent | None:
    """The SSE event a Bedrock message stands for (None for frames that carry nothing)."""
    kind = message.headers.get(":message-type")
    if kind == "event":
        return _chunk(message) if message.headers.get(":event-type") == "chunk" else None
    if kind == "exception":
        return _exception(str(message.headers.get(":exception-type") or "exception"), message)
    if kind == "error":
        code = str(message.headers.get(":error-code") or "error")
        text = str(message.headers.get(":error-message") or "")
        return _error_event(code, text)
    return None


def _chunk(message: EventMessage) -> ServerSentEvent | None:
    payload = message.payload
    encoded = payload[len(_CHUNK_HEAD) : -2]
    if not payload.startswith(_CHUNK_HEAD) or b'"' in encoded:
        # other keys next to "bytes" (padding, a different order): the slow, general way
        value = _json_object(payload).get("bytes")
        encoded = value.encode() if isinstance(value, str) else b""
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise EventStreamError("event stream chunk is not base64") from None
    return ServerSentEvent(None, data.decode("utf-8", "replace")) if data else None


def _exception(name: str, message: EventMessage) -> ServerSentEvent:
    body = _json_object(message.payload)
    text = str(body.get("message") or body.get("Message") or "")
    return _error_event(name, text)


def _error_event(name: str, text: str) -> ServerSentEvent:
    aws_name = name[:1].upper() + name[1:]
    error = {
        "type": _EXCEPTION_TYPES.get(name, "api_error"),
        "message": f"{aws_name}: {text}" if text else aws_name,
    }
    return ServerSentEvent("error", json.dumps({"type": "error", "error": error}))


def _json_object(payload: bytes) -> dict[str, object]:
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}
