"""What a tool is: its API definition and how it runs (a command, a built-in, an MCP tool)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from claudecli.client import JSON

Permission: TypeAlias = Literal["allow", "ask", "deny"]
Kind: TypeAlias = Literal["command", "builtin", "mcp"]

PERMISSIONS: Final = ("allow", "ask", "deny")
NAME_PATTERN: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
DEFAULT_TIMEOUT: Final = 30.0
MAX_TIMEOUT: Final = 24 * 3600.0
DEFAULT_MAX_OUTPUT: Final = 100 * 1024
READ_ONLY_BUILTINS: Final = frozenset({"read_file", "list_dir", "search_files"})
BUILTIN_NAMES: Final = ("read_file", "list_dir", "search_files", "write_file", "run_command")


@dataclass(frozen=True)
class ToolDef:
    """One tool the model may call. `command` is an argv template (`{field}` placeholders);
    `server`/`remote_name` name an MCP server and the tool's own name there."""

    name: str
    description: str
    input_schema: JSON
    kind: Kind
    command: tuple[str, ...] = ()
    stdin_json: bool = False
    timeout: float = DEFAULT_TIMEOUT
    permission: Permission | None = None  # None: the default for its kind
    cwd: str | None = None
    server: str | None = None
    remote_name: str | None = None

    def api(self) -> JSON:
        """The definition sent in the request's `tools`."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }

    def default_permission(self) -> Permission:
        """Read-only built-ins run unasked (inside the root); everything else asks."""
        if self.kind == "builtin" and self.name in READ_ONLY_BUILTINS:
            return "allow"
        return "ask"


@dataclass(frozen=True)
class McpServer:
    """An `mcp: [command, args...]` entry: every tool of that stdio server, named
    `mcp__{name}__{tool}`."""

    name: str
    argv: tuple[str, ...]
    permission: Permission | None = None
    timeout: float = DEFAULT_TIMEOUT
    cwd: str | None = None


@dataclass(frozen=True)
class ToolsFile:
    """A tools file, validated: tools, built-ins to enable, MCP servers and approval rules."""

    tools: tuple[ToolDef, ...] = ()
    builtins: tuple[str, ...] = ()
    mcp_servers: tuple[McpServer, ...] = ()
    allow: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


def mcp_tool_name(server: str, tool: str) -> str:
    """`mcp__{server}__{tool}`, made to fit the API's name pattern (at most 64 characters)."""
    name = re.sub(r"[^a-zA-Z0-9_-]", "_", f"mcp__{server}__{tool}")
    return name[:64]
