"""Request validation for `/v1/messages` and `/v1/messages/count_tokens`, like the real API.

Every failure is a 400 `invalid_request_error` whose message starts with the JSON path of the
offending field (`messages.1.content.0.tool_use_id: …`); an unknown model is a 404.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request, not_found
from .models import ModelSpec, lookup
from .wire import Obj

__all__ = ["VERSIONS", "ensure_version", "validate_count", "validate_create"]

VERSIONS = frozenset({"2023-01-01", "2023-06-01", "2026-10-21"})
NEW_VERSION = "2026-10-21"
_SAMPLING = ("temperature", "top_p", "top_k")
_COMMON_FIELDS = frozenset(
    {
        "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config",
        "cache_control", "speed", "context_management", "mcp_servers", "container",
        "inference_geo", "service_tier", "diagnostics", "fallbacks", "fallback_credit_token",
        "compaction", "billing_policy", "thread", *_SAMPLING,
    }
)  # fmt: skip
_CREATE_ONLY = frozenset({"max_tokens", "stream", "stop_sequences", "metadata"})
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_MAX_BREAKPOINTS = 4


def validate_create(body: Any, version: str) -> ModelSpec:
    """Check a Messages create body; return the model's spec. Raises `ApiError`."""
    obj = _require_object(body)
    _check_fields(obj, _COMMON_FIELDS | _CREATE_ONLY, version)
    spec = _model(obj)
    _max_tokens(obj, spec)
    _check_common(obj, version, spec)
    _thinking_budget(obj)
    _stop_sequences(obj)
    if "stream" in obj and not isinstance(obj["stream"], bool):
        raise bad_request("stream: Input should be a valid boolean")
    return spec


def validate_count(body: Any, version: str) -> ModelSpec:
    """Check a count_tokens body (create fields minus max_tokens/stream/stop_sequences/metadata)."""
    obj = _require_object(body)
    _check_fields(obj, _COMMON_FIELDS, version)
    spec = _model(obj)
    _check_common(obj, version, spec)
    return spec


def _check_common(obj: Obj, version: str, spec: ModelSpec) -> None:
    _messages(obj, version, spec)
    _system(obj)
    _thinking(obj, spec)
    _tools(obj)
    _tool_choice(obj)
    _cache_breakpoints(obj)
    _sampling(obj)
    _output_format(obj)


def _require_object(body: Any) -> Obj:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


def _check_fields(obj: Obj, allowed: frozenset[str], version: str) -> None:
    for key in obj:
        if key not in allowed:
            raise bad_request(f"{key}: Extra inputs are not permitted")
        if key in _SAMPLING and version == NEW_VERSION:
            raise bad_request(
                f"{key}: `{key}` is not supported in API version {NEW_VERSION}; "
                "remove it, or send anthropic-version: 2023-06-01"
            )


def _model(obj: Obj) -> ModelSpec:
    model = obj.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("model: Field required")
    spec = lookup(model)
    if spec is None:
        raise not_found(f"model: {model}")
    return spec


def _max_tokens(obj: Obj, spec: ModelSpec) -> None:
    value = obj.get("max_tokens")
    if "max_tokens" not in obj:
        raise bad_request("max_tokens: Field required")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request("max_tokens: Input should be a valid integer greater than or equal to 0")
    if value > spec.max_tokens:
        raise bad_request(
            f"max_tokens: {value} > {spec.max_tokens}, which is the maximum allowed number "
            f"of output tokens for {spec.id}"
        )


def _roles(spec: ModelSpec) -> tuple[str, ...]:
    return ("user", "assistant", "system") if spec.mid_system else ("user", "assistant")


def _messages(obj: Obj, version: str, spec: ModelSpec) -> None:
    messages = obj.get("messages")
    if not isinstance(messages, list):
        raise bad_request(
            "messages: Field required"
            if messages is None
            else "messages: Input should be a valid list"
        )
    if not messages:
        raise bad_request("messages: at least one message is required")
    for index, message in enumerate(messages):
        _message(index, message, version, spec)
    _tool_pairing(messages)
    if messages[-1].get("role") == "assistant" and not (spec.prefill or _paused(messages[-1])):
        raise bad_request(
            f"messages.{len(messages) - 1}: This model does not support assistant message "
            "prefill. The conversation must end with a user message."
        )


