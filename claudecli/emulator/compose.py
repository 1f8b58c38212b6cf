"""Build the complete reply `Message` for a request and a `Plan`; streams are derived from it.

Content order: thinking, redacted_thinking, server tool use + result, the main text, one cited
text block per citable document, tool_use blocks. The main text is `plan.text`, else
`plan.tokens` tokens of filler, else JSON made from the schema of a structured-output request
(`output_config.format`; see `schemagen`), else `"Echo: " + the last user text` (directive lines
removed).
Then, in order: a requested stop sequence found in a text block cuts the reply there
(`stop_reason: stop_sequence`); content over `max_tokens` is cut (`max_tokens`); an explicit
`plan.stop` wins; otherwise `tool_use` when tool_use blocks remain, else `end_turn`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from .citations import document_citations
from .directives import Plan, split_directives
from .errors import bad_request
from .models import ModelSpec
from .schemagen import SchemaError, sample
from .textgen import filler
from .tokens import InputUsage, count_text
from .wire import Obj

__all__ = ["Composed", "GeneratedFile", "compose", "directive_plan", "message_id"]


@dataclass(frozen=True)
class GeneratedFile:
    """A file a server tool "produced"; the messages route registers it as downloadable."""

    file_id: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class Composed:
    message: Obj
    files: tuple[GeneratedFile, ...] = ()


@dataclass
class _Ctx:
    body: Obj
    plan: Plan
    spec: ModelSpec
    msg_id: str
    echo: str
    thinking_tokens: int = 0
    files: list[GeneratedFile] = field(default_factory=list)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def message_id(body: Obj) -> str:
    """`msg_emu_<24 hex>` from the request body (minus `stream`): same request, same id."""
    material = {k: v for k, v in body.items() if k != "stream"}
    return "msg_emu_" + _digest(json.dumps(material, sort_keys=True, ensure_ascii=False))


def _text_of(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    blocks = content if isinstance(content, list) else []
    return [
        str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text"
    ]


def _last_user(body: Obj) -> Obj:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return message
    return {}


def _tool_result_text(message: Obj) -> str:
    content = message.get("content")
    blocks = content if isinstance(content, list) else []
    results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
    return "\n".join(t for r in results for t in _text_of(r.get("content", "")))


def user_text(body: Obj) -> str:
    """The text of the last user message (joined text blocks)."""
    return "\n".join(_text_of(_last_user(body).get("content")))


def directive_plan(body: Obj) -> dict[str, Any]:
    """The `#emu` key/values found in the last user message."""
    return split_directives(user_text(body))[1]


def _echo(body: Obj) -> str:
    text = split_directives(user_text(body))[0]
    return text or _tool_result_text(_last_user(body)).strip() or "(no text)"


def compose(
    body: Obj, plan: Plan, usage: InputUsage, spec: ModelSpec, *, tier: str = "standard"
) -> Composed:
    """The reply for `body` under `plan`, with `usage` already split by the prompt cache."""
    ctx = _Ctx(body, plan, spec, message_id(body), _echo(body))
    blocks = [*_thinking(ctx), *_server_tool(ctx), *_texts(ctx), *_tool_uses(ctx)]
    blocks, cut = _cut_at_stop_sequence(blocks, body.get("stop_sequences") or [])
    blocks, truncated = _cut_at_max_tokens(ctx, blocks, int(body.get("max_tokens", 0)))
    reason = plan.stop or _natural_stop(blocks, cut, truncated)
    message = {
        "model": body["model"],
        "id": ctx.msg_id,
        "type": "message",
        "role": "assistant",
        "content": blocks,
        "stop_reason": reason,
        "stop_sequence": _stop_sequence(ctx, reason, cut),
        "stop_details": _stop_details(plan) if reason == "refusal" else None,
        "usage": _usage(ctx, usage, blocks, plan.service_tier or tier),
    }
    return Composed(message, tuple(ctx.files))


# --- thinking ---------------------------------------------------------------------------------


def _wants_thinking(ctx: _Ctx) -> bool:
    requested = ctx.body.get("thinking")
    enabled = isinstance(requested, dict) and requested.get("type") == "enabled"
    return ctx.plan.thinking is not False or ctx.plan.thinking_tokens is not None or enabled


def _display(ctx: _Ctx) -> str:
    requested = ctx.body.get("thinking")
    asked = requested.get("display") if isinstance(requested, dict) else None
    return ctx.plan.display or asked or ctx.spec.thinking_display


def _thinking_text(ctx: _Ctx) -> str:
    if isinstance(ctx.plan.thinking, str):
        return ctx.plan.thinking
    if ctx.plan.thinking_tokens is not None:
        return filler(ctx.plan.thinking_tokens)
    return f"The user wrote: {ctx.echo[:200]}\nI will answer as the offline emulator."


def _signature(*parts: str) -> str:
    digest = hashlib.sha512("\x00".join(parts).encode()).digest()
    return base64.b64encode(digest + digest[:24]).decode()


def _thinking(ctx: _Ctx) -> list[Obj]:
    blocks: list[Obj] = []
    if _wants_thinking(ctx):
        text = _thinking_text(ctx)
        ctx.thinking_tokens = count_text(text)
        shown = "" if _display(ctx) == "omitted" else text
        blocks.append(
            {"type": "thinking", "thinking": shown, "signature": _signature(ctx.msg_id, text)}
        )
    if ctx.plan.redacted_thinking:
        blocks.append({"type": "redacted_thinking", "data": _signature(ctx.msg_id, "redacted")})
    return blocks


# --- server tools -----------------------------------------------------------------------------


def _server_tool(ctx: _Ctx) -> list[Obj]:
    kind = ctx.plan.server_tool
    if kind is None:
        return []
    tool_id = "srvtoolu_emu_" + _digest(ctx.msg_id, kind)
    query = ctx.echo[:200]
    if kind == "web_search":
        use = {"type": "server_tool_use", "id": tool_id, "name": kind, "input": {"query": query}}
        return [use, _search_result(tool_id, query)]
    use = {
        "type": "server_tool_use",
        "id": tool_id,
        "name": kind,
        "input": {"code": f"print({query!r})"},
    }
    return [use, _code_result(ctx, tool_id, query)]


def _search_result(tool_id: str, query: str) -> Obj:
    results = [
        {
            "type": "web_search_result",
            "url": f"https://example.com/emulator/{n}",
            "title": f"Result {n} for {query[:60]}",
            "encrypted_content": base64.b64encode(f"{tool_id}:{n}".encode()).decode(),
            "page_age": None,
        }
        for n in (1, 2)
    ]
    return {"type": "web_search_tool_result", "tool_use_id": tool_id, "content": results}


def _code_result(ctx: _Ctx, tool_id: str, stdout: str) -> Obj:
    file_id = "file_emu_" + _digest(ctx.msg_id, "output")
    ctx.files.append(GeneratedFile(file_id, "emulator-output.txt", (stdout + "\n").encode()))
    result = {
        "type": "code_execution_result",
        "stdout": stdout + "\n",
        "stderr": "",
        "return_code": 0,
        "content": [{"type": "code_execution_output", "file_id": file_id}],
    }
    return {"type": "code_execution_tool_result", "tool_use_id": tool_id, "content": result}


# --- text and citations -----------------------------------------------------------------------


def _main_text(ctx: _Ctx) -> str:
    if ctx.plan.text is not None:
        return ctx.plan.text
    if ctx.plan.tokens is not None:
        return filler(ctx.plan.tokens)
    schema = _output_schema(ctx.body)
    if schema is not None:
        return _json_answer(ctx, schema)
    return "Echo: " + ctx.echo


def _output_schema(body: Obj) -> Obj | None:
    """The JSON Schema of a structured-output request (`output_config.format`), if any."""
    config = body.get("output_config")
    found = config.get("format") if isinstance(config, dict) else None
    return found.get("schema") if isinstance(found, dict) else None


def _json_answer(ctx: _Ctx, schema: Obj) -> str:
    """JSON valid under `schema`; with `stop=max_tokens`, cut in half as a real truncation is."""
    text = json.dumps(_sample(schema, "output_config.format.schema"), ensure_ascii=False)
    return text[: len(text) // 2] if ctx.plan.stop == "max_tokens" else text


def _sample(schema: Any, where: str) -> Any:
    try:
        return sample(schema)
    except SchemaError as exc:
        raise bad_request(f"{where}: {exc}") from exc


def _texts(ctx: _Ctx) -> list[Obj]:
    text = _main_text(ctx)
    cited = [] if ctx.plan.citations is False else document_citations(ctx.body)
    others = _wants_thinking(ctx) or ctx.plan.tool or ctx.plan.server_tool or cited
    blocks: list[Obj] = [{"type": "text", "text": text}] if text or not others else []
    for citation in cited:
        shown = citation["cited_text"] or f"[document {citation['document_index']}]"
        blocks.append({"type": "text", "text": shown, "citations": [citation]})
    return blocks


# --- client tools -----------------------------------------------------------------------------


def _custom_tools(body: Obj) -> list[Obj]:
    tools = body.get("tools") or []
    return [t for t in tools if isinstance(t, dict) and t.get("type", "custom") == "custom"]


def _tool_uses(ctx: _Ctx) -> list[Obj]:
    tools = {t["name"]: t for t in _custom_tools(ctx.body)}
    blocks: list[Obj] = []
    for position, wanted in enumerate(ctx.plan.tool):
        name = wanted or _first_tool_name(tools)
        tool_input = ctx.plan.tool_input
        if tool_input is None:
            tool_input = _sample(tools.get(name, {}).get("input_schema"), f"tool {name}")
        tool_id = "toolu_emu_" + _digest(ctx.msg_id, str(position), name)
        caller = {"type": "direct"}
        blocks.append(
            {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input, "caller": caller}
        )
    return blocks


def _first_tool_name(tools: dict[str, Obj]) -> str:
    if not tools:
        raise bad_request("emulator directive: `tool` needs a tool name or a request with tools")
    return next(iter(tools))


# --- stopping ---------------------------------------------------------------------------------


def _first_hit(text: str, sequences: list[str]) -> tuple[int, str] | None:
    hits = [(text.find(seq), seq) for seq in sequences if seq in text]
    return min(hits) if hits else None


def _cut_at_stop_sequence(blocks: list[Obj], sequences: list[str]) -> tuple[list[Obj], str | None]:
    for index, block in enumerate(blocks):
        hit = _first_hit(str(block.get("text", "")), sequences) if block["type"] == "text" else None
        if hit is not None:
            cut = {**block, "text": block["text"][: hit[0]]}
            return [*blocks[:index], cut], hit[1]
    return blocks, None


def _block_cost(ctx: _Ctx, block: Obj) -> int:
    kind = block["type"]
    if kind == "text":
        return count_text(block["text"])
    if kind == "thinking":
        return ctx.thinking_tokens
    if kind in ("tool_use", "server_tool_use"):
        return count_text(block["name"]) + count_text(json.dumps(block["input"]))
    return 0


def _cut_at_max_tokens(ctx: _Ctx, blocks: list[Obj], budget: int) -> tuple[list[Obj], bool]:
    kept: list[Obj] = []
    for block in blocks:
        cost = _block_cost(ctx, block)
        if cost > budget:
            if block["type"] == "text" and budget > 0:
                kept.append({**block, "text": block["text"][: budget * 4]})
            return kept, True
        budget -= cost
        kept.append(block)
    return kept, False


def _natural_stop(blocks: list[Obj], cut: str | None, truncated: bool) -> str:
    if cut is not None:
        return "stop_sequence"
    if truncated:
        return "max_tokens"
    return "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"


def _stop_sequence(ctx: _Ctx, reason: str, cut: str | None) -> str | None:
    if reason != "stop_sequence":
        return None
    requested = ctx.body.get("stop_sequences") or ["END"]
    return cut or ctx.plan.stop_sequence or str(requested[0])


def _stop_details(plan: Plan) -> Obj:
    return {"type": "refusal", "category": plan.category, "explanation": plan.explanation}


def _output_tokens(ctx: _Ctx, blocks: list[Obj]) -> int:
    spent = sum(_block_cost(ctx, block) for block in blocks)
    return max(spent, 1) if ctx.body.get("max_tokens") else spent


def _usage(ctx: _Ctx, usage: InputUsage, blocks: list[Obj], tier: str) -> Obj:
    result: Obj = {
        "input_tokens": usage.input_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": usage.ephemeral_5m_input_tokens,
            "ephemeral_1h_input_tokens": usage.ephemeral_1h_input_tokens,
        },
        "output_tokens": _output_tokens(ctx, blocks),
        "service_tier": tier,
        "inference_geo": str(ctx.body.get("inference_geo") or "global"),
    }
    if any(b["type"] == "server_tool_use" for b in blocks):
        searches = sum(
            1 for b in blocks if b["type"] == "server_tool_use" and b["name"] == "web_search"
        )
        result["server_tool_use"] = {"web_search_requests": searches, "web_fetch_requests": 0}
    if any(b["type"] == "thinking" for b in blocks):
        result["output_tokens_details"] = {"thinking_tokens": ctx.thinking_tokens}
    return result
