"""The conversation store: every turn recorded the moment it happens, in one SQLite file.

Workflow layer (beside `turn`): standard-library `sqlite3` plus claudecli's paths, errors,
pricing and client names. Never prints, reads stdin or exits.

    with Store.open(store_path(env)) as store:
        conv = store.new_conversation(model=…, system=…, profile=…, settings=…, title=…)
        store.add_user_turn(conv, content)                # committed before the request is sent
        reply = store.start_reply(conv, model=model)
        for event in stream: reply.update(partial_message, block_done=…)   # ≤ 1 write/s
        reply.finish(message, request_id=…, cost_usd=…, timings=…)         # or reply.interrupt(…)
    history = history_for_api(store.messages(conv))       # what the API accepts next

The file is `<data_dir>/conversations.db` (0600 in a 0700 directory), WAL with
`synchronous=NORMAL` (a process crash or `kill -9` loses no committed turn; a power cut may
lose the last second), `busy_timeout` 5 s (several processes write in turn), forward
migrations from schema version 1 (a newer file is refused, never reset). Attachments are
stored once by sha256, or by reference (path + sha256) with `keep_attachments="reference"`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from .content import make_title, plain_text
from .recorder import ReplyRecorder
from .records import (
    Conversation,
    ConversationSummary,
    PruneResult,
    SearchHit,
    Status,
    StoredMessage,
    StoreError,
    StoreUnwritable,
    UsageRow,
)
from .replay import INTERRUPTED_TOOL, append_user_turn, history_for_api
from .schema import SCHEMA_VERSION
from .store import KeepAttachments, Store

__all__ = [
    "INTERRUPTED_TOOL",
    "SCHEMA_VERSION",
    "STORE_FILE_NAME",
    "Conversation",
    "ConversationSummary",
    "KeepAttachments",
    "PruneResult",
    "ReplyRecorder",
    "SearchHit",
    "Status",
    "Store",
    "StoreError",
    "StoreUnwritable",
    "StoredMessage",
    "UsageRow",
    "append_user_turn",
    "history_for_api",
    "make_title",
    "plain_text",
    "store_path",
]

STORE_FILE_NAME: Final = "conversations.db"


def store_path(env: Mapping[str, str] | None = None) -> Path:
    """`<data_dir>/conversations.db` (`CLAUDECLI_HOME` and `XDG_DATA_HOME` honoured)."""
    from claudecli.paths import data_dir

    return data_dir(env) / STORE_FILE_NAME
