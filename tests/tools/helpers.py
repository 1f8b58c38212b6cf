"""Build a tool loop in-process against the test's emulator."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from claudecli.client import Client, ClientOptions, Secret
from claudecli.config import resolve_settings
from claudecli.emulator import Emulator
from claudecli.tools.builtin import Root, builtin_tool
from claudecli.tools.loop import Approval, Approve, ToolLoop, make_replan
from claudecli.tools.rules import Policy
from claudecli.tools.spec import ToolDef
from claudecli.tools.toolbox import Call, Toolbox
from claudecli.turn import TurnOptions, plan_turn

KEY = "sk-ant-test-tools"
TODAY = date(2026, 12, 1)


def command_tool(name: str, command: Sequence[str], **fields: Any) -> ToolDef:
    schema = fields.pop(
        "input_schema",
        {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    )
    return ToolDef(name, f"the {name} tool", schema, "command", command=tuple(command), **fields)


def builtins(*names: str) -> list[ToolDef]:
    return [builtin_tool(name, 30.0) for name in names]


class Asker:
    """An approval callback that answers from a script and remembers what it was asked."""

    def __init__(self, *answers: Approval | None) -> None:
        self.answers = list(answers)
        self.asked: list[Call] = []

    def __call__(self, call: Call) -> Approval | None:
        self.asked.append(call)
        return self.answers.pop(0) if self.answers else None


@contextmanager
def tool_loop(
    emulator: Emulator,
    tools: Sequence[ToolDef],
    root: Path,
    *,
    prompt: str = "go",
    approve: Approve | None = None,
    policy: Policy | None = None,
    max_turns: int = 10,
    cap: int = 100 * 1024,
    **options: Any,
) -> Iterator[ToolLoop]:
    toolbox = Toolbox(tools, root=Root.of(root), env={"PATH": "/usr/bin:/bin"}, cap=cap)
    turn_options = TurnOptions(prompt=prompt, tools=toolbox.definitions(), **options)
    resolved = resolve_settings({"model": "claude-sonnet-5-5"}, {}, None)
    plan = plan_turn(turn_options, resolved, today=TODAY)
    replan = make_replan(turn_options, plan, resolved, today=TODAY)
    client_options = ClientOptions(api_key=Secret(KEY), base_url=emulator.url, max_retries=0)
    with Client(client_options) as client:
        yield ToolLoop(
            client,
            plan,
            replan,
            toolbox,
            policy or Policy(),
            approve or Asker(),
            max_turns=max_turns,
        )


def calls(*names: str, tool_input: dict[str, Any] | None = None, text: str = "") -> dict[str, Any]:
    """An emulator item: a reply that calls these tools (the same input for each), in order."""
    item: dict[str, Any] = {"tool": list(names)}
    if tool_input is not None:
        item["tool_input"] = tool_input
    if text:
        item["text"] = text
    return item
