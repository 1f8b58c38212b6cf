"""An MCP stdio server (tests/tools/mcp_server.py) listed and called through the SDK."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from claudecli.errors import ConfigError
from claudecli.tools.mcp_servers import McpHub
from claudecli.tools.spec import McpServer

SERVER = str(Path(__file__).with_name("mcp_server.py"))


def test_tools_are_listed_and_called(tmp_path: Path) -> None:
    hub = McpHub([McpServer("calc", (sys.executable, SERVER))], base_dir=tmp_path, root=tmp_path)
    try:
        tools = {tool.name: tool for tool in hub.start()}
        assert set(tools) == {"mcp__calc__add", "mcp__calc__fail"}
        add = tools["mcp__calc__add"]
        assert add.kind == "mcp" and add.remote_name == "add" and add.default_permission() == "ask"
        assert add.input_schema["required"] == ["a", "b"]
        assert hub.call(add, {"a": 2, "b": 3}).content == "5"
        failed = hub.call(tools["mcp__calc__fail"], {"reason": "boom"})
        assert failed.is_error
    finally:
        hub.close()


def test_a_server_that_does_not_start_is_one_line(tmp_path: Path) -> None:
    hub = McpHub([McpServer("bad", ("/nonexistent/server",))], base_dir=tmp_path, root=tmp_path)
    try:
        with pytest.raises(
            ConfigError, match=r"^MCP server 'bad' \(/nonexistent/server\) did not start"
        ):
            hub.start()
    finally:
        hub.close()
