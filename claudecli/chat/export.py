"""`/export PATH`: the conversation as Markdown (`.md`, any other name) or JSON lines (`.jsonl`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from claudecli.errors import InputError

if TYPE_CHECKING:
    from .session import ChatSession


def export_conversation(session: ChatSession, path: Path) -> int:
    """Write the conversation's turns (undone ones marked) to `path` (0600); their number."""
    from claudecli.render.history_view import jsonl_export, markdown_export

    turns = session.messages
    if path.suffix == ".jsonl":
        text = jsonl_export(turns)
    else:
        meta = [("conversation", session.conversation_id or "(not recorded)")]
        meta.append(("model", session.stats.model or ""))
        text = markdown_export(_title(session), meta, turns)
    _write(path, text)
    return len(turns)


def _title(session: ChatSession) -> str:
    if session.store is not None and session.conversation_id is not None:
        return session.store.conversation(session.conversation_id).title
    return session.title or "chat"


def _write(path: Path, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        raise InputError(f"/export: cannot write {path}: {error.strerror or error}") from None
