"""`tools` and `tool_choice` in the messages and count_tokens bodies (`tools run`)."""

from __future__ import annotations

from typing import Any

import pytest

from claudecli.errors import UsageError
from claudecli.request.build import RequestSpec, build_count_tokens_body, build_messages_body

MODEL = "claude-sonnet-5-5"
WEATHER: dict[str, Any] = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def _spec(**fields: Any) -> RequestSpec:
    fields.setdefault("prompt", "Weather in Paris?")
    return RequestSpec(model=MODEL, max_tokens=4096, **fields)


def test_no_tools_no_fields() -> None:
    body = build_messages_body(_spec())
    assert "tools" not in body and "tool_choice" not in body


def test_tools_and_choice_are_in_both_bodies() -> None:
    spec = _spec(tools=(WEATHER,), tool_choice={"type": "tool", "name": "get_weather"})
    for body in (build_messages_body(spec), build_count_tokens_body(spec)):
        assert body["tools"] == [WEATHER]
        assert body["tool_choice"] == {"type": "tool", "name": "get_weather"}


def test_the_body_holds_copies() -> None:
    body = build_messages_body(_spec(tools=(WEATHER,)))
    body["tools"][0]["input_schema"]["properties"]["x"] = {}
    assert "x" not in WEATHER["input_schema"]["properties"]


def test_a_tool_result_turn_is_sent_as_the_history() -> None:
    history = [
        {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}}],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "9"}]},
    ]
    body = build_messages_body(_spec(prompt=None, history=history, tools=(WEATHER,)))
    assert body["messages"] == history


def test_forcing_a_tool_with_a_thinking_budget_is_refused() -> None:
    with pytest.raises(UsageError, match="--tool-choice any: cannot force a tool"):
        build_messages_body(_spec(tools=(WEATHER,), tool_choice={"type": "any"}, thinking=2048))
    body = build_messages_body(
        _spec(tools=(WEATHER,), tool_choice={"type": "any"}, thinking="adaptive")
    )
    assert body["tool_choice"] == {"type": "any"}


def test_a_tool_choice_without_tools_is_refused() -> None:
    with pytest.raises(UsageError, match="no tools"):
        build_messages_body(_spec(tool_choice={"type": "auto"}))
    assert build_messages_body(_spec(tool_choice={"type": "none"}))["tool_choice"]
