"""The accumulator fold: every block kept, deltas applied as the API defines them."""

from __future__ import annotations

from typing import Any

from claudecli.client.accumulate import MessageAccumulator, accumulate, parse_tool_input
from claudecli.client.events import StreamEvent, parse_event

START = {
    "type": "message_start",
    "message": {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1, "cache_read_input_tokens": 0},
    },
}


def ev(**data: Any) -> StreamEvent:
    return parse_event(None, data)


def block(index: int, content_block: dict[str, Any]) -> StreamEvent:
    return ev(type="content_block_start", index=index, content_block=content_block)


def delta(index: int, **d: Any) -> StreamEvent:
    return ev(type="content_block_delta", index=index, delta=d)


def stop(index: int) -> StreamEvent:
    return ev(type="content_block_stop", index=index)


def done(**usage: Any) -> StreamEvent:
    return ev(
        type="message_delta",
        delta={"stop_reason": "end_turn", "stop_sequence": None},
        usage=usage or {"output_tokens": 5},
    )


def fold(*events: StreamEvent) -> dict[str, Any]:
    return accumulate([ev(**START), *events])


def test_text_deltas_append_and_citations_accumulate() -> None:
    cite = {
        "type": "char_location",
        "cited_text": "x",
        "document_index": 0,
        "start_char_index": 0,
        "end_char_index": 1,
    }
    msg = fold(
        block(0, {"type": "text", "text": "", "citations": None}),
        delta(0, type="citations_delta", citation=cite),
        delta(0, type="text_delta", text="Hel"),
        delta(0, type="text_delta", text="lo"),
        stop(0),
        done(),
    )
    assert msg["content"] == [{"type": "text", "text": "Hello", "citations": [cite]}]


def test_signature_delta_sets_rather_than_appends() -> None:
    msg = fold(
        block(0, {"type": "thinking", "thinking": "", "signature": ""}),
        delta(0, type="thinking_delta", thinking="a"),
        delta(0, type="signature_delta", signature="S1"),
        delta(0, type="signature_delta", signature="S2"),
        stop(0),
        done(),
    )
    assert msg["content"][0] == {"type": "thinking", "thinking": "a", "signature": "S2"}


def test_tool_input_is_concatenated_and_parsed_at_stop() -> None:
    msg = fold(
        block(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
        delta(0, type="input_json_delta", partial_json=""),
        delta(0, type="input_json_delta", partial_json='{"a": [1,'),
        delta(0, type="input_json_delta", partial_json=" 2]}"),
        stop(0),
        done(),
    )
    assert msg["content"][0]["input"] == {"a": [1, 2]}


def test_invalid_or_truncated_tool_input_keeps_the_raw_string() -> None:
    msg = fold(
        block(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
        delta(0, type="input_json_delta", partial_json='{"a": "unfinish'),
        ev(type="message_delta", delta={"stop_reason": "max_tokens"}, usage={"output_tokens": 9}),
    )
    assert msg["content"][0]["input"] == '{"a": "unfinish'
    assert msg["stop_reason"] == "max_tokens"


def test_server_tool_use_without_deltas_keeps_its_input() -> None:
    msg = fold(
        block(
            0, {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {"query": "q"}}
        ),
        stop(0),
        done(),
    )
    assert msg["content"][0]["input"] == {"query": "q"}


def test_unknown_blocks_are_kept_verbatim_and_unknown_deltas_ignored() -> None:
    future = {"type": "future_block", "payload": {"nested": [1, 2]}}
    msg = fold(
        block(0, future),
        delta(0, type="future_delta", x=1),
        stop(0),
        ev(type="brand_new_event", foo=1),
        done(),
    )
    assert msg["content"] == [future]


def test_usage_is_overwritten_only_for_fields_present() -> None:
    msg = fold(
        ev(type="message_delta", delta={"stop_reason": "end_turn"}, usage={"output_tokens": 7}),
        ev(
            type="message_delta",
            delta={"stop_reason": "end_turn"},
            usage={"output_tokens": 12, "cache_read_input_tokens": 3, "input_tokens": None},
        ),
    )
    assert msg["usage"] == {"input_tokens": 10, "output_tokens": 12, "cache_read_input_tokens": 3}


def test_stop_details_are_set_and_cleared_by_message_delta() -> None:
    refusal = {"type": "refusal", "category": "cyber", "explanation": "no"}
    msg = fold(
        ev(
            type="message_delta",
            delta={"stop_reason": "refusal", "stop_details": refusal},
            usage={"output_tokens": 1},
        )
    )
    assert msg["stop_details"] == refusal
    msg = fold(
        ev(
            type="message_delta",
            delta={"stop_reason": "end_turn", "stop_details": None},
            usage={"output_tokens": 1},
        )
    )
    assert msg["stop_details"] is None


def test_snapshot_mid_stream_joins_open_blocks_without_closing_them() -> None:
    acc = MessageAccumulator()
    for event in (
        ev(**START),
        block(0, {"type": "text", "text": ""}),
        delta(0, type="text_delta", text="par"),
    ):
        acc.feed(event)
    assert acc.message()["content"][0]["text"] == "par"
    acc.feed(delta(0, type="text_delta", text="tial"))
    assert acc.message()["content"][0]["text"] == "partial"
    assert not acc.saw_message_delta


def test_events_before_message_start_are_ignored() -> None:
    assert accumulate([block(0, {"type": "text", "text": ""}), done()]) == {}


def test_parse_tool_input() -> None:
    assert parse_tool_input("") == {}
    assert parse_tool_input("  ") == {}
    assert parse_tool_input('{"x": 1}') == {"x": 1}
    assert parse_tool_input("{oops") == "{oops"


def test_large_text_is_linear() -> None:
    """100,000 appends finish quickly; a quadratic join would take minutes."""
    events = [block(0, {"type": "text", "text": ""})]
    events += [delta(0, type="text_delta", text="word ") for _ in range(100_000)]
    msg = fold(*events, stop(0), done())
    assert len(msg["content"][0]["text"]) == 500_000
