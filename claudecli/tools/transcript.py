"""The tool loop recorded in the conversation store, round by round, through the turn
engine's recording functions: each request's new user content and its streamed reply, and the
tool results as the next user turn. A store that fails costs the recording, never the run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from claudecli.client import JSON

if TYPE_CHECKING:
    from claudecli.conversations import Store
    from claudecli.turn import Turn, TurnPlan
    from claudecli.turn.record import Recording


class Transcript:
    def __init__(
        self, store: Store, *, conversation_id: str | None, profile: str | None, title: str
    ) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.profile = profile
        self.title = title
        self.warnings: list[str] = []
        self.broken = False

    def begin(self, plan: TurnPlan) -> Recording | None:
        """Commit what this request adds and start its reply (None: not recorded)."""
        from claudecli.turn.record import start_recording

        if self.broken:
            return None
        try:
            recording = start_recording(
                self.store,
                plan,
                conversation_id=self.conversation_id,
                profile=self.profile,
                title=self.title,
            )
        except Exception as error:
            self._failed(error)
            return None
        self.conversation_id = recording.conversation_id
        return recording

    def settle(self, recording: Recording | None, turn: Turn, error: BaseException | None) -> None:
        from claudecli.turn.record import settle

        if recording is None:
            return
        try:
            settle(recording, turn, error)
        except Exception as failure:
            self._failed(failure)

    def results(self, blocks: Sequence[JSON]) -> None:
        """The tool results: the user turn the next request starts from."""
        if self.broken or self.conversation_id is None:
            return
        try:
            self.store.add_user_turn(self.conversation_id, list(blocks))
        except Exception as error:
            self._failed(error)

    def _failed(self, error: Exception) -> None:
        from claudecli.conversations import StoreError

        if not isinstance(error, StoreError):
            raise error
        self.broken = True
        self.warnings.append(f"the rest of this run is not recorded: {error}")
