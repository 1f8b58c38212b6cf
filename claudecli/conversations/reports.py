"""The store's SQL: statements, row mappers, and the read-only reports (list, search, usage)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, Final

from .records import (
    Conversation,
    ConversationSummary,
    SearchHit,
    Status,
    StoredMessage,
    UsageRow,
)
from .schema import has_fts

__all__ = ["has_fts"]

INSERT_CONVERSATION: Final = (
    "INSERT INTO conversation(id, model, system, profile, settings_json, title, created, updated)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
SELECT_CONVERSATION: Final = (
    "SELECT id, title, created, updated, model, system, profile, settings_json"
    " FROM conversation WHERE id = ?"
)
INSERT_USER: Final = (
    "INSERT INTO message(conv_id, seq, role, content_json, text, status, created)"
    " VALUES (?, ?, 'user', ?, ?, 'complete', ?)"
)
INSERT_TURN: Final = (
    "INSERT INTO message(conv_id, seq, role, content_json, text, status, created)"
    " VALUES (?, ?, ?, ?, ?, 'complete', ?)"
)
INSERT_REPLY: Final = (
    "INSERT INTO message(conv_id, seq, role, content_json, status, model, created, writer_pid)"
    " VALUES (?, ?, 'assistant', '[]', 'streaming', ?, ?, ?)"
)
SELECT_MESSAGES: Final = (
    "SELECT seq, role, content_json, status, stop_reason, usage_json, cost_usd, request_id,"
    " model, timings_json, error, created FROM message WHERE conv_id = ? ORDER BY seq"
)
UPSERT_BLOB: Final = (
    "INSERT INTO blob(sha256, media_type, size, data, path) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT(sha256) DO UPDATE SET data = excluded.data, path = NULL"
    " WHERE blob.data IS NULL AND excluded.data IS NOT NULL"
)
TO_UNDO: Final = "SELECT id FROM message WHERE conv_id = ? AND seq >= ? AND status <> 'undone'"
TOUCH_FROM_MESSAGE: Final = (
    "UPDATE conversation SET updated = ? WHERE id = (SELECT conv_id FROM message WHERE id = ?)"
)
LIST_CONVERSATIONS: Final = """
SELECT c.id, c.title, c.model, c.created, c.updated,
  (SELECT count(*) FROM message m WHERE m.conv_id = c.id AND m.role = 'user'),
  (SELECT coalesce(sum(m.input_tokens + m.output_tokens + m.cache_read_tokens
     + m.cache_write_tokens), 0) FROM message m WHERE m.conv_id = c.id),
  (SELECT sum(m.cost_usd) FROM message m WHERE m.conv_id = c.id)
FROM conversation c ORDER BY c.updated DESC, c.id DESC LIMIT ?
"""
USAGE: Final = """
SELECT date(created, 'unixepoch') AS day, coalesce(model, '?'), count(*),
  sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
  coalesce(sum(cost_usd), 0),
  coalesce(sum(CASE WHEN json_extract(usage_json, '$.service_tier') = 'batch'
                    THEN cache_read_tokens END), 0)
FROM message WHERE role = 'assistant' AND created >= ?
GROUP BY day, model ORDER BY day, model
"""
SEARCH_FTS: Final = """
SELECT m.conv_id, c.title, m.seq, m.role, snippet(message_fts, 0, ?, ?, '…', 12), c.updated
FROM message_fts JOIN message m ON m.id = message_fts.rowid
JOIN conversation c ON c.id = m.conv_id
WHERE message_fts MATCH ? ORDER BY rank LIMIT ?
"""
SEARCH_LIKE: Final = """
SELECT m.conv_id, c.title, m.seq, m.role, m.text, c.updated
FROM message m JOIN conversation c ON c.id = m.conv_id
WHERE m.text LIKE ? ESCAPE '\\' ORDER BY c.updated DESC, m.seq LIMIT ?
"""
SNIPPET_CONTEXT: Final = 40


def _loads(text: Any) -> Any:
    return None if text is None else json.loads(text)


def conversation_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Conversation:
    settings = _loads(row[7]) or {}
    return Conversation(
        id=row[0],
        title=row[1],
        created=row[2],
        updated=row[3],
        model=row[4],
        system=row[5],
        profile=row[6],
        settings=settings if isinstance(settings, dict) else {},
    )


def message_from_row(row: tuple[Any, ...], hydrate: Callable[[Any], Any]) -> StoredMessage:
    status: Status = "interrupted" if row[3] == "streaming" else row[3]  # never finished
    return StoredMessage(
        seq=row[0],
        role=row[1],
        content=hydrate(_loads(row[2])),
        status=status,
        stop_reason=row[4],
        usage=_loads(row[5]),
        cost_usd=row[6],
        request_id=row[7],
        model=row[8],
        timings=_loads(row[9]),
        error=row[10],
        created=row[11],
    )


def ids_with_prefix(db: sqlite3.Connection, prefix: str) -> list[str]:
    """Up to 4 ids starting with `prefix` (a range scan on the primary key)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    query = "SELECT id FROM conversation WHERE id >= ? AND id < ? ORDER BY id LIMIT 4"
    return [str(row[0]) for row in db.execute(query, (prefix, upper))]


