"""history_for_api: what is sent back is what the API accepts, verbatim where it can be."""

from __future__ import annotations

from typing import Any

from claudecli.conversations import (
    INTERRUPTED_TOOL,
    StoredMessage,
    append_user_turn,
    history_for_api,
)
from tests.conversations.helpers import text

JSON = dict[str, Any]
SIGNED = {"type": "thinking", "thinking": "let me see", "signature": "EqQBCkgIAR=="}
REDACTED = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3"}
TOOL = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}


def msg(role: str, *blocks: JSON, status: str = "complete") -> StoredMessage:
    return StoredMessage(
        seq=0,
        role=role,
        content=list(blocks),
        status=status,  # type: ignore[arg-type]
        stop_reason=None,
        usage=None,
        cost_usd=None,
        request_id=None,
        model=None,
        timings=None,
        error=None,
        created=0.0,
    )


def test_complete_turns_go_back_verbatim() -> None:
    cited = {
        "type": "text",
        "text": "Paris [1]",
        "citations": [{"type": "char_location", "cited_text": "x"}],
    }
    search = {
        "type": "server_tool_use",
        "id": "srv_1",
        "name": "web_search",
        "input": {"query": "q"},
    }
    found = {"type": "web_search_tool_result", "tool_use_id": "srv_1", "content": []}
    history = [msg("user", text("hi")), msg("assistant", SIGNED, REDACTED, search, found, cited)]
    assert history_for_api(history) == [
        {"role": "user", "content": [text("hi")]},
        {"role": "assistant", "content": [SIGNED, REDACTED, search, found, cited]},
    ]


def test_an_interrupted_reply_loses_unsigned_thinking_and_trailing_space() -> None:
    unsigned = {"type": "thinking", "thinking": "half a thou", "signature": ""}
    history = [
        msg("user", text("q")),
        msg("assistant", SIGNED, unsigned, text("partial answer  \n"), status="interrupted"),
    ]
    [_, reply] = history_for_api(history)
    assert reply["content"] == [SIGNED, text("partial answer")]


def test_empty_and_thinking_only_replies_are_dropped_and_user_turns_merged() -> None:
    history = [
        msg("user", text("first")),
        msg("assistant", status="error"),
        msg("user", text("second")),
        msg("assistant", {"type": "thinking", "thinking": "x"}, status="interrupted"),
        msg("user", text("third")),
        msg("assistant", text("   "), status="interrupted"),
    ]
    assert history_for_api(history) == [
        {"role": "user", "content": [text("first"), text("second"), text("third")]}
    ]


def test_an_unanswered_tool_use_gets_an_error_result() -> None:
    history = [
        msg("user", text("weather?")),
        msg("assistant", text("checking"), TOOL),
        msg("user", text("never mind")),
    ]
    turns = history_for_api(history)
    result = {
        "type": "tool_result",
        "tool_use_id": "toolu_1",
        "is_error": True,
        "content": INTERRUPTED_TOOL,
    }
    assert turns[2] == {"role": "user", "content": [result, text("never mind")]}


def test_a_final_tool_use_is_answered_in_a_new_user_turn_that_the_next_prompt_joins() -> None:
    turns = history_for_api([msg("user", text("weather?")), msg("assistant", TOOL)])
    assert turns[-1]["role"] == "user" and turns[-1]["content"][0]["tool_use_id"] == "toolu_1"
    after = append_user_turn(turns, [text("and tomorrow?")])
    assert len(after) == 3 and after[-1]["content"][-1] == text("and tomorrow?")
    assert append_user_turn([], [text("x")]) == [{"role": "user", "content": [text("x")]}]


def test_a_tool_use_cut_mid_input_and_a_lone_server_call_are_dropped() -> None:
    cut = {**TOOL, "input": '{"city": "Par'}
    lone = {"type": "server_tool_use", "id": "srv_9", "name": "web_search", "input": {}}
    turns = history_for_api(
        [msg("user", text("q")), msg("assistant", text("a"), lone, cut, status="interrupted")]
    )
    assert turns == [
        {"role": "user", "content": [text("q")]},
        {"role": "assistant", "content": [text("a")]},
    ]


def test_answered_tools_stay_and_orphan_results_go() -> None:
    answer = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18 C"}
    orphan = {"type": "tool_result", "tool_use_id": "toolu_x", "content": "?"}
    history = [
        msg("user", text("w?")),
        msg("assistant", TOOL),
        msg("user", orphan, answer),
        msg("assistant", text("18 C.")),
    ]
    turns = history_for_api(history)
    assert turns[2]["content"] == [answer]


def test_leading_assistant_turns_and_cache_marks_go() -> None:
    marked = {**text("hi"), "cache_control": {"type": "ephemeral"}}
    assert history_for_api([msg("assistant", text("x")), msg("user", marked)]) == [
        {"role": "user", "content": [text("hi")]}
    ]
