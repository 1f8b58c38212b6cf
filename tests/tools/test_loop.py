"""The loop in-process against the emulator: pairing, order, approval, limits, the transcript."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claudecli.emulator import Emulator
from claudecli.tools.loop import Approval, RoundEnd, ToolAnswered
from claudecli.tools.rules import Policy, parse_rule
from tests.cli.helpers import message_requests
from tests.tools.helpers import Asker, builtins, calls, command_tool, tool_loop


def results_of(events: list[Any]) -> list[dict[str, Any]]:
    return [event.block for event in events if isinstance(event, ToolAnswered)]


def test_two_tools_three_turns_pair_every_result(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("alpha\n")
    echo = command_tool("shout", ["echo", "{text}"], permission="allow")
    emulator.enqueue(calls("read_file", tool_input={"path": "notes.txt"}))
    emulator.enqueue(calls("shout", tool_input={"text": "hello"}))
    emulator.enqueue({"text": "All done."})
    with tool_loop(emulator, [*builtins("read_file"), echo], tmp_path) as loop:
        events = list(loop)
    assert loop.outcome == "done"
    assert [r["content"] for r in results_of(events)] == ["alpha\n", "hello\n"]
    bodies = [r["body"] for r in message_requests(emulator)]
    assert len(bodies) == 3
    for body in bodies[1:]:
        asked = [b for b in body["messages"][-2]["content"] if b["type"] == "tool_use"]
        answered = body["messages"][-1]["content"]
        assert [b["tool_use_id"] for b in answered] == [b["id"] for b in asked]
    assert loop.messages[-1]["content"][0]["text"] == "All done."
    assert [m["role"] for m in loop.messages] == ["user", "assistant"] * 3


def test_parallel_calls_are_answered_in_one_message_in_order(
    emulator: Emulator, tmp_path: Path
) -> None:
    slow = command_tool(
        "slow", ["sh", "-c", "sleep 0.3; echo slow:$0", "{text}"], permission="allow"
    )
    fast = command_tool("fast", ["echo", "fast:{text}"], permission="allow")
    emulator.enqueue(calls("slow", "fast", tool_input={"text": "x"}))
    emulator.enqueue({"text": "ok"})
    with tool_loop(emulator, [slow, fast], tmp_path) as loop:
        events = list(loop)
    assert [r["content"] for r in results_of(events)] == ["slow:x\n", "fast:x\n"]
    last = message_requests(emulator)[-1]["body"]["messages"][-1]
    assert [b["type"] for b in last["content"]] == ["tool_result", "tool_result"]


def test_an_invalid_input_is_an_error_result_and_nothing_runs(
    emulator: Emulator, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    touch = command_tool("touch", ["touch", str(marker)], permission="allow")
    emulator.enqueue(calls("touch", tool_input={"text": 5}))
    emulator.enqueue({"text": "ok"})
    with tool_loop(emulator, [touch], tmp_path) as loop:
        [result] = results_of(list(loop))
    assert result["is_error"] is True
    assert "invalid input for touch at /text: 5 is not of type 'string'" in result["content"]
    assert not marker.exists()


def test_ask_yes_no_always_and_no_terminal(emulator: Emulator, tmp_path: Path) -> None:
    echo = command_tool("echo", ["echo", "{text}"])
    asker = Asker(Approval("no", "not today"), Approval("always"), None)
    for _ in range(3):
        emulator.enqueue(calls("echo", tool_input={"text": "hi"}))
    emulator.enqueue({"text": "done"})
    with tool_loop(emulator, [echo], tmp_path, approve=asker) as loop:
        results = results_of(list(loop))
    assert results[0] == {
        "type": "tool_result",
        "tool_use_id": results[0]["tool_use_id"],
        "content": "the user declined to run `echo` (echo hi): not today",
        "is_error": True,
    }
    assert results[1]["content"] == results[2]["content"] == "hi\n"
    assert len(asker.asked) == 2  # `always` approved the third call without asking


def test_without_a_terminal_asking_denies_with_the_way_to_allow(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("write_file", tool_input={"path": "x", "content": "y"}))
    emulator.enqueue({"text": "ok"})
    with tool_loop(emulator, builtins("write_file"), tmp_path) as loop:
        [result] = results_of(list(loop))
    assert result["is_error"] and "--allow write_file" in result["content"]
    assert not (tmp_path / "x").exists()


def test_deny_wins_over_allow_and_yes(emulator: Emulator, tmp_path: Path) -> None:
    policy = Policy.of(
        allow=(parse_rule("run_command"),), deny=(parse_rule("run_command(rm *)"),), yes=True
    )
    emulator.enqueue(calls("run_command", tool_input={"argv": ["rm", "-rf", "build"]}))
    emulator.enqueue({"text": "ok"})
    with tool_loop(emulator, builtins("run_command"), tmp_path, policy=policy) as loop:
        [result] = results_of(list(loop))
    assert "denied by the user's rules" in result["content"]


def test_max_turns_stops_before_running_more_tools(emulator: Emulator, tmp_path: Path) -> None:
    for _ in range(3):
        emulator.enqueue(calls("list_dir", tool_input={}))
    with tool_loop(emulator, builtins("list_dir"), tmp_path, max_turns=2) as loop:
        events = list(loop)
    assert loop.outcome == "max_turns"
    assert len(message_requests(emulator)) == 2
    assert len(results_of(events)) == 1
    assert sum(isinstance(event, RoundEnd) for event in events) == 2


def test_thinking_blocks_go_back_with_their_signatures(emulator: Emulator, tmp_path: Path) -> None:
    emulator.enqueue({**calls("list_dir", tool_input={}), "thinking": "let me look"})
    emulator.enqueue({"text": "ok"})
    old = "claude-sonnet-4-5"  # the emulator's model with budgeted thinking
    with tool_loop(emulator, builtins("list_dir"), tmp_path, thinking="2048", model=old) as loop:
        list(loop)
    second = message_requests(emulator)[1]["body"]["messages"][1]["content"]
    assert second[0]["type"] == "thinking" and second[0]["signature"]
    assert second[0]["thinking"] == "let me look"


def test_pause_turn_is_continued_without_a_user_message(emulator: Emulator, tmp_path: Path) -> None:
    emulator.enqueue({"text": "searching", "stop": "pause_turn"})
    emulator.enqueue({"text": "found it"})
    old = "claude-sonnet-4-5"  # the emulator refuses a trailing assistant turn on 5.x models
    with tool_loop(emulator, builtins("list_dir"), tmp_path, model=old) as loop:
        list(loop)
    second = message_requests(emulator)[1]["body"]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant"]
    assert loop.outcome == "done"