def _paused(message: dict[str, Any]) -> bool:
    """A turn paused by a server tool (`pause_turn`) is resent as is to go on: not a prefill."""
    content = message.get("content")
    blocks = content if isinstance(content, list) else []
    return any(isinstance(b, dict) and b.get("type") == "server_tool_use" for b in blocks)


def _message(index: int, message: Any, version: str, spec: ModelSpec) -> None:
    where = f"messages.{index}"
    if not isinstance(message, dict):
        raise bad_request(f"{where}: Input should be a valid dictionary")
    role = message.get("role")
    if role not in _roles(spec):
        allowed = " or ".join(f"'{r}'" for r in _roles(spec))
        raise bad_request(f"{where}.role: Input should be {allowed}")
    content = message.get("content")
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise bad_request(f"{where}.content: Input should be a valid string or list of blocks")
    for position, block in enumerate(content):
        _block(f"{where}.content.{position}", str(role), block, version)


def _block(where: str, role: str, block: Any, version: str) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise bad_request(f"{where}.type: Field required")
    kind = block["type"]
    if kind == "text" and not isinstance(block.get("text"), str):
        raise bad_request(f"{where}.text: Field required")
    if kind == "image":
        _image(where, block)
    if kind == "document" and role == "assistant" and version == NEW_VERSION:
        raise bad_request(f"{where}: `document` blocks are not allowed in assistant messages")
    if kind == "tool_result" and role != "user":
        raise bad_request(f"{where}: `tool_result` blocks can only appear in user messages")
    if kind == "text" and role == "user" and block.get("citations") and version == NEW_VERSION:
        raise bad_request(f"{where}.citations: user text blocks cannot carry citations")


def _image(where: str, block: Obj) -> None:
    source = block.get("source")
    if not isinstance(source, dict):
        raise bad_request(f"{where}.source: Field required")
    if source.get("type") == "base64" and source.get("media_type") not in _IMAGE_TYPES:
        expected = ", ".join(f"'{t}'" for t in _IMAGE_TYPES)
        raise bad_request(f"{where}.source.base64.media_type: Input should be {expected}")


def _blocks(message: Obj) -> list[Obj]:
    content = message.get("content")
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _ids(message: Obj, kind: str, key: str) -> list[str]:
    return [str(b.get(key)) for b in _blocks(message) if b.get("type") == kind]


def _tool_pairing(messages: list[Obj]) -> None:
    """tool_result ids must answer the previous assistant turn's tool_use ids, and all of them."""
    for index, message in enumerate(messages):
        results = _ids(message, "tool_result", "tool_use_id")
        previous = messages[index - 1] if index else {}
        asked = _ids(previous, "tool_use", "id") if previous.get("role") == "assistant" else []
        stray = [i for i in results if i not in asked]
        if stray:
            raise bad_request(
                f"messages.{index}.content: unexpected `tool_use_id` found in `tool_result` "
                f"blocks: {', '.join(stray)}. Each `tool_result` block must have a "
                "corresponding `tool_use` block in the previous message."
            )
        missing = [i for i in asked if i not in results]
        if asked and message.get("role") == "user" and missing:
            raise bad_request(
                f"messages.{index - 1}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                "corresponding `tool_result` block in the next message."
            )


def _system(obj: Obj) -> None:
    system = obj.get("system")
    if system is None or isinstance(system, str):
        return
    if not isinstance(system, list):
        raise bad_request("system: Input should be a valid string or list of text blocks")
    for index, block in enumerate(system):
        if not isinstance(block, dict) or block.get("type") != "text":
            raise bad_request(f"system.{index}.type: Input should be 'text'")
        if not isinstance(block.get("text"), str):
            raise bad_request(f"system.{index}.text: Field required")


def _thinking(obj: Obj, spec: ModelSpec) -> None:
    thinking = obj.get("thinking")
    if thinking is None:
        return
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if kind not in ("adaptive", "enabled", "disabled", "between_tools"):
        raise bad_request(
            "thinking.type: Input should be 'adaptive', 'enabled', 'disabled' or 'between_tools'"
        )
    if kind not in spec.thinking_types:
        supported = ", ".join(sorted(spec.thinking_types))
        raise bad_request(
            f"thinking.type: '{kind}' is not supported for model {spec.id} (supported: {supported})"
        )
    if thinking.get("display") not in (None, "summarized", "omitted"):
        raise bad_request(f"thinking.{kind}.display: Input should be 'summarized' or 'omitted'")