def list_conversations(db: sqlite3.Connection, limit: int | None) -> list[ConversationSummary]:
    rows = db.execute(LIST_CONVERSATIONS, (-1 if limit is None else limit,))
    return [
        ConversationSummary(
            id=row[0],
            title=row[1],
            model=row[2],
            created=row[3],
            updated=row[4],
            turns=row[5],
            tokens=row[6],
            cost_usd=row[7],
        )
        for row in rows
    ]


def fts_query(text: str) -> str:
    """Every word must occur (each quoted: FTS5 operators in the text are taken literally)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


def search_fts(
    db: sqlite3.Connection, text: str, limit: int, mark: tuple[str, str]
) -> list[SearchHit]:
    query = fts_query(text)
    if not query:
        return []
    rows = db.execute(SEARCH_FTS, (*mark, query, limit * 5))
    return _one_per_conversation([_hit(row, str(row[4])) for row in rows], limit)


def search_like(
    db: sqlite3.Connection, text: str, limit: int, mark: tuple[str, str]
) -> list[SearchHit]:
    needle = text.strip()
    if not needle:
        return []
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.execute(SEARCH_LIKE, (pattern, limit * 5))
    hits = [_hit(row, like_snippet(str(row[4]), needle, mark)) for row in rows]
    return _one_per_conversation(hits, limit)


def _hit(row: tuple[Any, ...], snippet: str) -> SearchHit:
    return SearchHit(row[0], row[1], row[2], row[3], snippet, row[5])


def _one_per_conversation(hits: list[SearchHit], limit: int) -> list[SearchHit]:
    seen: dict[str, SearchHit] = {}
    for hit in hits:
        seen.setdefault(hit.conversation_id, hit)
    return list(seen.values())[:limit]


def like_snippet(text: str, needle: str, mark: tuple[str, str]) -> str:
    """A window of the text around the first (case-insensitive) occurrence of `needle`."""
    at = text.lower().find(needle.lower())
    if at < 0:
        return text[: 2 * SNIPPET_CONTEXT]
    start, end = max(at - SNIPPET_CONTEXT, 0), at + len(needle)
    head = ("…" if start else "") + text[start:at]
    tail = text[end : end + SNIPPET_CONTEXT] + ("…" if end + SNIPPET_CONTEXT < len(text) else "")
    return f"{head}{mark[0]}{text[at:end]}{mark[1]}{tail}"


def usage_rows(db: sqlite3.Connection, since_day: str | None) -> list[UsageRow]:
    since = _epoch_of_day(since_day) if since_day else 0.0
    return [_usage_row(row) for row in db.execute(USAGE, (since,))]


def _epoch_of_day(day: str) -> float:
    from datetime import UTC, datetime

    return datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()


def _usage_row(row: tuple[Any, ...]) -> UsageRow:
    from claudecli.pricing import cache_savings

    batch_reads = row[8] or 0  # batch answers read the cache at the batch price too
    standard = cache_savings({"cache_read_input_tokens": (row[5] or 0) - batch_reads}, row[1])
    batch = cache_savings({"cache_read_input_tokens": batch_reads, "service_tier": "batch"}, row[1])
    saved = (standard or 0.0) + (batch or 0.0)
    cost = round(row[7], 10)  # no float noise in JSON (0.010199999999999999)
    return UsageRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], cost, round(saved, 10))


def delete_orphan_blobs(db: sqlite3.Connection) -> int:
    cursor = db.execute("DELETE FROM blob WHERE sha256 NOT IN (SELECT sha256 FROM message_blob)")
    return cursor.rowcount


def older_than(cutoff: float, conversation: str | None) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause (and its parameters) of the conversations `prune` deletes."""
    if conversation:
        return "updated < ? AND id = ?", (cutoff, conversation)
    return "updated < ?", (cutoff,)


def prune(db: sqlite3.Connection, cutoff: float, conversation: str | None) -> tuple[int, int, int]:
    """(conversations, messages, attachments) deleted."""
    where, params = older_than(cutoff, conversation)
    doomed = f"SELECT id FROM conversation WHERE {where}"
    count = f"SELECT count(*) FROM message WHERE conv_id IN ({doomed})"
    messages = db.execute(count, params).fetchone()[0]
    conversations = db.execute(f"DELETE FROM conversation WHERE {where}", params).rowcount
    return conversations, int(messages), delete_orphan_blobs(db)
