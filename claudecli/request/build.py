"""Build the JSON bodies for `POST /v1/messages` and `/v1/messages/count_tokens` from one spec.

Both bodies come from the same assembly, so count-tokens counts exactly what ask would send: the
count body is the messages body without `max_tokens` and `stop_sequences` (`stream` and
`metadata` are never added here; the client adds `stream`).

Decisions, in the order a body is assembled:

* **system** is a list of text blocks: the `--system-file` text first, then `--system`.
* **The new user turn** holds stdin content, then the attachments in order, then the prompt.
  Blank stdin or a blank prompt adds nothing. With nothing new, the history is sent as is (a
  tool-result turn or a `pause_turn` continuation); with no history either, it is a UsageError.
  Images become `image` blocks, PDFs `document` blocks (title = file name). Text files become
  `<file name="notes.md">…</file>` text blocks, or with `citations` `document` blocks with a
  `text` source so they can be cited; stdin text is sent bare (a citable "stdin" document with
  `citations`).
* **thinking**: None → omitted (the model's default); `"off"` → `{"type": "disabled"}`, so "off"
  stays off on models that think by default; `"adaptive"` → `{"type": "adaptive"}`; an int →
  `{"type": "enabled", "budget_tokens": N}` with 1024 ≤ N < max_tokens. `show_thinking` adds
  `"display": "summarized"` (and alone means adaptive). A prefill with thinking on is refused:
  the API rejects a prefilled assistant turn when thinking is enabled.
* **cache**: `system` marks the last system block, `attachments` the last stdin/attachment
  block, `prompt` the last block of the new user turn, `auto` sets top-level `cache_control`
  (counted as one breakpoint). Marks that land on the same block count once; breakpoints
  already in the history count too; more than 4 is a UsageError.
"""

from __future__ import annotations

import binascii
import copy
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from claudecli.errors import InputError, UsageError
from claudecli.request.inputs import (
    STDIN_NAME,
    Attachment,
    AttachmentKind,
    attachment_from_bytes,
)
from claudecli.request.limits import check_media, check_request_size
from claudecli.request.options import (
    CACHE_MODES,
    CACHE_TTLS,
    EFFORTS,
    MIN_THINKING_BUDGET,
    CacheMode,
    CacheTtl,
    Effort,
    Thinking,
)

__all__ = [
    "COUNT_TOKENS_EXCLUDED",
    "MAX_CACHE_BREAKPOINTS",
    "RequestSpec",
    "beta_header",
    "build_count_tokens_body",
    "build_messages_body",
    "count_cache_breakpoints",
    "document_titles",
    "strip_cache_control",
]

MAX_CACHE_BREAKPOINTS: Final = 4
# Fields of a messages body that count_tokens does not take.
COUNT_TOKENS_EXCLUDED: Final = frozenset({"max_tokens", "stream", "stop_sequences", "metadata"})

Block = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """Everything one request is built from; ask, chat and count-tokens fill it in."""

    model: str
    max_tokens: int
    prompt: str | None = None
    stdin: bytes | None = None  # raw stdin bytes, sniffed like an attachment
    attachments: tuple[Attachment, ...] = ()
    system: str | None = None
    system_file: str | None = None  # the text of --system-file, already read
    prefill: str | None = None
    thinking: Thinking | None = None
    effort: Effort | None = None
    show_thinking: bool = False
    stop: tuple[str, ...] = ()
    schema: Mapping[str, Any] | None = None
    cache: frozenset[CacheMode] = frozenset()
    cache_ttl: CacheTtl = "5m"
    citations: bool = False
    betas: tuple[str, ...] = ()
    history: Sequence[Mapping[str, Any]] = field(default=())  # earlier messages (chat)
    tools: tuple[Mapping[str, Any], ...] = ()  # tool definitions, sent as they are
    tool_choice: Mapping[str, Any] | None = None  # {"type": "auto" | "any" | "tool" | "none"}


@dataclass(slots=True)
class _Parts:
    """The pieces of a request before they become a body."""

    system: list[Block]
    material: list[Block]  # stdin content and attachments
    prompt: list[Block]
    media: list[Attachment]  # every measured item in the request, history included


def build_messages_body(spec: RequestSpec) -> dict[str, Any]:
    """The body for POST /v1/messages (without `stream`); raises on bad input or a limit."""
    fields, media = _assemble(spec)
    body: dict[str, Any] = {"model": spec.model, "max_tokens": spec.max_tokens, **fields}
    if spec.stop:
        body["stop_sequences"] = list(spec.stop)
    check_request_size(body, media)
    return body


