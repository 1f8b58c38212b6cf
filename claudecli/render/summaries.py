"""Compact, sanitized summaries of non-text content blocks (pure Python, no rich).

Both renderers show the same `Summary`: the live renderer as a panel (or one line when it has no
body), the plain renderer as indented text on stderr. Long bodies keep their first lines and
count the rest in `more` ("+N lines"). Every string from the block is sanitized here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from claudecli.client import JSONView

from .sanitize import sanitize

__all__ = [
    "MAX_LINES",
    "TOOL_INPUT_TYPES",
    "Summary",
    "clip",
    "is_result_block",
    "summarize_result",
    "summarize_tool_result",
    "summarize_tool_use",
    "unsupported",
]

MAX_LINES = 15
MAX_LINE_CHARS = 400
TOOL_INPUT_TYPES = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


@dataclass(frozen=True, slots=True)
class Summary:
    """A titled block summary; `language` names the body's syntax (json, python, bash)."""

    title: str
    body: tuple[str, ...] = ()
    language: str | None = None
    error: bool = False
    more: int = 0  # body lines left out


def _one_line(value: Any) -> str:
    return " ".join(sanitize(str(value)).split()) if value is not None else ""


def _limit(lines: Iterable[str], max_lines: int = MAX_LINES) -> tuple[tuple[str, ...], int]:
    kept = [
        line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…" for line in lines
    ]
    if len(kept) <= max_lines:
        return tuple(kept), 0
    return tuple(kept[:max_lines]), len(kept) - max_lines


def clip(text: str, max_lines: int = MAX_LINES) -> tuple[tuple[str, ...], int]:
    """Sanitized lines of `text`, at most `max_lines`, and how many were left out."""
    return _limit(sanitize(text).expandtabs(4).rstrip("\n").splitlines(), max_lines)


def _labelled(label: str, detail: Any) -> str:
    text = _one_line(detail)
    return f"{label}: {text}" if text else label


def _parse_input(raw: str, given: Any) -> tuple[Any, bool]:
    """The tool input and whether it is complete JSON (partial input stays raw text)."""
    if not raw.strip():
        return (given if given is not None else {}), True
    try:
        return json.loads(raw), True
    except ValueError:
        return raw, False


def _json_summary(title: str, value: Any, complete: bool) -> Summary:
    text = json.dumps(value, indent=2, ensure_ascii=False) if complete else str(value)
    body, more = clip(text)
    suffix = "" if complete else " (incomplete input)"
    return Summary(_one_line(title) + suffix, body, "json", more=more)


def _code_summary(title: str, code: Any, language: str) -> Summary:
    body, more = clip(str(code or ""))
    return Summary(title, body, language, more=more)


def _server_tool_use(name: str, value: Any, complete: bool) -> Summary:
    args: JSONView = value if isinstance(value, dict) else {}
    if name == "web_search":
        return Summary(_labelled("web search", args.get("query")))
    if name == "web_fetch":
        return Summary(_labelled("web fetch", args.get("url")))
    if name == "code_execution":
        return _code_summary("code execution", args.get("code"), "python")
    if name == "bash_code_execution":
        return _code_summary("bash", args.get("command"), "bash")
    if name == "text_editor_code_execution":
        detail = f"{args.get('command') or ''} {args.get('path') or ''}".strip()
        return Summary(_labelled("text editor", detail))
    if name.startswith("tool_search"):
        return Summary(_labelled("tool search", args.get("query") or args.get("pattern")))
    return _json_summary(f"server tool · {name}", value, complete)


def summarize_tool_use(block: JSONView, raw_input: str) -> Summary:
    """tool_use, server_tool_use or mcp_tool_use, with the streamed input JSON (maybe partial)."""
    kind = block.get("type")
    name = _one_line(block.get("name")) or "?"
    value, complete = _parse_input(raw_input, block.get("input"))
    if kind == "server_tool_use":
        return _server_tool_use(name, value, complete)
    if kind == "mcp_tool_use":
        return _json_summary(
            f"mcp · {_one_line(block.get('server_name'))} · {name}", value, complete
        )
    return _json_summary(f"tool · {name}", value, complete)


def _error(label: str, content: Any) -> Summary:
    code = content.get("error_code") if isinstance(content, dict) else None
    return Summary(_labelled(f"{label} failed", code or "error"), error=True)


