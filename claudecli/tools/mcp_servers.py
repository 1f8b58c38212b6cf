"""MCP stdio servers as tool sources, through the official `mcp` SDK (an optional extra).

The SDK is imported only here and only when a tools file names an MCP server (it costs
~0.6 s). It is asyncio-based: the servers live on one event loop in a background thread, each
in its own task that holds `stdio_client` + `ClientSession` open until `close()`. Calls come
from the loop's thread(s) through `run_coroutine_threadsafe`. Servers get the SDK's minimal
environment (HOME, PATH, …: never ANTHROPIC_* keys); their stderr goes to a temporary file whose
tail is shown when a server fails to start.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import tempfile
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from claudecli.client import JSON
from claudecli.errors import ConfigError
from claudecli.tools.spec import McpServer, ToolDef, mcp_tool_name
from claudecli.tools.toolbox import Outcome

T = TypeVar("T")
START_TIMEOUT: Final = 30.0
IMAGE_TYPES: Final = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
INSTALL_HINT: Final = "pip install 'claudecli[mcp]'"


def require_sdk(server: str) -> None:
    try:
        import mcp  # noqa: F401
    except ImportError:
        raise ConfigError(
            f"MCP server {server!r}: the optional `mcp` package is not installed ({INSTALL_HINT})"
        ) from None


class McpHub:
    """The run's MCP servers: `start()` connects them all and lists their tools."""

    def __init__(self, servers: Sequence[McpServer], *, base_dir: Path, root: Path) -> None:
        for server in servers:  # before any thread starts: the one-line install hint
            require_sdk(server.name)
        self.servers = list(servers)
        self.base_dir = base_dir
        self.root = root
        self._sessions: dict[str, Any] = {}
        self._stops: list[asyncio.Event] = []
        self._tasks: list[concurrent.futures.Future[None]] = []
        self._errlog = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115 (closed in close())
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def start(self) -> list[ToolDef]:
        tools: list[ToolDef] = []
        for server in self.servers:
            tools += self._connect(server)
        return tools

    def _submit(self, coroutine: Coroutine[Any, Any, T], timeout: float | None) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def _connect(self, server: McpServer) -> list[ToolDef]:
        ready: concurrent.futures.Future[list[Any]] = concurrent.futures.Future()
        stop = self._submit(_new_event(), 5)
        self._stops.append(stop)
        task = asyncio.run_coroutine_threadsafe(self._serve(server, ready, stop), self._loop)
        self._tasks.append(task)
        try:
            listed = ready.result(START_TIMEOUT)
        except concurrent.futures.TimeoutError:
            raise ConfigError(self._failed(server, f"no answer in {START_TIMEOUT:g} s")) from None
        except Exception as error:  # the server's own failure, whatever the SDK raised
            raise ConfigError(self._failed(server, _reason(error))) from None
        return [_tool_def(server, tool) for tool in listed]

    def _failed(self, server: McpServer, reason: str) -> str:
        self._errlog.seek(0)
        tail = " ".join(self._errlog.read().strip().splitlines()[-1:])
        said = f" (its stderr: {tail[:200]})" if tail else ""
        return f"MCP server {server.name!r} ({server.argv[0]}) did not start: {reason}{said}"

    async def _serve(
        self, server: McpServer, ready: concurrent.futures.Future[list[Any]], stop: asyncio.Event
    ) -> None:
        from mcp import ClientSession, StdioServerParameters
        from mcp.client.stdio import stdio_client

        cwd = (self.base_dir / server.cwd).resolve() if server.cwd else self.root
        params = StdioServerParameters(command=server.argv[0], args=list(server.argv[1:]), cwd=cwd)
        try:
            async with (
                stdio_client(params, errlog=self._errlog) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                listed = await _all_tools(session)
                self._sessions[server.name] = session
                ready.set_result(listed)
                await stop.wait()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error if isinstance(error, Exception) else RuntimeError())
            else:
                raise

    def call(self, tool: ToolDef, arguments: JSON) -> Outcome:
        session = self._sessions.get(tool.server or "")
        if session is None:
            return Outcome(f"MCP server {tool.server!r} is not running", is_error=True)
        coroutine = session.call_tool(
            tool.remote_name, arguments, read_timeout_seconds=tool.timeout
        )
        try:
            result = self._submit(coroutine, tool.timeout + 5)
        except Exception as error:  # MCPError, a closed stream, a timeout: the model is told
            return Outcome(f"MCP call {tool.remote_name} failed: {_reason(error)}", is_error=True)
        return _outcome(result)

    def close(self) -> None:
        for stop in self._stops:
            self._loop.call_soon_threadsafe(stop.set)
        for task in self._tasks:
            try:
                task.result(10)
            except Exception:  # shutting down: a server that fails now changes nothing
                pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
        self._errlog.close()


async def _new_event() -> asyncio.Event:
    return asyncio.Event()


async def _all_tools(session: Any) -> list[Any]:
    from mcp import types

    listed = await session.list_tools()
    tools = list(listed.tools)
    while listed.next_cursor:
        params = types.PaginatedRequestParams(cursor=listed.next_cursor)
        listed = await session.list_tools(params=params)
        tools += listed.tools
    return tools


def _tool_def(server: McpServer, tool: Any) -> ToolDef:
    schema = dict(tool.input_schema or {"type": "object"})
    return ToolDef(
        name=mcp_tool_name(server.name, tool.name),
        description=tool.description or "",
        input_schema=schema,
        kind="mcp",
        timeout=server.timeout,
        permission=server.permission,
        server=server.name,
        remote_name=tool.name,
    )


def _outcome(result: Any) -> Outcome:
    blocks = [_block(item) for item in result.content or ()]
    if not blocks and result.structured_content is not None:
        blocks = [{"type": "text", "text": _json(result.structured_content)}]
    error = bool(result.is_error)
    if all(block["type"] == "text" for block in blocks):
        return Outcome("\n".join(block["text"] for block in blocks), error)
    return Outcome(blocks, error)


def _block(item: Any) -> JSON:
    kind = getattr(item, "type", None)
    if kind == "text":
        return {"type": "text", "text": str(item.text)}
    mime = getattr(item, "mime_type", None)
    if kind == "image" and mime in IMAGE_TYPES:
        source = {"type": "base64", "media_type": mime, "data": item.data}
        return {"type": "image", "source": source}
    return {"type": "text", "text": f"[{kind or 'content'}: not supported by claudecli]"}


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _reason(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup) and error.exceptions:
        return _reason(error.exceptions[0])
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
