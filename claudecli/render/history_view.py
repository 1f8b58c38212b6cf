"""`claudecli history` as text: the conversation list, transcripts, exports, search hits, usage.

Plain data in (the store's records, typed here by Protocols: render never imports the store),
strings out; every value from the store is sanitized. On a terminal tables are aligned columns
and usage gets a bar chart of unicode blocks; piped, tables are tab-separated lines (easy to
`cut`) and usage is plain lines. A transcript replays each stored reply through a `Renderer`,
so on a terminal it looks like the live answer did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol, TextIO

from claudecli.pricing import format_usd

from .protocol import Renderer
from .sanitize import sanitize

__all__ = [
    "format_size",
    "jsonl_export",
    "list_table",
    "markdown_export",
    "search_table",
    "show_transcript",
    "usage_report",
]

JSON = dict[str, Any]
LIST_HEADERS: Final = ("id", "title", "model", "turns", "tokens", "cost", "updated")
SEARCH_HEADERS: Final = ("id", "title", "match")
BLOCKS: Final = " ▏▎▍▌▋▊▉█"
BAR_WIDTH: Final = 40


class Summary(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def model(self) -> str | None: ...
    @property
    def turns(self) -> int: ...
    @property
    def tokens(self) -> int: ...
    @property
    def cost_usd(self) -> float | None: ...
    @property
    def updated(self) -> float: ...


class Turn(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def content(self) -> list[JSON]: ...
    @property
    def status(self) -> str: ...
    @property
    def stop_reason(self) -> str | None: ...
    @property
    def usage(self) -> JSON | None: ...
    @property
    def model(self) -> str | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def created(self) -> float: ...


class Hit(Protocol):
    @property
    def conversation_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def snippet(self) -> str: ...


class UsageLine(Protocol):
    @property
    def day(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def input_tokens(self) -> int: ...
    @property
    def output_tokens(self) -> int: ...
    @property
    def cache_read_tokens(self) -> int: ...
    @property
    def cache_write_tokens(self) -> int: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def cache_savings_usd(self) -> float: ...


# --- small formats ----------------------------------------------------------------------------


def when(timestamp: float) -> str:
    """`2023-11-14 22:13` (UTC)."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M")


def money(amount: float | None) -> str:
    return "-" if amount is None else format_usd(amount)


