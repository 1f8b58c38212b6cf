"""The reply vocabulary shared by `#emu` directive lines and `Emulator.enqueue()` items.

A directive line sits anywhere in the last user message and starts with `#emu`, followed by
shell-quoted `key=value` words (a bare `key` means `key=true`); the line is removed before the
text is echoed:

    #emu thinking tool=get_weather tokens=2000
    #emu status=429 retry_after=2 should_retry=false
    #emu fault=reset after=5

An enqueue item is a dict with the same keys and native values. `plan_from_item()` validates both
into a `Plan`; unknown keys or bad values raise `ValueError` (the server answers 400).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = [
    "FAULTS",
    "STOP_REASONS",
    "Plan",
    "plan_from_item",
    "split_directives",
]

STOP_REASONS = frozenset(
    {
        "end_turn",
        "max_tokens",
        "stop_sequence",
        "tool_use",
        "pause_turn",
        "refusal",
        "model_context_window_exceeded",
    }
)
FAULTS = frozenset(
    {
        "reset",
        "drop",
        "eof",
        "truncate",
        "error",
        "stall",
        "drip",
        "malformed",
        "unknown",
        "unknown_event",
        "unknown_block",
        "unknown_delta",
        "json_body",
    }
)
_SERVER_TOOLS = frozenset({"web_search", "code_execution"})
_DISPLAYS = frozenset({"summarized", "omitted"})
_BATCH_RESULTS = frozenset({"succeeded", "errored", "canceled", "expired"})
_TIERS = frozenset({"standard", "priority", "batch"})
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class Plan:
    """What the next reply should be; every field is optional (defaults = a plain echo)."""

    # reply content
    text: str | None = None
    tokens: int | None = None
    thinking: bool | str = False
    thinking_tokens: int | None = None
    display: str | None = None
    redacted_thinking: bool = False
    tool: tuple[str, ...] = ()
    tool_input: dict[str, Any] | None = None
    citations: bool | None = None
    server_tool: str | None = None
    stop: str | None = None
    stop_sequence: str | None = None
    category: str | None = "cyber"
    explanation: str | None = "Emulated refusal: the request was declined by policy."
    service_tier: str | None = None
    ping_every: int = 0
    # HTTP-level behaviour
    status: int | None = None
    error_type: str | None = None
    message: str | None = None
    error_code: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    json: Any = None
    sse_bytes: bytes | None = None
    sse_file: str | None = None
    chunk_bytes: int = 0  # replay: group events into HTTP chunks of about this size (0: one each)
    # stream faults
    fault: str | None = None
    after: int | None = None
    seconds: float | None = None
    count: int = 0
    # batches and routing
    batch_result: str | None = None
    path: str | None = None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"expected true or false, got {value!r}")


def _to_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected an integer, got {value!r}")
    return int(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _to_opt_str(value: Any) -> str | None:
    return None if value is None or value == "null" else _to_str(value)


def _one_of(choices: frozenset[str]) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(sorted(choices))}; got {value!r}")
        return str(value)

    return convert


def _to_names(value: Any) -> tuple[str, ...]:
    """`tool`: a name, a comma list, a list, or true (= the request's first tool)."""
    if value is True or value == "true":
        return ("",)
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(","))
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"expected a tool name or list of names, got {value!r}")


def _to_json_obj(value: Any) -> dict[str, Any]:
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, dict):
        raise ValueError(f"expected a JSON object, got {value!r}")
    return parsed


def _to_headers(value: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in _to_json_obj(value).items()}


def _to_thinking(value: Any) -> bool | str:
    if isinstance(value, bool) or str(value).lower() in _TRUE | _FALSE:
        return _to_bool(value)
    return _to_str(value)


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return _to_str(value).encode()


def _to_status(value: Any) -> int:
    status = _to_int(value)
    if not 200 <= status <= 599:
        raise ValueError(f"expected an HTTP status 200-599, got {status}")
    return status


def _to_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _to_opt_bool(value: Any) -> bool | None:
    return None if value is None else _to_bool(value)


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "text": _to_str,
    "tokens": _to_int,
    "thinking": _to_thinking,
    "thinking_tokens": _to_int,
    "display": _one_of(_DISPLAYS),
    "redacted_thinking": _to_bool,
    "tool": _to_names,
    "tool_input": _to_json_obj,
    "citations": _to_opt_bool,
    "server_tool": _one_of(_SERVER_TOOLS),
    "stop": _one_of(STOP_REASONS),
    "stop_sequence": _to_str,
    "category": _to_opt_str,
    "explanation": _to_opt_str,
    "service_tier": _one_of(_TIERS),
    "ping_every": _to_int,
    "status": _to_status,
    "error_type": _to_str,
    "message": _to_str,
    "error_code": _to_str,
    "retry_after": _to_float,
    "retry_after_ms": _to_int,
    "should_retry": _to_bool,
    "headers": _to_headers,
    "delay": _to_float,
    "json": _to_json,
    "sse_bytes": _to_bytes,
    "sse_file": _to_str,
    "chunk_bytes": _to_int,
    "fault": _one_of(FAULTS),
    "after": _to_int,
    "seconds": _to_float,
    "count": _to_int,
    "batch_result": _one_of(_BATCH_RESULTS),
    "path": _to_str,
}
assert set(_CONVERT) == {f.name for f in fields(Plan)}


def plan_from_item(item: Mapping[str, Any]) -> Plan:
    """Validate an enqueue item or parsed directive dict into a `Plan`."""
    unknown = sorted(set(item) - set(_CONVERT))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; known keys: {', '.join(sorted(_CONVERT))}")
    kwargs: dict[str, Any] = {}
    for key, value in item.items():
        try:
            kwargs[key] = _CONVERT[key](value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{key}: {exc}") from exc
    return Plan(**kwargs)


def split_directives(text: str) -> tuple[str, dict[str, Any]]:
    """Remove `#emu` lines from `text`; return the cleaned text and the merged key/values."""
    kept: list[str] = []
    found: dict[str, Any] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == "#emu" or stripped.startswith(("#emu ", "#emu\t")):
            found.update(_parse_line(stripped[4:]))
        else:
            kept.append(line)
    return "\n".join(kept).strip(), found


def _parse_line(rest: str) -> dict[str, Any]:
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        raise ValueError(f"cannot parse directive line: {exc}") from exc
    parsed: dict[str, Any] = {}
    for word in words:
        key, sep, value = word.partition("=")
        parsed[key.replace("-", "_")] = value if sep else True
    return parsed