def _thinking_budget(obj: Obj) -> None:
    thinking = obj.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") != "enabled":
        return
    budget = thinking.get("budget_tokens")
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1024:
        raise bad_request(
            "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        )
    if budget >= obj["max_tokens"]:
        raise bad_request("`max_tokens` must be greater than `thinking.budget_tokens`")


def _stop_sequences(obj: Obj) -> None:
    stops = obj.get("stop_sequences")
    if stops is None:
        return
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
        raise bad_request("stop_sequences: Input should be a list of non-empty strings")


def _tools(obj: Obj) -> None:
    tools = obj.get("tools")
    if tools is None:
        return
    if not isinstance(tools, list):
        raise bad_request("tools: Input should be a valid list")
    names = [_tool(index, tool) for index, tool in enumerate(tools)]
    if len(set(names)) != len(names):
        raise bad_request("tools: Tool names must be unique.")


def _tool(index: int, tool: Any) -> str:
    where = f"tools.{index}"
    if not isinstance(tool, dict):
        raise bad_request(f"{where}: Input should be a valid dictionary")
    name = tool.get("name")
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise bad_request(f"{where}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'")
    if tool.get("type", "custom") == "custom":
        schema = tool.get("input_schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise bad_request(
                f"{where}.input_schema: Input should be a JSON schema of type 'object'"
            )
    return name


def _tool_choice(obj: Obj) -> None:
    choice = obj.get("tool_choice")
    if choice is None:
        return
    kind = choice.get("type") if isinstance(choice, dict) else None
    if kind not in ("auto", "any", "tool", "none"):
        raise bad_request("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
    if kind == "tool":
        names = [t.get("name") for t in obj.get("tools") or [] if isinstance(t, dict)]
        if choice.get("name") not in names:
            raise bad_request(f"tool_choice.name: tool {choice.get('name')!r} not found in tools")


def _markers(obj: Obj) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for index, tool in enumerate(obj.get("tools") or []):
        found.append((f"tools.{index}", tool))
    system = obj.get("system")
    for index, block in enumerate(system if isinstance(system, list) else []):
        found.append((f"system.{index}", block))
    for i, message in enumerate(obj.get("messages") or []):
        for j, block in enumerate(_blocks(message)):
            found.append((f"messages.{i}.content.{j}", block))
    found.append(("", obj))
    marked = [(w, b.get("cache_control")) for w, b in found if isinstance(b, dict)]
    return [(where, marker) for where, marker in marked if marker is not None]


def _cache_breakpoints(obj: Obj) -> None:
    markers = _markers(obj)
    for where, marker in markers:
        _cache_control(where, marker)
    if len(markers) > _MAX_BREAKPOINTS:
        raise bad_request(
            f"A maximum of {_MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {len(markers)}."
        )


def _cache_control(where: str, marker: Any) -> None:
    path = f"{where}.cache_control" if where else "cache_control"
    if not isinstance(marker, dict) or marker.get("type") != "ephemeral":
        raise bad_request(f"{path}.type: Input should be 'ephemeral'")
    if marker.get("ttl", "5m") not in ("5m", "1h"):
        raise bad_request(f"{path}.ttl: Input should be '5m' or '1h'")


def _sampling(obj: Obj) -> None:
    for key, low, high in (("temperature", 0.0, 1.0), ("top_p", 0.0, 1.0)):
        value = obj.get(key)
        if value is not None and (not isinstance(value, int | float) or not low <= value <= high):
            raise bad_request(f"{key}: Input should be a number between {low} and {high}")
    top_k = obj.get("top_k")
    if top_k is not None and (not isinstance(top_k, int) or top_k < 0):
        raise bad_request("top_k: Input should be a non-negative integer")


def _output_format(obj: Obj) -> None:
    config = obj.get("output_config")
    if config is None:
        return
    if not isinstance(config, dict):
        raise bad_request("output_config: Input should be a valid dictionary")
    found = config.get("format")
    if found is None:
        return
    if not isinstance(found, dict) or found.get("type") != "json_schema":
        raise bad_request("output_config.format.type: Input should be 'json_schema'")
    if not isinstance(found.get("schema"), dict):
        raise bad_request("output_config.format.schema: Input should be a valid dictionary")


def ensure_version(version: str | None) -> str:
    """The `anthropic-version` header must be present and known."""
    if not version:
        raise bad_request("anthropic-version: header is required")
    if version not in VERSIONS:
        known = ", ".join(sorted(VERSIONS))
        raise ApiError(400, f"anthropic-version: unknown version {version!r} (known: {known})")
    return version
