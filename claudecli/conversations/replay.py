"""`history_for_api`: stored turns -> `messages` the Messages API accepts on the next request.

Blocks are sent back verbatim (thinking with its signature, redacted_thinking, server tool
blocks, citations), turns marked undone are left out, and so is what the API would refuse
after an interruption:

* a thinking block without a signature (cut off mid-stream) is dropped;
* a tool_use whose input never completed (not an object) is dropped; a server_tool_use whose
  result block is not in the same turn is dropped;
* a tool_use not answered by a tool_result in the next user turn gets an `is_error` result
  ("interrupted before the tool ran"); a tool_result with no tool_use before it is dropped;
* empty or whitespace-only text blocks, and turns left empty (or holding only thinking), are
  dropped; `cache_control` marks are removed (the turn engine places its own breakpoints);
* consecutive turns of one role are merged, a leading assistant turn is dropped, and the text
  at the very end of a final assistant turn loses its trailing whitespace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from .records import StoredMessage

__all__ = ["INTERRUPTED_TOOL", "append_user_turn", "history_for_api"]

JSON = dict[str, Any]
INTERRUPTED_TOOL: Final = "interrupted before the tool ran"
THINKING: Final = frozenset({"thinking", "redacted_thinking"})


def history_for_api(messages: Sequence[StoredMessage]) -> list[JSON]:
    """The turns to send next (turns marked undone by chat's /undo or /retry are left out)."""
    kept = [m for m in messages if m.status != "undone"]
    turns = [{"role": m.role, "content": _clean_blocks(m.content)} for m in kept]
    turns = _merge_roles([turn for turn in turns if _has_substance(turn)])
    while turns and turns[0]["role"] != "user":
        turns.pop(0)
    turns = _pair_tools(turns)
    return _strip_final(turns)


def append_user_turn(history: list[JSON], content: Sequence[Mapping[str, Any]]) -> list[JSON]:
    """`history` plus a new user turn (merged into a final user turn, so roles alternate)."""
    blocks = [dict(block) for block in content]
    if history and history[-1]["role"] == "user":
        return [*history[:-1], {"role": "user", "content": [*history[-1]["content"], *blocks]}]
    return [*history, {"role": "user", "content": blocks}]


def _clean_blocks(content: Sequence[Mapping[str, Any]]) -> list[JSON]:
    blocks = [_without_cache_control(block) for block in content if _keep(block)]
    results = {b.get("tool_use_id") for b in blocks if str(b.get("type", "")).endswith("_result")}
    return [b for b in blocks if b.get("type") != "server_tool_use" or b.get("id") in results]


def _keep(block: Mapping[str, Any]) -> bool:
    kind = block.get("type")
    if kind == "text":
        return isinstance(block.get("text"), str) and bool(block["text"].strip())
    if kind == "thinking":
        return bool(block.get("signature"))
    if kind in ("tool_use", "server_tool_use"):
        return isinstance(block.get("input"), Mapping)
    return True


def _without_cache_control(block: Mapping[str, Any]) -> JSON:
    return {key: value for key, value in block.items() if key != "cache_control"}


def _has_substance(turn: JSON) -> bool:
    return any(block.get("type") not in THINKING for block in turn["content"])


def _merge_roles(turns: list[JSON]) -> list[JSON]:
    merged: list[JSON] = []
    for turn in turns:
        if merged and merged[-1]["role"] == turn["role"]:
            merged[-1] = {
                "role": turn["role"],
                "content": [*merged[-1]["content"], *turn["content"]],
            }
        else:
            merged.append(turn)
    return merged


def _pair_tools(turns: list[JSON]) -> list[JSON]:
    """Every tool_use answered in the next user turn; every tool_result answering one."""
    paired: list[JSON] = []
    asked: list[str] = []
    for turn in turns:
        if turn["role"] == "user":
            turn = _answer(turn, asked)
        paired.append(turn)
        asked = _tool_ids(turn) if turn["role"] == "assistant" else []
    if asked:
        paired.append(_answer({"role": "user", "content": []}, asked))
    return _merge_roles([turn for turn in paired if turn["content"]])


def _tool_ids(turn: JSON) -> list[str]:
    return [str(b.get("id")) for b in turn["content"] if b.get("type") == "tool_use"]


def _answer(turn: JSON, asked: list[str]) -> JSON:
    """Drop results nobody asked for; answer the tool calls left unanswered, results first."""
    results = [b for b in turn["content"] if b.get("type") == "tool_result"]
    results = [b for b in results if b.get("tool_use_id") in asked]
    answered = {b.get("tool_use_id") for b in results}
    missing = [_interrupted_result(tool_id) for tool_id in asked if tool_id not in answered]
    others = [b for b in turn["content"] if b.get("type") != "tool_result"]
    return {"role": "user", "content": [*results, *missing, *others]}


def _interrupted_result(tool_use_id: str) -> JSON:
    return {
        "type": "tool_result",
        "tool_use_id": tool_use_id,
        "is_error": True,
        "content": INTERRUPTED_TOOL,
    }


def _strip_final(turns: list[JSON]) -> list[JSON]:
    """A final assistant turn must not end in whitespace (nor in an empty text block)."""
    if not turns or turns[-1]["role"] != "assistant":
        return turns
    content = list(turns[-1]["content"])
    last = content[-1]
    if last.get("type") == "text":
        content[-1] = {**last, "text": str(last["text"]).rstrip()}
    return [*turns[:-1], {"role": "assistant", "content": content}]
