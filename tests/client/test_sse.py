"""The SSE decoder: bytes in, events out, whatever the chunking."""

from __future__ import annotations

import pytest

from claudecli.client.sse import ServerSentEvent, SSEDecoder, iter_sse


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    return list(iter_sse(chunks))


def test_basic_event_with_name_and_data() -> None:
    assert decode(b"event: ping\ndata: {}\n\n") == [ServerSentEvent("ping", "{}")]


def test_multi_line_data_joins_with_newline() -> None:
    assert decode(b"data: a\ndata: b\n\n")[0].data == "a\nb"


def test_comments_are_ignored() -> None:
    assert decode(b": keep-alive\nevent: x\n: more\ndata: 1\n\n") == [ServerSentEvent("x", "1")]


def test_only_one_leading_space_is_stripped() -> None:
    assert decode(b"data:  two\n\n")[0].data == " two"
    assert decode(b"data:none\n\n")[0].data == "none"


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(eol: bytes) -> None:
    raw = b"event: a" + eol + b"data: 1" + eol + eol + b"event: b" + eol + b"data: 2" + eol + eol
    assert [e.event for e in decode(raw)] == ["a", "b"]
    assert [e.event for e in decode(*[raw[i : i + 1] for i in range(len(raw))])] == ["a", "b"]


def test_crlf_split_across_chunks_is_not_a_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: a\r") == []
    assert decoder.feed(b"\ndata: 1\r") == []
    assert decoder.feed(b"\n\r\n") == [ServerSentEvent("a", "1")]


def test_utf8_character_split_across_chunks() -> None:
    raw = 'data: {"t":"é—😀"}\n\n'.encode()
    cut = raw.index("😀".encode()) + 2
    assert decode(raw[:cut], raw[cut:])[0].data == '{"t":"é—😀"}'


def test_unterminated_final_event_is_dispatched_at_eof() -> None:
    assert decode(b"event: message_stop\ndata: {}") == [ServerSentEvent("message_stop", "{}")]
    assert decode(b"event: message_stop\ndata: {}\n") == [ServerSentEvent("message_stop", "{}")]


def test_whitespace_padded_json_is_kept_for_the_json_parser() -> None:
    assert decode(b'data: {"a":1 }   \n\n')[0].data == '{"a":1 }   '


def test_id_and_retry_fields() -> None:
    event = decode(b"id: 7\nretry: 1500\ndata: x\n\n")[0]
    assert (event.id, event.retry) == ("7", 1500)


def test_event_without_data_still_dispatches_its_name() -> None:
    assert decode(b"event: ping\n\n") == [ServerSentEvent("ping", "")]


def test_blank_lines_alone_dispatch_nothing() -> None:
    assert decode(b"\n\n\r\n") == []


def test_invalid_utf8_raises() -> None:
    with pytest.raises(UnicodeDecodeError):
        decode(b"data: \xff\xfe\n\n")
