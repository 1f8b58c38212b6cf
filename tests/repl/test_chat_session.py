"""The chat workflow without a terminal: what each turn sends, the slash commands, undo."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claudecli.chat import ChatSession, resume_session, run_command
from claudecli.config import resolve_settings
from claudecli.conversations import Store
from claudecli.turn import TurnOptions, TurnPlan, plan_turn
from tests.cli.helpers import png

RESOLVED = resolve_settings({}, {}, None)


def plan(session: ChatSession, prompt: str | None) -> TurnPlan:
    return plan_turn(session.next_options(prompt), RESOLVED, today=date(2030, 1, 1))


def answer(text: str, **usage: int) -> dict[str, Any]:
    return {
        "role": "assistant",
        "model": "claude-sonnet-5-5",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "usage": usage or {"input_tokens": 10, "output_tokens": 5},
    }


def turn(
    session: ChatSession, prompt: str | None, reply: str, status: Any = "complete"
) -> TurnPlan:
    planned = plan(session, prompt)
    session.after_turn(planned, answer(reply), status=status, conversation_id=None)
    return planned


def roles_of(planned: TurnPlan) -> list[tuple[str, str]]:
    return [
        (m["role"], " ".join(b.get("text", b["type"]) for b in m["content"]))
        for m in planned.body["messages"]
    ]


def test_each_turn_carries_the_history() -> None:
    session = ChatSession(TurnOptions())
    turn(session, "one", "first")
    turn(session, "two", "second")
    third = plan(session, "three")
    assert roles_of(third) == [
        ("user", "one"),
        ("assistant", "first"),
        ("user", "two"),
        ("assistant", "second"),
        ("user", "three"),
    ]


def test_an_interrupted_answer_is_kept_and_the_next_turn_follows_it() -> None:
    session = ChatSession(TurnOptions())
    turn(session, "one", "partial ", status="interrupted")
    assert roles_of(plan(session, "go on")) == [
        ("user", "one"),
        ("assistant", "partial"),  # trailing whitespace gone
        ("user", "go on"),
    ]


def test_a_failed_turn_before_any_text_merges_with_the_next() -> None:
    session = ChatSession(TurnOptions())
    planned = plan(session, "one")
    session.after_turn(planned, {"content": []}, status="error", conversation_id=None)
    assert roles_of(plan(session, "two")) == [("user", "one two")]


def test_undo_and_retry() -> None:
    session = ChatSession(TurnOptions())
    turn(session, "one", "first")
    turn(session, "two", "second")
    assert run_command(session, "/undo").text is not None
    assert roles_of(plan(session, "again")) == [
        ("user", "one"),
        ("assistant", "first"),
        ("user", "again"),
    ]
    assert run_command(session, "/retry").action == "retry"
    session.undo(keep_prompt=True)
    assert roles_of(plan(session, None)) == [("user", "one")]


def test_attach_detach_and_prefill_apply_to_the_next_turn_only(tmp_path: Path) -> None:
    image = tmp_path / "dot.png"
    image.write_bytes(png())
    session = ChatSession(TurnOptions())
    outcome = run_command(session, f"/attach {image}")
    assert outcome.text is not None and outcome.text.startswith("attached dot.png (image")
    run_command(session, "/prefill {")
    planned = turn(session, "what is it?", "a dot")
    assert [b["type"] for b in planned.body["messages"][0]["content"]] == ["image", "text"]
    assert planned.body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "{"}],
    }
    assert [m["role"] for m in plan(session, "next").body["messages"]] == [
        "user",
        "assistant",
        "user",
    ]
    assert run_command(session, "/detach").text == "nothing attached"


def test_a_bad_attachment_is_one_line_and_nothing_is_queued(tmp_path: Path) -> None:
    session = ChatSession(TurnOptions())
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for line in (f"/attach {tmp_path / 'missing.png'}", f"/attach {empty}", "/attach"):
        outcome = run_command(session, line)
        assert outcome.error and outcome.text is not None and "\n" not in outcome.text, line
    assert session.attachments == []


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("/model opus", "model", "opus"),
        ("/thinking 2048", "thinking", "2048"),
        ("/effort high", "effort", "high"),
        ("/cache system prompt", "cache", ("system", "prompt")),
        ("/system Be brief.", "system", "Be brief."),
    ],
)
def test_settings_commands(line: str, field: str, value: object) -> None:
    session = ChatSession(TurnOptions())
    assert not run_command(session, line).error
    assert getattr(session.base, field) == value


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("/thinking lots", "/thinking"),
        ("/effort huge", "/effort"),
        ("/cache everything", "/cache"),
        ("/frobnicate", "unknown command /frobnicate; /help"),
        ("/modle x", "unknown command /modle (did you mean /model?)"),
        ("/role nope", "/role: unknown role 'nope'"),
    ],
)
def test_bad_commands_are_one_line(line: str, start: str) -> None:
    outcome = run_command(ChatSession(TurnOptions()), line)
    assert outcome.error and outcome.text is not None
    assert outcome.text.startswith(start) and "\n" not in outcome.text


def test_role_applies_its_settings() -> None:
    roles = {
        "reviewer": {"system": "Be terse.", "model": "opus", "thinking": 2048, "cache": ("off",)}
    }
    session = ChatSession(TurnOptions(system="old"), roles=roles)
    assert not run_command(session, "/role reviewer").error
    base = session.base
    assert (base.system, base.model, base.thinking, base.cache) == (
        "Be terse.",
        "opus",
        "2048",
        ("off",),
    )
    assert "reviewer" in (run_command(session, "/role").text or "")


def test_help_lists_every_command() -> None:
    text = run_command(ChatSession(TurnOptions()), "/help").text or ""
    for name in ("/model", "/attach", "/undo", "/retry", "/tokens", "/export", "/role", "/quit"):
        assert name in text


def test_new_title_and_export_with_a_store(tmp_path: Path) -> None:
    with Store.open(tmp_path / "c.db") as store:
        session = ChatSession(TurnOptions(), store=store)
        run_command(session, "/title Before it exists")
        planned = plan(session, "one")
        from claudecli.turn.record import start_recording

        recording = start_recording(store, planned, conversation_id=None, profile=None, title="x")
        assert recording.reply is not None
        recording.reply.finish(answer("first"), request_id=None, cost_usd=None, timings=None)
        session.after_turn(
            planned, answer("first"), status="complete", conversation_id=recording.conversation_id
        )
        conv = session.conversation_id
        assert conv is not None and store.conversation(conv).title == "Before it exists"
        run_command(session, "/title Renamed")
        assert store.conversation(conv).title == "Renamed"
        out = tmp_path / "chat.jsonl"
        assert run_command(session, f"/export {out}").text == f"exported 2 turns to {out}"
        assert [json.loads(line)["role"] for line in out.read_text().splitlines()] == [
            "user",
            "assistant",
        ]
        md = tmp_path / "chat.md"
        run_command(session, f"/export {md}")
        assert md.read_text().startswith("# Renamed")
        resumed = resume_session(store, conv, TurnOptions())
        assert roles_of(plan(resumed, "two"))[0] == ("user", "one")
        run_command(session, "/new")
        assert session.conversation_id is None and session.messages == []


def test_window_warning_near_the_limit() -> None:
    session = ChatSession(TurnOptions())
    planned = plan(session, "hi")
    info = {"id": "claude-sonnet-5-5", "max_input_tokens": 1000}
    near = TurnPlan(planned.spec, planned.body, planned.settings, info)
    assert session.window_warning(near) is None
    session.stats.last_usage = {"input_tokens": 900}
    warning = session.window_warning(near) or ""
    assert "90% of claude-sonnet-5-5's context window (1,000 tokens)" in warning
    assert "/undo" in warning and "/new" in warning