def _result_line(item: JSONView) -> str:
    title = _one_line(item.get("title")) or "(untitled)"
    url = _one_line(item.get("url"))
    return f"{title} — {url}" if url else title


def _web_search(content: Any) -> Summary:
    if not isinstance(content, list):
        return _error("web search", content)
    results = [item for item in content if isinstance(item, dict)]
    body, more = _limit(_result_line(item) for item in results)
    count = len(results)
    return Summary(f"web search: {count} result{'s' * (count != 1)}", body, more=more)


def _web_fetch(content: Any) -> Summary:
    if not isinstance(content, dict) or content.get("type") != "web_fetch_result":
        return _error("web fetch", content)
    document = content.get("content")
    title = document.get("title") if isinstance(document, dict) else None
    body = (_one_line(title),) if title else ()
    return Summary(_labelled("web fetch", content.get("url")), body)


def _output_lines(content: JSONView) -> list[str]:
    lines = sanitize(str(content.get("stdout") or "")).rstrip("\n").splitlines()
    stderr = sanitize(str(content.get("stderr") or "")).rstrip("\n")
    if stderr:
        lines += ["stderr:", *stderr.splitlines()]
    files = content.get("content")
    for item in files if isinstance(files, list) else []:
        if isinstance(item, dict) and item.get("file_id"):
            lines.append(f"file: {_one_line(item['file_id'])}")
    return lines


def _execution(label: str) -> Callable[[Any], Summary]:
    def summarize(content: Any) -> Summary:
        if not isinstance(content, dict) or "return_code" not in content:
            return _error(label, content)
        code = content.get("return_code")
        body, more = _limit(_output_lines(content))
        return Summary(f"{label}: exit {_one_line(code)}", body, error=code != 0, more=more)

    return summarize


def _text_editor(content: Any) -> Summary:
    kind = str(content.get("type", "")) if isinstance(content, dict) else ""
    if not isinstance(content, dict) or kind.endswith("_error"):
        return _error("text editor", content)
    action = kind.removeprefix("text_editor_code_execution_").removesuffix("_result")
    lines = content.get("content") or "\n".join(map(str, content.get("lines") or []))
    body, more = clip(str(lines))
    return Summary(_labelled("text editor", action), body, more=more)


def _tool_search(content: Any) -> Summary:
    references = content.get("tool_references") if isinstance(content, dict) else None
    if not isinstance(references, list):
        return _error("tool search", content)
    names = [_one_line(ref.get("tool_name")) for ref in references if isinstance(ref, dict)]
    body, more = _limit(names)
    return Summary(f"tool search: {len(names)} tools", body, more=more)


_RESULTS: dict[str, Callable[[Any], Summary]] = {
    "web_search_tool_result": _web_search,
    "web_fetch_tool_result": _web_fetch,
    "code_execution_tool_result": _execution("code execution"),
    "bash_code_execution_tool_result": _execution("bash"),
    "text_editor_code_execution_tool_result": _text_editor,
    "tool_search_tool_result": _tool_search,
}


def is_result_block(kind: str) -> bool:
    return kind in _RESULTS or kind == "mcp_tool_result"


def summarize_result(block: JSONView, tool_name: str | None = None) -> Summary:
    """A server tool's result block (delivered whole) or an mcp_tool_result."""
    kind = str(block.get("type"))
    handler = _RESULTS.get(kind)
    if handler is not None:
        return handler(block.get("content"))
    return summarize_tool_result(block, tool_name)


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return "" if content is None else json.dumps(content, ensure_ascii=False)
    parts = []
    for item in content:
        if isinstance(item, dict) and item.get("type") == "text":
            parts.append(str(item.get("text", "")))
        else:
            kind = item.get("type") if isinstance(item, dict) else None
            parts.append(f"[{_one_line(kind) or 'content'}]")
    return "\n".join(parts)


def summarize_tool_result(block: JSONView, tool_name: str | None = None) -> Summary:
    """A client tool_result (from `tools run`) or an mcp_tool_result: its output, truncated."""
    is_error = bool(block.get("is_error"))
    body, more = clip(_result_text(block.get("content")))
    title = f"result · {_one_line(tool_name)}" if tool_name else "result"
    return Summary(title + (" · error" if is_error else ""), body, error=is_error, more=more)


def unsupported(kind: Any) -> str:
    """The note shown for a content block type this client does not know."""
    return f"[unsupported block: {_one_line(kind) or '?'}]"
