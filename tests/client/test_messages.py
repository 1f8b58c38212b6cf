"""The typed views of API-shape Messages: every block kind, partials, unknown kinds kept."""

from __future__ import annotations

from claudecli.client import (
    MessageView,
    RedactedThinkingBlock,
    ServerToolBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    UnknownBlock,
    Usage,
    block_view,
)
from tests.client.test_fixture_replay import FIXTURES, ours


def test_every_block_kind_has_its_view() -> None:
    raws = [
        {"type": "text", "text": "Hi", "citations": [{"type": "char_location"}]},
        {"type": "thinking", "thinking": "hm", "signature": "sig"},
        {"type": "thinking", "thinking": "cut"},
        {"type": "redacted_thinking", "data": "xyz"},
        {"type": "tool_use", "id": "tu_1", "name": "read", "input": {"p": 1}},
        {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {}},
        {"type": "tool_result", "tool_use_id": "tu_1", "content": "ok", "is_error": True},
        {"type": "web_search_tool_result", "tool_use_id": "srv_1", "content": []},
        {"type": "future_block", "x": 1},
    ]
    views = [block_view(raw) for raw in raws]
    assert views[0] == TextBlock("Hi", ({"type": "char_location"},), raws[0])
    assert views[1] == ThinkingBlock("hm", "sig", raws[1])
    assert views[2] == ThinkingBlock("cut", None, raws[2])  # no signature: not sendable back
    assert views[3] == RedactedThinkingBlock("xyz", raws[3])
    assert views[4] == ToolUseBlock("tu_1", "read", {"p": 1}, False, raws[4])
    assert isinstance(views[5], ToolUseBlock) and views[5].server
    assert views[6] == ToolResultBlock("tu_1", "ok", True, raws[6])
    assert views[7] == ServerToolBlock("web_search_tool_result", "srv_1", raws[7])
    assert views[8] == UnknownBlock("future_block", raws[8])
    assert [view.raw for view in views] == raws  # verbatim, for sending back and storing


def test_message_view_reads_text_tool_calls_usage_and_completeness() -> None:
    message = {
        "id": "msg_1",
        "role": "assistant",
        "model": "claude-haiku-5-5",
        "content": [
            {"type": "text", "text": "Let me look. "},
            {"type": "tool_use", "id": "tu_1", "name": "read", "input": {}},
            {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {}},
            {"type": "text", "text": "Done."},
        ],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 90},
    }
    view = MessageView.of(message)
    assert view.text == "Let me look. Done."
    assert [tool.id for tool in view.tool_uses] == ["tu_1"]  # server tools are not the caller's
    assert view.usage == Usage(10, 5, 90, 0) and view.usage.total_input == 100
    assert view.complete and not MessageView.of({**message, "stop_reason": None}).complete


def test_malformed_counts_and_missing_fields_read_as_empty() -> None:
    view = MessageView.of({"content": "not a list", "usage": {"input_tokens": "9", "x": True}})
    assert view.blocks == () and view.text == "" and view.usage == Usage()
    assert view.role == "assistant" and view.stop_reason is None


def test_a_recorded_stream_folds_to_a_view() -> None:
    data = (FIXTURES / "06-thinking-signature-refusal-fallback-credit.sse").read_bytes()
    view = MessageView.of(ours(iter([data])))
    thinking = [b for b in view.blocks if isinstance(b, ThinkingBlock)]
    assert thinking and all(block.signature for block in thinking)
