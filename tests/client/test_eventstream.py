"""The event-stream decoder against frames built independently (docs/providers.md §3.1) and
against botocore's own decoder; CRC mismatches, frames split at every offset, cut streams."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import pytest

from claudecli.client.eventstream import (
    EventStreamDecoder,
    EventStreamError,
    bedrock_event,
)


def header(name: str, value: str) -> bytes:  # type 7 = string, written from the format alone
    n, v = name.encode(), value.encode()
    return struct.pack("!B", len(n)) + n + b"\x07" + struct.pack("!H", len(v)) + v


def frame(headers: bytes, payload: bytes) -> bytes:
    prelude = struct.pack("!II", 16 + len(headers) + len(payload), len(headers))
    prelude += struct.pack("!I", zlib.crc32(prelude))
    msg = prelude + headers + payload
    return msg + struct.pack("!I", zlib.crc32(msg))


EVENT = json.dumps({"type": "message_stop"}).encode()
CHUNK = frame(
    header(":event-type", "chunk")
    + header(":content-type", "application/json")
    + header(":message-type", "event"),
    json.dumps({"bytes": base64.b64encode(EVENT).decode()}).encode(),
)
THROTTLE = frame(
    header(":exception-type", "throttlingException")
    + header(":content-type", "application/json")
    + header(":message-type", "exception"),
    b'{"message":"Too many requests, please wait before trying again."}',
)


def test_the_reference_frame_has_the_documented_bytes() -> None:
    assert len(CHUNK) == 136
    assert CHUNK[:12].hex() == "000000880000004b05babc22"


def test_a_chunk_becomes_the_sse_event_it_carries() -> None:
    [message] = EventStreamDecoder().feed(CHUNK)
    assert message.headers[":event-type"] == "chunk"
    event = bedrock_event(message)
    assert event is not None and json.loads(event.data) == {"type": "message_stop"}


def test_an_exception_frame_becomes_an_error_event_that_is_retried_as_a_429() -> None:
    [message] = EventStreamDecoder().feed(THROTTLE)
    event = bedrock_event(message)
    assert event is not None and event.event == "error"
    error = json.loads(event.data)["error"]
    assert error["type"] == "rate_limit_error"
    assert error["message"].startswith("ThrottlingException: Too many requests")


@pytest.mark.parametrize("cut", range(1, len(CHUNK) + len(THROTTLE)))
def test_split_at_every_offset_gives_the_same_messages(cut: int) -> None:
    data = CHUNK + THROTTLE
    decoder = EventStreamDecoder()
    messages = decoder.feed(data[:cut]) + decoder.feed(data[cut:])
    decoder.flush()
    assert [m.headers[":message-type"] for m in messages] == ["event", "exception"]


def test_byte_by_byte_and_two_frames_per_read() -> None:
    decoder = EventStreamDecoder()
    one_by_one = [m for i in range(len(CHUNK)) for m in decoder.feed(CHUNK[i : i + 1])]
    assert len(one_by_one) == 1
    assert len(EventStreamDecoder().feed(CHUNK + CHUNK + THROTTLE)) == 3


def test_a_flipped_payload_byte_is_a_message_crc_mismatch() -> None:
    broken = bytearray(CHUNK)
    broken[-10] ^= 0x01
    with pytest.raises(EventStreamError, match="message CRC mismatch"):
        EventStreamDecoder().feed(bytes(broken))


def test_a_flipped_length_is_a_prelude_crc_mismatch() -> None:
    broken = bytearray(CHUNK)
    broken[3] ^= 0x01
    with pytest.raises(EventStreamError, match="prelude CRC mismatch"):
        EventStreamDecoder().feed(bytes(broken))


def test_eof_inside_a_frame_is_an_error() -> None:
    decoder = EventStreamDecoder()
    assert decoder.feed(CHUNK[:50]) == []
    with pytest.raises(EventStreamError, match="ended inside a frame"):
        decoder.flush()


def test_every_header_type_is_read() -> None:
    raw = (
        b"\x01a\x00"  # bool true
        + b"\x01b\x01"  # bool false
        + b"\x01c\x02" + struct.pack("!b", -3)
        + b"\x01d\x03" + struct.pack("!h", 300)
        + b"\x01e\x04" + struct.pack("!i", 70000)
        + b"\x01f\x05" + struct.pack("!q", 2**40)
        + b"\x01g\x06" + struct.pack("!H", 2) + b"\x00\xff"
        + header("h", "text")
        + b"\x01i\x08" + struct.pack("!q", 1_700_000_000_000)
        + b"\x01j\x09" + bytes(range(16))
    )  # fmt: skip
    [message] = EventStreamDecoder().feed(frame(raw, b"{}"))
    assert message.headers == {
        "a": True, "b": False, "c": -3, "d": 300, "e": 70000, "f": 2**40, "g": b"\x00\xff",
        "h": "text", "i": 1_700_000_000_000, "j": bytes(range(16)),
    }  # fmt: skip


def test_extra_keys_next_to_bytes_are_ignored() -> None:
    payload = json.dumps({"bytes": base64.b64encode(EVENT).decode(), "p": "abcdefgh"}).encode()
    chunk = frame(header(":event-type", "chunk") + header(":message-type", "event"), payload)
    [message] = EventStreamDecoder().feed(chunk)
    event = bedrock_event(message)
    assert event is not None and json.loads(event.data)["type"] == "message_stop"


def test_botocore_reads_the_same_frames_and_agrees() -> None:
    eventstream = pytest.importorskip("botocore.eventstream")
    buffer = eventstream.EventStreamBuffer()
    buffer.add_data(CHUNK + THROTTLE)
    theirs = list(buffer)
    ours = EventStreamDecoder().feed(CHUNK + THROTTLE)
    assert [m.payload for m in ours] == [m.payload for m in theirs]
    assert [m.headers for m in ours] == [m.headers for m in theirs]
    broken = bytearray(CHUNK)
    broken[-1] ^= 0x01
    buffer = eventstream.EventStreamBuffer()
    buffer.add_data(bytes(broken))
    with pytest.raises(eventstream.ChecksumMismatch):
        list(buffer)
