"""A turn recorded in the conversation store while it streams (`ask`, later `chat`/`tools`).

The user turn is committed before the request is sent; the reply is written at each finished
content block and at most once a second in between, and settled as complete, interrupted or
error. The store failing never stops an answer: the first failure becomes a warning and the
rest of the turn goes unrecorded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claudecli.client import JSON, ContentBlockStop, StreamEvent

if TYPE_CHECKING:
    from claudecli.conversations import ReplyRecorder, Store
    from claudecli.turn.options import TurnOptions
    from claudecli.turn.plan import TurnPlan
    from claudecli.turn.run import Turn

SYSTEM_PARTS = "system_parts"  # the conversation setting that keeps the system text verbatim


@dataclass
class Recording:
    """Where this turn goes in the store, and the reply's recorder (None: not recorded)."""

    store: Store
    conversation_id: str
    reply: ReplyRecorder | None = None


def continued(store: Store, conversation_id: str, options: TurnOptions) -> TurnOptions:
    """The options for the next turn of a stored conversation: its history verbatim (as the API
    accepts it), and its model and system prompt unless this turn gives its own."""
    from claudecli.conversations import history_for_api

    conversation = store.conversation(conversation_id)
    history = history_for_api(store.messages(conversation_id))
    options = dataclasses.replace(options, history=history)
    if options.model is None:
        options = dataclasses.replace(options, model=conversation.model)
    if options.system is None and options.system_file is None:
        options = with_stored_system(options, conversation.settings.get(SYSTEM_PARTS))
    return options


def with_stored_system(options: TurnOptions, parts: Any) -> TurnOptions:
    if not (isinstance(parts, list) and len(parts) == 2):
        return options
    file_text, text = parts
    return dataclasses.replace(options, system_file_text=file_text, system=text)


def start_recording(
    store: Store,
    plan: TurnPlan,
    *,
    conversation_id: str | None,
    profile: str | None,
    title: str,
) -> Recording:
    """Commit the new user turn (creating the conversation when there is none yet)."""
    conversation_id = conversation_id or new_conversation(store, plan, profile, title)
    content = new_user_content(plan.spec.history, plan.body["messages"], plan.spec.prefill)
    if content:
        store.add_user_turn(conversation_id, content, source_paths=attachment_files(plan))
    reply = store.start_reply(conversation_id, model=plan.spec.model)
    return Recording(store, conversation_id, reply)


def attachment_files(plan: TurnPlan) -> dict[str, str]:
    """sha256 of each attached file's bytes -> its path (kept by reference when so set)."""
    import hashlib

    attached = (item for item in plan.spec.attachments if item.path)
    return {hashlib.sha256(item.data).hexdigest(): str(item.path) for item in attached}


def new_conversation(store: Store, plan: TurnPlan, profile: str | None, title: str) -> str:
    spec = plan.spec
    settings: JSON = {
        SYSTEM_PARTS: [spec.system_file, spec.system],
        "max_tokens": spec.max_tokens,
        "thinking": spec.thinking,
        "effort": spec.effort,
        "cache": sorted(spec.cache),
        "betas": list(spec.betas),
    }
    system = "\n\n".join(text for text in (spec.system_file, spec.system) if text) or None
    return store.new_conversation(
        model=spec.model, system=system, profile=profile, settings=settings, title=title
    )


def new_user_content(
    history: Sequence[Mapping[str, Any]], messages: Sequence[Mapping[str, Any]], prefill: Any
) -> list[JSON]:
    """The blocks this turn adds: a new last user message, or what the body merged into the
    history's last user turn (whose reply was lost)."""
    sent = list(messages[:-1]) if prefill else list(messages)
    if len(sent) > len(history):
        return [dict(block) for block in _blocks(sent[-1])]
    if sent and history and history[-1].get("role") == "user":
        return [dict(block) for block in _blocks(sent[-1])[len(_blocks(history[-1])) :]]
    return []


def _blocks(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = message.get("content")
    return list(content) if isinstance(content, list) else []


def recorded(turn: Turn, recording: Recording | None) -> Iterator[StreamEvent]:
    """The turn's events, with the reply written as it streams (unrecorded: the turn as is)."""
    if recording is None or recording.reply is None:
        return iter(turn)
    return _recording(turn, recording.reply)


def _recording(turn: Turn, reply: ReplyRecorder) -> Iterator[StreamEvent]:
    for event in turn:
        yield event
        flush(turn, reply, event)


def flush(turn: Turn, reply: ReplyRecorder, event: StreamEvent) -> None:
    block_done = isinstance(event, ContentBlockStop)
    if block_done or reply.due():  # build the partial only when it is written
        reply.update(reply_message(turn), block_done=block_done)


def reply_message(turn: Turn) -> JSON:
    """The reply as the conversation keeps it: a prefill is part of the answer's first text."""
    message = turn.message
    prefill = turn.plan.spec.prefill
    if not prefill or not message.get("content"):
        return message
    first = message["content"][0]
    if first.get("type") == "text":
        first["text"] = prefill + str(first.get("text") or "")
    return message


def settle(recording: Recording, turn: Turn, error: BaseException | None) -> None:
    """Finish the reply: complete, interrupted (signals, a broken stream) or error."""
    from claudecli.pricing import cost_of_usage

    reply = recording.reply
    if reply is None:
        return
    message = reply_message(turn)
    if error is None:
        cost = cost_of_usage(message.get("usage") or {}, message.get("model") or reply.model)
        total = cost.total if cost is not None else None
        reply.finish(message, request_id=turn.request_id, cost_usd=total, timings=turn.timings())
        return
    status = "error" if _is_error(error) else "interrupted"
    reply.interrupt(message, status=status, error=_describe(error), request_id=turn.request_id)


def _is_error(error: BaseException) -> bool:
    from claudecli.client import StreamInterruptedError

    return isinstance(error, Exception) and not isinstance(error, StreamInterruptedError)


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__