def format_size(size: int) -> str:
    """`812 B`, `4.0 KB`, `12.3 MB` (powers of 1024)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _cell(value: object) -> str:
    return " ".join(sanitize(str(value)).split())


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, aligned: bool) -> str:
    """Aligned columns (a terminal) or tab-separated lines (a pipe), header first."""
    cells = [[_cell(value) for value in row] for row in (headers, *rows)]
    if not aligned:
        return "".join("\t".join(row) + "\n" for row in cells)
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in cells)
    return "".join(line.rstrip() + "\n" for line in lines)


# --- list and search ------------------------------------------------------------------------


def list_table(rows: Sequence[Summary], *, aligned: bool) -> str:
    cells = [
        (
            r.id,
            r.title,
            r.model or "-",
            r.turns,
            f"{r.tokens:,}",
            money(r.cost_usd),
            when(r.updated),
        )
        for r in rows
    ]
    return table(LIST_HEADERS, cells, aligned=aligned)


def search_table(hits: Sequence[Hit], *, aligned: bool) -> str:
    return table(
        SEARCH_HEADERS, [(h.conversation_id, h.title, h.snippet) for h in hits], aligned=aligned
    )


# --- transcripts and exports -------------------------------------------------------------


def block_text(block: Mapping[str, Any]) -> str:
    """A user block as text: its text, or `[document application/pdf]` for an attachment."""
    kind = str(block.get("type"))
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "tool_result":
        return f"[tool result for {block.get('tool_use_id')}]"
    source = block.get("source")
    media = source.get("media_type") if isinstance(source, Mapping) else None
    return f"[{kind}{' ' + str(media) if media else ''}]"


def quoted(turn: Turn) -> str:
    """A user turn as `> ` quoted lines."""
    text = "\n".join(block_text(block) for block in turn.content)
    return "".join(f"> {line}".rstrip() + "\n" for line in sanitize(text).splitlines() or [""])


def status_note(turn: Turn) -> str | None:
    if turn.status == "complete":
        return None
    return f"[{turn.status}{': ' + turn.error if turn.error else ''}]"


def show_transcript(turns: Sequence[Turn], renderer: Renderer, stream: TextIO) -> None:
    """User turns quoted, each reply rendered as the live answer was; a blank line between."""
    for turn in turns:
        if turn.role == "user":
            stream.write(quoted(turn) + "\n")
            stream.flush()
            continue
        renderer.finish(as_message(turn))
        note = status_note(turn)
        stream.write(("" if note is None else _cell(note) + "\n") + "\n")
        stream.flush()


def as_message(turn: Turn) -> JSON:
    """A stored reply as an API Message (what the renderer replays)."""
    return {
        "type": "message",
        "role": "assistant",
        "model": turn.model,
        "content": turn.content,
        "stop_reason": turn.stop_reason,
        "usage": turn.usage or {},
    }


def markdown_export(title: str, meta: Sequence[tuple[str, str]], turns: Sequence[Turn]) -> str:
    """The conversation as Markdown: a title, a metadata list, `## User` / `## Assistant`."""
    parts = [f"# {_cell(title) or '(untitled)'}\n"]
    parts.append("".join(f"- {key}: {_cell(value)}\n" for key, value in meta))
    for turn in turns:
        heading = "User" if turn.role == "user" else "Assistant"
        note = status_note(turn)
        parts.append(f"## {heading}{' ' + note if note else ''}\n")
        parts.append(sanitize(_markdown_body(turn)).strip() + "\n")
    return "\n".join(parts)


def _markdown_body(turn: Turn) -> str:
    if turn.role == "user":
        return "\n\n".join(block_text(block) for block in turn.content)
    texts = [str(b.get("text", "")) for b in turn.content if b.get("type") == "text"]
    others = [
        f"[{b.get('type')}: {b.get('name', '')}]"
        for b in turn.content
        if b.get("type") in ("tool_use", "server_tool_use")
    ]
    return "\n\n".join([*texts, *others])


def jsonl_export(turns: Sequence[Turn]) -> str:
    """One JSON object per turn: the API-shape message plus what the store knows of it."""
    lines = []
    for turn in turns:
        record = {
            "role": turn.role,
            "content": turn.content,
            "seq": turn.seq,
            "status": turn.status,
        }
        record |= {"stop_reason": turn.stop_reason, "usage": turn.usage, "model": turn.model}
        record |= {"error": turn.error, "created": turn.created}
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


# --- usage ------------------------------------------------------------------------------------


def usage_report(rows: Sequence[UsageLine], days: Sequence[str], *, chart: bool) -> str:
    """Per day (every day in `days`, zero or not), per model, and a total; bars on a terminal."""
    per_day = _sum_by(rows, "day")
    per_model = _sum_by(rows, "model")
    lines = ["cost per day (UTC)"]
    peak = max((per_day.get(day, _ZERO)["cost"] for day in days), default=0.0)
    for day in days:
        lines.append(_day_line(day, per_day.get(day, _ZERO), peak, chart=chart))
    lines += ["", "per model"]
    lines += [_totals_line(model, sums) for model, sums in sorted(per_model.items())]
    lines += ["", _totals_line("total", _sum_all(list(per_model.values())))]
    return "\n".join(lines) + "\n"


_ZERO: Final = {
    "input": 0,
    "output": 0,
    "cache_read": 0,
    "cache_write": 0,
    "cost": 0.0,
    "saved": 0.0,
}


def _sums(row: UsageLine) -> dict[str, float]:
    return {
        "input": row.input_tokens,
        "output": row.output_tokens,
        "cache_read": row.cache_read_tokens,
        "cache_write": row.cache_write_tokens,
        "cost": row.cost_usd,
        "saved": row.cache_savings_usd,
    }


def _sum_by(rows: Sequence[UsageLine], key: str) -> dict[str, dict[str, float]]:
    grouped: dict[str, list[dict[str, float]]] = {}
    for row in rows:
        grouped.setdefault(str(getattr(row, key)), []).append(_sums(row))
    return {name: _sum_all(items) for name, items in grouped.items()}


def _sum_all(items: Sequence[Mapping[str, float]]) -> dict[str, float]:
    return {name: sum(item[name] for item in items) for name in _ZERO}


def _day_line(day: str, sums: Mapping[str, float], peak: float, *, chart: bool) -> str:
    figures = f"{day}  {money(sums['cost']):>10}"
    if not chart:
        return f"{figures}  {_tokens(sums)}"
    return f"{figures}  {bar(sums['cost'], peak)}"


def _totals_line(name: str, sums: Mapping[str, float]) -> str:
    saved = f" · cache saved {money(sums['saved'])}" if sums["saved"] else ""
    return f"{_cell(name)}: {_tokens(sums)} · {money(sums['cost'])}{saved}"


def _tokens(sums: Mapping[str, float]) -> str:
    parts = [
        ("in", "input"),
        ("out", "output"),
        ("cache read", "cache_read"),
        ("cache write", "cache_write"),
    ]
    return " · ".join(f"{label} {int(sums[key]):,}" for label, key in parts)


def bar(value: float, peak: float, width: int = BAR_WIDTH) -> str:
    """`████▌` : `value / peak` of `width` cells, in eighths."""
    if peak <= 0 or value <= 0:
        return ""
    eighths = max(round(value / peak * width * 8), 1)
    full, rest = divmod(eighths, 8)
    return "█" * full + (BLOCKS[rest] if rest else "")
