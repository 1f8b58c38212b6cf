"""Reading a tools file (YAML or JSON): every error is one line naming `file:line:col`.

    builtin: [read_file, list_dir]          # or "read_file,list_dir"
    allow: [run_command(git status)]        # approval rules (see claudecli.tools.rules)
    deny: [write_file]
    tools:
      - name: word_count
        description: Count the words of a file.
        input_schema: {type: object, properties: {path: {type: string}}, required: [path]}
        command: [wc, -w, "{path}"]         # no shell; each placeholder is one argument
        timeout: 10                         # seconds (default 30)
        permission: allow                   # allow | ask | deny (default ask)
      - name: jq_sort
        description: Sort keys of a JSON value.
        input_schema: {type: object}
        command: [jq, -S, .]
        stdin: json                         # the input, as JSON, on the command's stdin
      - name: files                         # every tool of a stdio MCP server
        mcp: [python, server.py]            # -> mcp__files__<tool>

A top-level list is a list of tools.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from claudecli.errors import ConfigError
from claudecli.tools.rules import parse_rule
from claudecli.tools.spec import (
    BUILTIN_NAMES,
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    NAME_PATTERN,
    PERMISSIONS,
    McpServer,
    ToolDef,
    ToolsFile,
)

MAX_TOOLS_FILE_BYTES: Final = 1024 * 1024
TOP_KEYS: Final = ("tools", "builtin", "allow", "ask", "deny")
TOOL_KEYS: Final = ("name", "description", "input_schema", "command", "stdin", "timeout")
TOOL_KEYS_ALL: Final = (*TOOL_KEYS, "permission", "cwd", "mcp")
Where = tuple[str | int, ...]


def read_tools_file(path: str) -> ToolsFile:
    """Read and validate `--tools FILE`; ConfigError (exit 3) on anything wrong."""
    text = _read_text(path)
    name = os.path.basename(path) or path
    if path.lower().endswith(".json"):
        return _Reader(name, _json_value(text, name), {}).read()
    from claudecli.config.yaml_file import parse_yaml_document

    document = parse_yaml_document(text, name=name)
    return _Reader(name, document.value, document.marks).read()


def _read_text(path: str) -> str:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"--tools {path}: not a regular file")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_TOOLS_FILE_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"--tools {path}: {error.strerror or error}") from None
    if len(raw) > MAX_TOOLS_FILE_BYTES:
        raise ConfigError(f"--tools {path}: larger than {MAX_TOOLS_FILE_BYTES // 1024} KiB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"--tools {path}: not UTF-8 (bad byte at offset {error.start})") from None


def _json_value(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{name}:{error.lineno}:{error.colno}: {error.msg}") from None


def _label(path: Where) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Reader:
    def __init__(self, name: str, value: Any, marks: Mapping[Where, tuple[int, int]]) -> None:
        self.name = name
        self.value = value
        self.marks = marks

    def error(self, path: Where, message: str) -> ConfigError:
        where = self.name
        for end in range(len(path), -1, -1):
            if path[:end] in self.marks:
                line, column = self.marks[path[:end]]
                where = f"{self.name}:{line}:{column}"
                break
        label = _label(path)
        return ConfigError(f"{where}: {label}: {message}" if label else f"{where}: {message}")

    def read(self) -> ToolsFile:
        top = {"tools": self.value} if isinstance(self.value, list) else self.value
        if top is None:
            return ToolsFile()
        if not isinstance(top, dict):
            raise self.error((), "a tools file is a mapping (tools:, builtin:, allow:, …)")
        self.unknown(top, (), TOP_KEYS)
        entries = self.items(top.get("tools"), ("tools",)) if "tools" in top else []
        tools = [self.tool(e, ("tools", i)) for i, e in enumerate(entries) if "mcp" not in e]
        servers = [self.server(e, ("tools", i)) for i, e in enumerate(entries) if "mcp" in e]
        return ToolsFile(
            tools=tuple(tools),
            builtins=self.builtins(top.get("builtin"), ("builtin",)),
            mcp_servers=tuple(servers),
            **{key: self.rules(top.get(key), (key,)) for key in ("allow", "ask", "deny")},
        )

    def unknown(self, mapping: Mapping[str, Any], path: Where, known: Sequence[str]) -> None:
        for key in mapping:
            if key not in known:
                raise self.error((*path, key), f"unknown key; expected one of {', '.join(known)}")

    def items(self, value: Any, path: Where) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise self.error(path, "must be a list of tools")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.error((*path, index), "a tool is a mapping (name:, description:, …)")
        return value

    def strings(self, value: Any, path: Where, *, allow_empty: bool = True) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(path, "must be a list of strings")
        if not value and not allow_empty:
            raise self.error(path, "must not be empty")
        return tuple(value)

    def builtins(self, value: Any, path: Where) -> tuple[str, ...]:
        names = self.strings(value if value is not None else [], path)
        for index, name in enumerate(names):
            if name not in BUILTIN_NAMES:
                raise self.error((*path, index), f"{name!r}: not a built-in tool")
        return names

    def rules(self, value: Any, path: Where) -> tuple[str, ...]:
        patterns = self.strings(value if value is not None else [], path)
        for index, pattern in enumerate(patterns):
            try:
                parse_rule(pattern)
            except ValueError as error:
                raise self.error((*path, index), str(error)) from None
        return patterns

    def tool_name(self, entry: Mapping[str, Any], path: Where) -> str:
        name = entry.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise self.error((*path, "name"), "required: 1-64 letters, digits, _ or -")
        return name

    def common(self, entry: Mapping[str, Any], path: Where) -> dict[str, Any]:
        permission = entry.get("permission")
        if permission is not None and permission not in PERMISSIONS:
            raise self.error((*path, "permission"), "must be allow, ask or deny")
        cwd = entry.get("cwd")
        if cwd is not None and not isinstance(cwd, str):
            raise self.error((*path, "cwd"), "must be a directory path")
        return {"permission": permission, "cwd": cwd, "timeout": self.timeout(entry, path)}

    def timeout(self, entry: Mapping[str, Any], path: Where) -> float:
        value = entry.get("timeout", DEFAULT_TIMEOUT)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not 0 < value <= MAX_TIMEOUT:
            raise self.error(
                (*path, "timeout"), f"seconds, more than 0 and at most {MAX_TIMEOUT:g}"
            )
        return float(value)

    def tool(self, entry: Mapping[str, Any], path: Where) -> ToolDef:
        self.unknown(entry, path, TOOL_KEYS_ALL)
        name = self.tool_name(entry, path)
        if "command" not in entry:
            raise self.error(path, f"tool {name!r}: needs `command: [argv...]` or `mcp: [...]`")
        return ToolDef(
            name=name,
            description=self.description(entry, path),
            input_schema=self.schema(entry.get("input_schema"), (*path, "input_schema")),
            kind="command",
            command=self.strings(entry["command"], (*path, "command"), allow_empty=False),
            stdin_json=self.stdin(entry.get("stdin"), (*path, "stdin")),
            **self.common(entry, path),
        )

    def description(self, entry: Mapping[str, Any], path: Where) -> str:
        text = entry.get("description", "")
        if not isinstance(text, str):
            raise self.error((*path, "description"), "must be text")
        return text

    def stdin(self, value: Any, path: Where) -> bool:
        if value not in (None, "json"):
            raise self.error(path, "the only value is `json` (the input as JSON on stdin)")
        return bool(value == "json")

    def schema(self, value: Any, path: Where) -> dict[str, Any]:
        if value is None:
            return {"type": "object", "properties": {}}
        if not isinstance(value, dict) or value.get("type") != "object":
            raise self.error(path, "must be a JSON Schema object with `type: object`")
        from claudecli.answer import invalid_schema

        problem = invalid_schema(value)
        if problem is not None:
            raise self.error(path, f"not a valid JSON Schema: {problem}")
        return value

    def server(self, entry: Mapping[str, Any], path: Where) -> McpServer:
        self.unknown(entry, path, ("name", "mcp", "permission", "cwd", "timeout"))
        argv = self.strings(entry["mcp"], (*path, "mcp"), allow_empty=False)
        return McpServer(name=self.tool_name(entry, path), argv=argv, **self.common(entry, path))


def tools_file_dir(path: str) -> Path:
    """The directory a tools file's relative `cwd` values are taken from."""
    return Path(path).resolve().parent
