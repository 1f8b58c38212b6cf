"""Deterministic token counting and prompt-cache accounting.

Counting rule (documented, not the real tokenizer): every text costs ceil(chars / 4) tokens;
a request costs 4 more, each message 3 more (on its first block); an image 1,600; a PDF page
1,500; thinking blocks count only in the latest assistant turn; tool definitions and other
blocks cost their canonical JSON. `count_tokens` returns the total; a message splits the same
total into `input_tokens` + `cache_creation_input_tokens` + `cache_read_input_tokens`.

Caching: the prompt is the block sequence tools → system → messages. A `cache_control`
breakpoint (or the top-level one, placed on the last cacheable block) writes the prefix ending
there; a later request with a byte-identical prefix ending at a breakpoint, or at most 20
blocks before one, reads it. Entries live 5 minutes or 1 hour (`ttl`), refreshed on read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .wire import Obj

__all__ = [
    "InputUsage",
    "PromptCache",
    "Segment",
    "breakpoints",
    "count_text",
    "pdf_pages",
    "segments",
    "total_input",
]

REQUEST_OVERHEAD = 4
MESSAGE_OVERHEAD = 3
IMAGE_TOKENS = 1_600
PDF_PAGE_TOKENS = 1_500
LOOKBACK = 20
_TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def count_text(text: str) -> int:
    return (len(text) + 3) // 4


def _canonical(block: Any) -> str:
    if isinstance(block, dict):
        block = {k: v for k, v in block.items() if k != "cache_control"}
    return json.dumps(block, sort_keys=True, ensure_ascii=False)


def pdf_pages(data: str) -> int:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return 1
    return max(1, len(_PAGE.findall(raw)))


@dataclass(frozen=True)
class Segment:
    """One cacheable unit of the prompt: its identity, its cost and its breakpoint if any."""

    key: str
    tokens: int
    cache_control: Obj | None
    cacheable: bool = True


def _document_tokens(block: Obj) -> int:
    source = block.get("source") or {}
    extra = count_text(str(block.get("title") or "")) + count_text(str(block.get("context") or ""))
    kind = source.get("type")
    if kind == "text":
        return extra + count_text(str(source.get("data", "")))
    if kind == "base64":
        return extra + PDF_PAGE_TOKENS * pdf_pages(str(source.get("data", "")))
    if kind == "content":
        return extra + _content_tokens(source.get("content"))
    return extra + PDF_PAGE_TOKENS


def _content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return count_text(content)
    if isinstance(content, list):
        return sum(block_tokens(b, counts_thinking=True) for b in content if isinstance(b, dict))
    return 0


def block_tokens(block: Obj, *, counts_thinking: bool) -> int:
    """The cost of one content block."""
    kind = block.get("type")
    if kind == "text":
        return count_text(str(block.get("text", "")))
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "document":
        return _document_tokens(block)
    if kind == "tool_result":
        return 1 + _content_tokens(block.get("content", ""))
    if kind == "tool_use":
        return count_text(str(block.get("name", ""))) + count_text(_canonical(block.get("input")))
    if kind == "thinking":
        return count_text(str(block.get("thinking", ""))) if counts_thinking else 0
    if kind == "redacted_thinking":
        return 0
    return count_text(_canonical(block))


def _tool_segments(body: Obj) -> Iterator[Segment]:
    for tool in body.get("tools") or []:
        yield Segment("tool:" + _canonical(tool), count_text(_canonical(tool)), _cc(tool))


def _system_segments(body: Obj) -> Iterator[Segment]:
    system = body.get("system")
    if isinstance(system, str) and system:
        yield Segment("system:" + system, count_text(system), None)
    elif isinstance(system, list):
        for block in system:
            cost = block_tokens(block, counts_thinking=True)
            yield Segment("system:" + _canonical(block), cost, _cc(block))


def _last_assistant(messages: list[Obj]) -> int:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].get("role") == "assistant":
            return index
    return -1


def _message_segments(body: Obj) -> Iterator[Segment]:
    messages: list[Obj] = body.get("messages") or []
    latest = _last_assistant(messages)
    for index, message in enumerate(messages):
        role, content = message.get("role"), message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for position, block in enumerate(blocks or []):
            cost = block_tokens(block, counts_thinking=index == latest)
            cost += MESSAGE_OVERHEAD if position == 0 else 0
            cacheable = block.get("type") not in ("thinking", "redacted_thinking")
            yield Segment(f"{role}:{position}:" + _canonical(block), cost, _cc(block), cacheable)


def _cc(block: Any) -> Obj | None:
    marker = block.get("cache_control") if isinstance(block, dict) else None
    return marker if isinstance(marker, dict) else None


def segments(body: Obj) -> list[Segment]:
    """The prompt as an ordered list of segments: tools, then system, then message blocks."""
    return [*_tool_segments(body), *_system_segments(body), *_message_segments(body)]


def total_input(body: Obj) -> int:
    """What `count_tokens` reports for a request."""
    return REQUEST_OVERHEAD + sum(seg.tokens for seg in segments(body))


def breakpoints(body: Obj, segs: list[Segment]) -> list[tuple[int, str]]:
    """(segment index, ttl) for every cache breakpoint, including the top-level automatic one."""
    points = {
        i: str(seg.cache_control.get("ttl") or "5m")
        for i, seg in enumerate(segs)
        if seg.cache_control
    }
    top = body.get("cache_control")
    cacheable = [i for i, seg in enumerate(segs) if seg.cacheable]
    if isinstance(top, dict) and cacheable:
        points.setdefault(cacheable[-1], str(top.get("ttl") or "5m"))
    return sorted(points.items())


@dataclass(frozen=True)
class InputUsage:
    input_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0

    @property
    def total(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens


def _prefix_hashes(model: str, segs: list[Segment]) -> list[str]:
    running = hashlib.sha256(model.encode())
    hashes: list[str] = []
    for seg in segs:
        running.update(b"\x00" + seg.key.encode())
        hashes.append(running.copy().hexdigest())
    return hashes


def _cumulative(segs: list[Segment]) -> list[int]:
    total, sums = 0, []
    for seg in segs:
        total += seg.tokens
        sums.append(total)
    return sums


class PromptCache:
    """Which prompt prefixes are cached, per emulator; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def clear(self) -> None:
        with self._lock:
            self._expiry.clear()

    def account(self, body: Obj) -> InputUsage:
        """Split the request's input tokens into uncached / written / read, updating the cache."""
        segs = segments(body)
        points = breakpoints(body, segs)
        hashes = _prefix_hashes(str(body.get("model")), segs)
        with self._lock:
            hit = self._lookup(hashes, points)
            writes = self._store(hashes, points, hit)
        return _usage(_cumulative(segs), hit, writes)

    def _lookup(self, hashes: list[str], points: list[tuple[int, str]]) -> int:
        now, best = self._clock(), -1
        for index, _ttl in points:
            for j in range(index, max(index - LOOKBACK, -1), -1):
                if self._expiry.get(hashes[j], 0.0) > now:
                    best = max(best, j)
                    break
        return best

    def _store(
        self, hashes: list[str], points: list[tuple[int, str]], hit: int
    ) -> list[tuple[int, int, str]]:
        now, writes, previous = self._clock(), [], hit
        if hit >= 0:
            self._expiry[hashes[hit]] = max(self._expiry[hashes[hit]], now + _TTL_SECONDS["5m"])
        for index, ttl in points:
            if index > previous:
                writes.append((previous, index, ttl))
                self._expiry[hashes[index]] = now + _TTL_SECONDS.get(ttl, 300.0)
                previous = index
        return writes


def _usage(cum: list[int], hit: int, writes: list[tuple[int, int, str]]) -> InputUsage:
    def upto(i: int) -> int:
        return cum[i] if i >= 0 else 0

    read = upto(hit)
    by_ttl = {"5m": 0, "1h": 0}
    for start, end, ttl in writes:
        by_ttl[ttl if ttl in by_ttl else "5m"] += upto(end) - upto(start)
    written = by_ttl["5m"] + by_ttl["1h"]
    uncached = REQUEST_OVERHEAD + upto(len(cum) - 1) - read - written
    return InputUsage(uncached, written, read, by_ttl["5m"], by_ttl["1h"])
