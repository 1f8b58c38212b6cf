"""The directive syntax and the item vocabulary (pure functions)."""

from __future__ import annotations

import pytest

from claudecli.emulator.directives import Plan, plan_from_item, split_directives
from claudecli.emulator.textgen import filler
from claudecli.emulator.tokens import count_text


def test_split_directives_removes_lines_and_merges() -> None:
    text = "Hello\n#emu thinking tool=a,b\n  #emu tokens=10 text='two words'\nbye\n#emulator no"
    clean, found = split_directives(text)
    assert clean == "Hello\nbye\n#emulator no"
    assert found == {"thinking": True, "tool": "a,b", "tokens": "10", "text": "two words"}


def test_directive_values_are_converted() -> None:
    plan = plan_from_item(
        {
            "thinking": True,
            "tool": "a,b",
            "tokens": "10",
            "status": "429",
            "retry_after": "1.5",
            "should_retry": "false",
            "tool_input": '{"x": 1}',
            "headers": '{"X-A": "1"}',
            "category": "null",
        }
    )
    assert plan == Plan(
        thinking=True,
        tool=("a", "b"),
        tokens=10,
        status=429,
        retry_after=1.5,
        should_retry=False,
        tool_input={"x": 1},
        headers={"x-a": "1"},
        category=None,
    )


def test_native_values_are_accepted() -> None:
    plan = plan_from_item({"tool": ["x"], "sse_bytes": "event: ping\n\n", "json": {"a": 1}})
    assert plan.tool == ("x",) and plan.sse_bytes == b"event: ping\n\n" and plan.json == {"a": 1}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"tokens": "many"}, "tokens"),
        ({"stop": "later"}, "stop: expected one of"),
        ({"status": 99}, "status"),
        ({"fault": "gremlins"}, "fault"),
        ({"thinking_tokens": True}, "thinking_tokens"),
        ({"tool_input": "[1]"}, "tool_input"),
    ],
)
def test_bad_values(item: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_from_item(item)


def test_unbalanced_quotes_are_reported() -> None:
    with pytest.raises(ValueError, match="directive"):
        split_directives("#emu text='oops")


def test_filler_is_exact_and_deterministic() -> None:
    text = filler(25_000)
    assert len(text) == 100_000 and count_text(text) == 25_000
    assert text.isascii() and filler(10) == text[:40]
