"""`ChatSession`: the conversation a chat holds open, what the next turn sends, and its figures.

The session keeps its own copy of the conversation's turns (the store's `StoredMessage`s, undone
ones included), so a chat goes on when the store cannot be written; each turn's recording goes
to the store beside it (`claudecli.turn.record`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from claudecli.config import Settings
    from claudecli.conversations import Status, Store, StoredMessage
    from claudecli.turn import TurnOptions, TurnPlan

JSON = dict[str, Any]
NEAR_WINDOW: Final = 0.8  # warn before sending past this share of the context window


@dataclass
class Stats:
    """The toolbar's figures: the conversation's cost and the last reply's usage."""

    cost_usd: float = 0.0
    last_usage: JSON | None = None
    model: str | None = None  # the resolved model id of the last turn (or the start)
    window: int | None = None  # its context window, when the models cache knows it

    @property
    def context_tokens(self) -> int:
        """What the last exchange put in the context: input (cached or not) + output."""
        usage = self.last_usage or {}
        keys = ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
        return sum(_count(usage, key) for key in (*keys, "output_tokens"))

    def add(self, message: Mapping[str, Any], model: str) -> None:
        from claudecli.pricing import cost_of_usage

        usage = message.get("usage")
        if not isinstance(usage, Mapping):
            return
        self.last_usage = dict(usage)
        cost = cost_of_usage(usage, str(message.get("model") or model))
        self.cost_usd += cost.total if cost is not None else 0.0


@dataclass
class ChatSession:
    base: TurnOptions  # the options of every turn (model, system, thinking, cache, …)
    store: Store | None = None
    conversation_id: str | None = None
    messages: list[StoredMessage] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # paths, for the next turn only
    prefill: str | None = None  # for the next turn only
    title: str | None = None  # given before the conversation exists (/title)
    roles: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    stats: Stats = field(default_factory=Stats)

    # --- the next turn ----------------------------------------------------------------------

    def next_options(self, prompt: str | None) -> TurnOptions:
        """The next turn: the base options, the history, and what was queued for it."""
        return dataclasses.replace(
            self.base,
            prompt=prompt,
            attach=tuple(self.attachments),
            prefill=self.prefill,
            history=self.history(),
        )

    def history(self) -> list[JSON]:
        from claudecli.conversations import history_for_api

        return history_for_api(self.messages)

    def refresh_model(self, settings: Settings) -> None:
        """The toolbar's model and window for the base options (models cache only: no I/O)."""
        from claudecli.models import context_window
        from claudecli.turn.plan import cached_info, resolve_model

        model = resolve_model(self.base, settings)
        self.stats.model = model
        self.stats.window = context_window(cached_info(model, settings))

    def window_warning(self, plan: TurnPlan) -> str | None:
        """A warning when this request nears the model's context window (None: room left)."""
        from claudecli.models import context_window
        from claudecli.turn.checks import estimate_input_tokens

        window = context_window(plan.model_info)
        if window is None:
            return None
        used = max(estimate_input_tokens(plan.spec, plan.body), self.stats.context_tokens)
        if used < NEAR_WINDOW * window:
            return None
        share = min(used / window, 9.99)
        return (
            f"this conversation is at about {share:.0%} of {plan.spec.model}'s context window "
            f"({window:,} tokens): /undo drops the last exchange, /new starts afresh"
        )

    def after_turn(
        self,
        plan: TurnPlan,
        message: Mapping[str, Any],
        *,
        status: Status,
        conversation_id: str | None,
    ) -> None:
        """Keep the turn just sent (complete, interrupted or failed) and its figures."""
        from claudecli.models import context_window
        from claudecli.turn.record import new_user_content

        spec = plan.spec
        content = new_user_content(spec.history, plan.body["messages"], spec.prefill)
        if content:
            self.messages.append(stored("user", content, "complete"))
        reply = list(message.get("content") or [])
        self.messages.append(stored("assistant", reply, status, message))
        self.attachments.clear()
        self.prefill = None
        self.conversation_id = conversation_id or self.conversation_id
        self.stats.model = spec.model
        self.stats.window = context_window(plan.model_info) or self.stats.window
        self.stats.add(message, spec.model)
        if self.title and self.conversation_id and self.store is not None:
            self.rename(self.title)

    # --- commands ---------------------------------------------------------------------------

    def undo(self, *, keep_prompt: bool = False) -> int:
        """Mark the last exchange undone (or, with `keep_prompt`, only its reply): kept in
        the history, never sent again. Returns how many turns were marked."""
        last = _last_user(self.messages)
        if last is None:
            return 0
        first = last + (1 if keep_prompt else 0)
        marked = 0
        for index in range(first, len(self.messages)):
            if self.messages[index].status != "undone":
                self.messages[index] = dataclasses.replace(self.messages[index], status="undone")
                marked += 1
        if marked and self.store is not None and self.conversation_id is not None:
            self.store.undo(self.conversation_id, keep_prompt=keep_prompt)
        return marked

    def new(self) -> None:
        self.conversation_id = None
        self.messages = []
        self.attachments.clear()
        self.prefill = None
        self.title = None
        self.stats = Stats(model=self.stats.model, window=self.stats.window)

    def rename(self, title: str) -> None:
        """The conversation's title (kept for the conversation the next turn creates)."""
        self.title = title
        if self.store is not None and self.conversation_id is not None:
            self.store.set_title(self.conversation_id, title)
            self.title = None

    def last_answer(self) -> str | None:
        """The text of the last reply still in the conversation."""
        for message in reversed(self.messages):
            if message.role == "assistant" and message.status != "undone":
                texts = [str(b.get("text", "")) for b in message.content if b.get("type") == "text"]
                return "".join(texts) or None
        return None

    def can_retry(self) -> bool:
        return _last_user(self.messages) is not None


def resume_session(
    store: Store, conversation_id: str, base: TurnOptions, **fields: Any
) -> ChatSession:
    """A session on a stored conversation: its turns, and its model and system prompt unless
    the options give their own."""
    from claudecli.turn.record import continued

    options = continued(store, conversation_id, base)
    options = dataclasses.replace(options, history=())
    session = ChatSession(
        options, store, conversation_id, store.messages(conversation_id), **fields
    )
    for message in session.messages:
        if message.role == "assistant" and message.usage:
            session.stats.last_usage = dict(message.usage)
            session.stats.cost_usd += message.cost_usd or 0.0
    return session


def stored(
    role: str,
    content: Sequence[Mapping[str, Any]],
    status: Status,
    message: Mapping[str, Any] | None = None,
) -> StoredMessage:
    """A turn kept in memory, shaped as the store returns it."""
    from claudecli.conversations import StoredMessage

    source = message or {}
    usage = source.get("usage")
    return StoredMessage(
        seq=0,
        role="user" if role == "user" else "assistant",
        content=[dict(block) for block in content],
        status=status,
        stop_reason=source.get("stop_reason"),
        usage=dict(usage) if isinstance(usage, Mapping) else None,
        cost_usd=None,
        request_id=None,
        model=source.get("model"),
        timings=None,
        error=None,
        created=0.0,
    )


def _last_user(messages: Sequence[StoredMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user" and messages[index].status != "undone":
            return index
    return None


def _count(usage: Mapping[str, Any], key: str) -> int:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