def build_count_tokens_body(spec: RequestSpec) -> dict[str, Any]:
    """The body for POST /v1/messages/count_tokens: the messages body minus excluded fields."""
    fields, media = _assemble(spec)
    body: dict[str, Any] = {"model": spec.model, **fields}
    check_request_size(body, media)
    return body


def beta_header(spec: RequestSpec) -> str | None:
    """The `anthropic-beta` header value for `spec.betas` (deduplicated), or None."""
    names: list[str] = []
    for beta in spec.betas:
        name = beta.strip()
        if not name or any(char.isspace() or char == "," for char in name):
            raise UsageError(f"--beta {beta!r}: not a beta name")
        if name not in names:
            names.append(name)
    return ",".join(names) or None


def document_titles(body: Mapping[str, Any]) -> dict[int, str]:
    """Map each citation `document_index` (documents counted across all messages) to a title."""
    titles: dict[int, str] = {}
    for message in body.get("messages", ()):
        for block in _blocks(message):
            if block.get("type") == "document":
                index = len(titles)
                titles[index] = str(block.get("title") or f"document {index + 1}")
    return titles


def count_cache_breakpoints(messages: Sequence[Mapping[str, Any]]) -> int:
    """Count `cache_control` marks on message blocks (nested tool_result content included)."""
    return sum(_count_marks(block) for message in messages for block in _blocks(message))


