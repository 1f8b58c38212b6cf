"""The tools of one run: their definitions for the request, and answering a tool_use.

`prepare()` checks a call before anything runs (a known tool, an input valid under its schema, a
command line that can be built and found) and says what would run; `run()` runs it and never
raises for the tool's own failures: they become an `is_error` tool_result the model can act on.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from claudecli.client import JSON, ToolUseBlock
from claudecli.tools.builtin import FILE_TOOLS, Root, ToolFailure
from claudecli.tools.process import (
    Finished,
    Processes,
    clean_env,
    resolve_executable,
    run_command,
)
from claudecli.tools.spec import DEFAULT_MAX_OUTPUT, ToolDef

if TYPE_CHECKING:
    from claudecli.tools.mcp_servers import McpHub

PLACEHOLDER: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_ARG: Final = 128 * 1024


@dataclass(frozen=True)
class Call:
    """A tool_use, checked: what would run (`argv`, `executable`) or why it cannot (`problem`)."""

    use: ToolUseBlock
    tool: ToolDef | None
    argv: tuple[str, ...] | None = None
    executable: str | None = None
    cwd: str | None = None
    problem: str | None = None

    @property
    def input(self) -> JSON:
        return self.use.input if isinstance(self.use.input, dict) else {}


@dataclass(frozen=True)
class Outcome:
    content: str | list[JSON]
    is_error: bool = False


def result_block(tool_use_id: str, outcome: Outcome) -> JSON:
    block: JSON = {"type": "tool_result", "tool_use_id": tool_use_id, "content": outcome.content}
    if outcome.is_error:
        block["is_error"] = True
    return block


class Toolbox:
    def __init__(
        self,
        tools: Sequence[ToolDef],
        *,
        root: Root,
        env: Mapping[str, str],
        cap: int = DEFAULT_MAX_OUTPUT,
        base_dir: Path | None = None,
        mcp: McpHub | None = None,
    ) -> None:
        self.tools = {tool.name: tool for tool in tools}
        self.root = root
        self.env = clean_env(env)
        self.cap = cap
        self.base_dir = base_dir or root.path
        self.mcp = mcp

    def definitions(self) -> tuple[JSON, ...]:
        return tuple(tool.api() for tool in self.tools.values())

    # --- checking -------------------------------------------------------------------------

    def prepare(self, use: ToolUseBlock) -> Call:
        tool = self.tools.get(use.name)
        if tool is None:
            known = ", ".join(self.tools) or "none"
            return Call(use, None, problem=f"there is no tool named {use.name!r} (tools: {known})")
        problem = _input_problem(tool, use.input)
        if problem is not None:
            return Call(use, tool, problem=problem)
        if tool.kind == "command" or (tool.kind == "builtin" and tool.name == "run_command"):
            return self._command_call(use, tool)
        return Call(use, tool)

    def _command_call(self, use: ToolUseBlock, tool: ToolDef) -> Call:
        args: JSON = use.input
        try:
            argv = expand(tool.command, args) if tool.kind == "command" else _argv(args)
        except ValueError as error:
            return Call(use, tool, problem=f"{tool.name}: {error}; nothing was run")
        cwd = self._cwd(tool)
        executable = resolve_executable(argv[0], self.env, cwd)
        if executable is None:
            return Call(use, tool, argv, problem=f"{argv[0]}: command not found; nothing was run")
        return Call(use, tool, argv, executable, cwd)

    def _cwd(self, tool: ToolDef) -> str:
        if tool.cwd is None:
            return str(self.root.path)
        return str((self.base_dir / os.path.expanduser(tool.cwd)).resolve())

    # --- running --------------------------------------------------------------------------

    def run(self, call: Call, processes: Processes) -> Outcome:
        if call.problem is not None or call.tool is None:
            return Outcome(call.problem or "unknown tool", is_error=True)
        try:
            return self._run(call, call.tool, processes)
        except ToolFailure as failure:
            return Outcome(str(failure), is_error=True)

    def _run(self, call: Call, tool: ToolDef, processes: Processes) -> Outcome:
        if call.argv is not None:
            return self._run_command(call, tool, processes)
        if tool.kind == "mcp" and self.mcp is not None:
            return self._capped(self.mcp.call(tool, call.input))
        handler = FILE_TOOLS[tool.name]
        return Outcome(capped(handler(self.root, call.input, self.cap), self.cap))

    def _capped(self, outcome: Outcome) -> Outcome:
        if isinstance(outcome.content, str):
            return Outcome(capped(outcome.content, self.cap), outcome.is_error)
        return outcome

    def _run_command(self, call: Call, tool: ToolDef, processes: Processes) -> Outcome:
        assert call.argv is not None and call.executable is not None and call.cwd is not None
        stdin = json.dumps(call.input).encode() if tool.stdin_json else None
        try:
            finished = run_command(
                [call.executable, *call.argv[1:]],
                cwd=call.cwd,
                env=self.env,
                timeout=tool.timeout,
                cap=self.cap,
                stdin=stdin,
                processes=processes,
            )
        except OSError as error:
            return Outcome(f"{call.argv[0]}: cannot run: {error.strerror or error}", True)
        return command_outcome(finished, self.cap, tool.timeout)


def command_outcome(finished: Finished, cap: int, timeout: float) -> Outcome:
    text = finished.output.decode("utf-8", "replace")
    text = capped_note(text, finished.total, cap)
    if finished.timed_out:
        note = f"[timed out after {timeout:g} s; the command and its process group were killed]"
        return Outcome(_joined(text, note), is_error=True)
    if finished.returncode:
        return Outcome(_joined(text, f"[exit status {finished.returncode}]"), is_error=True)
    return Outcome(text or "(no output)")


def _joined(text: str, note: str) -> str:
    return f"{text.rstrip(chr(10))}\n{note}" if text else note


def capped(text: str, cap: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= cap:
        return text
    return capped_note(data[:cap].decode("utf-8", "ignore"), len(data), cap)


def capped_note(text: str, total: int, cap: int) -> str:
    if total <= cap:
        return text
    note = f"[output truncated: {_size(total)} in all, showing the first {_size(cap)}]"
    return f"{text}\n{note}"


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"


def _input_problem(tool: ToolDef, value: Any) -> str | None:
    from claudecli.answer import schema_problem

    if not isinstance(value, dict):
        return f"invalid input for {tool.name}: expected a JSON object; nothing was run"
    problem = schema_problem(value, tool.input_schema)
    if problem is None:
        return None
    return f"invalid input for {tool.name} {problem}; nothing was run, correct the input"


def expand(template: Sequence[str], args: Mapping[str, Any]) -> tuple[str, ...]:
    """The argv: each `{field}` replaced by that input value (one argument, never split);
    an argument whose placeholder has no value is left out."""
    argv: list[str] = []
    for part in template:
        fields = PLACEHOLDER.findall(part)
        if any(args.get(name) is None for name in fields):
            continue
        argv.append(PLACEHOLDER.sub(lambda m: _arg(args[m.group(1)]), part))
    _check_argv(argv)
    return tuple(argv)


def _arg(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _argv(args: Mapping[str, Any]) -> tuple[str, ...]:
    argv = args.get("argv")
    if not isinstance(argv, list) or not all(isinstance(word, str) for word in argv):
        raise ValueError("argv must be a list of strings")
    _check_argv(argv)
    return tuple(argv)


def _check_argv(argv: Sequence[str]) -> None:
    if not argv or not argv[0]:
        raise ValueError("the command line is empty")
    for word in argv:
        if "\x00" in word:
            raise ValueError("an argument holds a NUL byte")
        if len(word) > MAX_ARG:
            raise ValueError(f"an argument is longer than {MAX_ARG} characters")
