"""Input history kept in the conversation store (one history for every chat, any process)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from prompt_toolkit.history import History


class InputLog(Protocol):
    """What the store offers (`claudecli.conversations.Store`)."""

    def add_input(self, text: str) -> None: ...

    def recent_inputs(self, *, limit: int = 1000) -> list[str]: ...


class StoreHistory(History):
    def __init__(self, log: InputLog, *, limit: int = 5000) -> None:
        super().__init__()
        self.log = log
        self.limit = limit

    def load_history_strings(self) -> Iterable[str]:
        """Newest first, as prompt_toolkit wants them."""
        try:
            return self.log.recent_inputs(limit=self.limit)
        except Exception:  # an unreadable store costs the history, never the prompt
            return []

    def store_string(self, string: str) -> None:
        try:
            self.log.add_input(string)
        except Exception:  # a full or locked store: the line is still sent
            pass