def strip_cache_control(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `messages` without any `cache_control` (chat: move the breakpoint each turn)."""
    return [_strip_marks(copy.deepcopy(dict(message))) for message in messages]


# --- assembly -------------------------------------------------------------------------------


def _assemble(spec: RequestSpec) -> tuple[dict[str, Any], list[Attachment]]:
    _validate(spec)
    parts = _parts(spec)
    cache = _cache_control(spec.cache_ttl)
    placed = _place_breakpoints(spec.cache, parts, cache)
    _check_breakpoints(placed, count_cache_breakpoints(spec.history))
    fields: dict[str, Any] = {}
    if parts.system:
        fields["system"] = parts.system
    fields["messages"] = _messages(spec, parts)
    fields.update(_generation_fields(spec))
    fields.update(_tool_fields(spec))
    if "auto" in spec.cache:
        fields["cache_control"] = cache
    return fields, parts.media


def _parts(spec: RequestSpec) -> _Parts:
    stdin = _stdin_item(spec.stdin)
    items = ([stdin] if stdin is not None else []) + list(spec.attachments)
    media = _history_media(spec.history) + items
    check_media(media)
    material = [_item_block(item, citations=spec.citations) for item in items]
    prompt = [_text_block(spec.prompt)] if spec.prompt and spec.prompt.strip() else []
    if not material and not prompt and not spec.history:
        raise UsageError("no input (stdin empty, no prompt given)")
    return _Parts(_system_blocks(spec), material, prompt, media)


def _messages(spec: RequestSpec, parts: _Parts) -> list[dict[str, Any]]:
    messages = [copy.deepcopy(dict(message)) for message in spec.history]
    new = parts.material + parts.prompt
    if new and messages and messages[-1].get("role") == "user":
        # the history ends with a user turn (its reply was lost): one user turn, so roles alternate
        messages[-1]["content"] = [*_as_blocks(messages[-1].get("content")), *new]
    elif new:  # else resend the history as is (tool results, pause_turn)
        messages.append({"role": "user", "content": new})
    if spec.prefill:
        messages.append({"role": "assistant", "content": [_text_block(spec.prefill)]})
    return messages


def _as_blocks(content: Any) -> list[Any]:
    """A message's content as a block list (the API also takes a bare string)."""
    if isinstance(content, str):
        return [_text_block(content)] if content else []
    return list(content or [])


def _generation_fields(spec: RequestSpec) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    thinking = _thinking_config(spec)
    if thinking is not None:
        fields["thinking"] = thinking
    output_config: dict[str, Any] = {}
    if spec.effort is not None:
        output_config["effort"] = spec.effort
    if spec.schema is not None:
        output_config["format"] = {"type": "json_schema", "schema": copy.deepcopy(spec.schema)}
    if output_config:
        fields["output_config"] = output_config
    return fields


def _tool_fields(spec: RequestSpec) -> dict[str, Any]:
    """`tools` and `tool_choice` (copies: the body is the request's own)."""
    fields: dict[str, Any] = {}
    if spec.tools:
        fields["tools"] = [copy.deepcopy(dict(tool)) for tool in spec.tools]
    if spec.tool_choice is not None:
        fields["tool_choice"] = copy.deepcopy(dict(spec.tool_choice))
    return fields


def _thinking_config(spec: RequestSpec) -> dict[str, Any] | None:
    thinking = spec.thinking
    if thinking is None and spec.show_thinking:
        thinking = "adaptive"
    if thinking is None:
        return None
    if thinking == "off":
        return {"type": "disabled"}
    config: dict[str, Any] = {"type": "adaptive"}
    if isinstance(thinking, int):
        config = {"type": "enabled", "budget_tokens": thinking}
    if spec.show_thinking:
        config["display"] = "summarized"
    return config


# --- content blocks -------------------------------------------------------------------------


def _system_blocks(spec: RequestSpec) -> list[Block]:
    texts = (spec.system_file, spec.system)
    return [_text_block(text) for text in texts if text and text.strip()]


def _stdin_item(data: bytes | None) -> Attachment | None:
    if not data:
        return None
    item = attachment_from_bytes(data, label=STDIN_NAME)
    if item.kind == "text" and not item.text.strip():
        return None
    return item


def _item_block(item: Attachment, *, citations: bool) -> Block:
    if item.kind == "image":
        return {"type": "image", "source": _base64_source(item)}
    if item.kind == "pdf":
        return _document_block(item, _base64_source(item), citations=citations)
    if citations:
        source = {"type": "text", "media_type": "text/plain", "data": item.text}
        return _document_block(item, source, citations=True)
    if item.label == STDIN_NAME:
        return _text_block(item.text)
    return _text_block(_file_text(item))


def _document_block(item: Attachment, source: Block, *, citations: bool) -> Block:
    block: Block = {"type": "document", "source": source, "title": item.name}
    if citations:
        block["citations"] = {"enabled": True}
    return block


def _base64_source(item: Attachment) -> Block:
    data = binascii.b2a_base64(item.data, newline=False).decode("ascii")
    return {"type": "base64", "media_type": item.media_type, "data": data}


def _file_text(item: Attachment) -> str:
    text = item.text.removesuffix("\n")
    return f'<file name="{html.escape(item.name)}">\n{text}\n</file>'


def _text_block(text: str) -> Block:
    return {"type": "text", "text": text}


# --- history --------------------------------------------------------------------------------


def _blocks(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    return [block for block in content if isinstance(block, Mapping)]


def _history_media(history: Sequence[Mapping[str, Any]]) -> list[Attachment]:
    """Images and PDFs already in the conversation: they count toward the request limits."""
    media: list[Attachment] = []
    for number, message in enumerate(history, start=1):
        seen = {"image": 0, "document": 0}
        for block in _blocks(message):
            kind = block.get("type")
            if kind not in seen or not _is_media(block):
                continue
            seen[kind] += 1
            media.append(_history_item(block, f"{kind} {seen[kind]} of message {number}"))
    return media


def _is_media(block: Mapping[str, Any]) -> bool:
    source = block.get("source")
    if not isinstance(source, Mapping):
        return False
    return block.get("type") == "image" or source.get("media_type") == "application/pdf"


def _history_item(block: Mapping[str, Any], label: str) -> Attachment:
    kind: AttachmentKind = "image" if block.get("type") == "image" else "pdf"
    placeholder = Attachment(label, label, kind, str(block["source"].get("media_type", "")))
    data = block["source"].get("data")
    if block["source"].get("type") != "base64" or not isinstance(data, str):
        return placeholder  # URL or file id: counted, not measured
    try:
        return attachment_from_bytes(binascii.a2b_base64(data), label=label)
    except (binascii.Error, InputError):
        return placeholder  # it was accepted once; don't lock the conversation on it now


# --- cache breakpoints ----------------------------------------------------------------------


def _cache_control(ttl: CacheTtl) -> Block:
    return {"type": "ephemeral", "ttl": "1h"} if ttl == "1h" else {"type": "ephemeral"}


def _place_breakpoints(modes: frozenset[CacheMode], parts: _Parts, cache: Block) -> int:
    """Mark the blocks the modes ask for; return how many breakpoints the request now has."""
    targets: dict[int, Block] = {}
    if "system" in modes:
        if not parts.system:
            raise UsageError("--cache system: there is no system prompt to cache")
        targets[id(parts.system[-1])] = parts.system[-1]
    if "attachments" in modes:
        if not parts.material:
            raise UsageError("--cache attachments: nothing is attached (no stdin, no --attach)")
        targets[id(parts.material[-1])] = parts.material[-1]
    if "prompt" in modes:
        if not parts.material and not parts.prompt:
            raise UsageError("--cache prompt: there is no new user turn to cache")
        last = (parts.material + parts.prompt)[-1]
        targets[id(last)] = last
    for block in targets.values():
        block["cache_control"] = dict(cache)
    return len(targets) + (1 if "auto" in modes else 0)


def _check_breakpoints(placed: int, in_history: int) -> None:
    total = placed + in_history
    if total > MAX_CACHE_BREAKPOINTS:
        raise UsageError(
            f"--cache: {total} cache breakpoints ({in_history} already in the conversation); "
            f"the API allows at most {MAX_CACHE_BREAKPOINTS}"
        )


def _count_marks(block: Mapping[str, Any]) -> int:
    nested = block.get("content")
    inner = (
        [item for item in nested if isinstance(item, Mapping)] if isinstance(nested, list) else []
    )
    return int("cache_control" in block) + sum(_count_marks(item) for item in inner)


def _strip_marks(node: Any) -> Any:
    if isinstance(node, dict):
        node.pop("cache_control", None)
        content = node.get("content")
        if isinstance(content, list):
            for item in content:
                _strip_marks(item)
    return node


# --- validation -----------------------------------------------------------------------------


def _validate(spec: RequestSpec) -> None:
    _validate_texts(spec)
    if not spec.model.strip():
        raise UsageError("--model: a model name is required")
    if spec.max_tokens < 0:
        raise UsageError(f"--max-tokens {spec.max_tokens}: must be 0 or more")
    _validate_thinking(spec)
    _validate_prefill(spec)
    _validate_choices(spec)
    _validate_tool_choice(spec)
    for stop in spec.stop:
        if not stop.strip():
            raise UsageError("--stop: a stop sequence must contain a non-whitespace character")


def _validate_texts(spec: RequestSpec) -> None:
    """Refuse command-line text holding undecodable bytes (Python keeps them as lone
    surrogates, which cannot be encoded as UTF-8 and would crash the upload)."""
    texts = [("prompt", spec.prompt), ("--system", spec.system), ("--prefill", spec.prefill)]
    texts += [("--model", spec.model), *(("--stop", stop) for stop in spec.stop)]
    for option, text in texts:
        try:
            (text or "").encode("utf-8")
        except UnicodeEncodeError as exc:
            raise UsageError(
                f"{option}: not valid UTF-8 (an undecodable byte at character {exc.start})"
            ) from exc


def _validate_thinking(spec: RequestSpec) -> None:
    thinking = spec.thinking
    if thinking == "off" and spec.show_thinking:
        raise UsageError("--show-thinking: thinking is off (--thinking off)")
    if not isinstance(thinking, int):
        if thinking not in (None, "adaptive", "off"):
            raise UsageError(f"--thinking {thinking}: use adaptive, off or a token budget")
        return
    if thinking < MIN_THINKING_BUDGET:
        raise UsageError(
            f"--thinking {thinking}: the budget must be at least {MIN_THINKING_BUDGET} tokens"
        )
    if thinking >= spec.max_tokens:
        raise UsageError(
            f"--thinking {thinking}: the budget must be less than --max-tokens ({spec.max_tokens})"
        )


def _validate_prefill(spec: RequestSpec) -> None:
    if not spec.prefill:
        return
    if spec.prefill != spec.prefill.rstrip():
        raise UsageError("--prefill: must not end with whitespace (the API rejects it)")
    if spec.show_thinking or spec.thinking not in (None, "off"):
        raise UsageError("--prefill: cannot be used with thinking on (the API rejects it)")


def _validate_choices(spec: RequestSpec) -> None:
    if spec.effort is not None and spec.effort not in EFFORTS:
        raise UsageError(f"--effort {spec.effort}: choose one of {', '.join(EFFORTS)}")
    if spec.cache_ttl not in CACHE_TTLS:
        raise UsageError(f"--cache-ttl {spec.cache_ttl}: choose one of {', '.join(CACHE_TTLS)}")
    unknown = sorted(set(spec.cache) - set(CACHE_MODES))
    if unknown:
        raise UsageError(f"--cache {unknown[0]}: choose one of {', '.join(CACHE_MODES)}")


def _validate_tool_choice(spec: RequestSpec) -> None:
    """A forced tool with a thinking budget is refused by the API: say so before sending."""
    kind = (spec.tool_choice or {}).get("type")
    if kind in ("any", "tool") and isinstance(spec.thinking, int):
        raise UsageError(
            f"--tool-choice {kind}: cannot force a tool with --thinking {spec.thinking}; "
            "use --thinking adaptive or off, or --tool-choice auto"
        )
    if kind is not None and kind != "none" and not spec.tools:
        raise UsageError(f"--tool-choice {kind}: the request has no tools")
