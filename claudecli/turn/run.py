"""Running a planned turn: the event stream, the final Message, and what to say about it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from claudecli.client import JSON

if TYPE_CHECKING:
    from claudecli.client import Client, MessageStream, StreamEvent
    from claudecli.request import RequestSpec
    from claudecli.turn.plan import TurnPlan


class Turn:
    """One streamed answer. Iterate it for events (the prefill first, as a text delta); after
    the loop (or an exception) `message` holds the final or partial Message."""

    def __init__(
        self, stream: MessageStream, plan: TurnPlan, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream
        self.plan = plan
        self._clock = clock
        self.started = clock()
        self.first_event: float | None = None

    def __iter__(self) -> Iterator[StreamEvent]:
        for event in with_prefill(iter(self.stream), self.plan.spec.prefill):
            if self.first_event is None:
                self.first_event = self._clock()
            yield event

    @property
    def message(self) -> JSON:
        return self.stream.message()

    @property
    def request_id(self) -> str | None:
        return self.stream.request_id

    @property
    def retries(self) -> int:
        return self.stream.retries

    def timings(self) -> JSON:
        now, first = self._clock(), self.first_event
        return {
            "total_s": round(now - self.started, 3),
            "first_event_s": round(first - self.started, 3) if first is not None else None,
        }


def start_turn(
    client: Client,
    plan: TurnPlan,
    *,
    on_wait: Callable[[], None] | None = None,
    shows_nothing_until_the_end: bool = False,
) -> Turn:
    """Send the planned request as a stream (nothing is read until the turn is iterated).

    `on_wait` runs before each network read (a renderer flushes what it holds back). A caller
    that shows nothing until the end (`--json`) may have a broken stream retried even after
    content arrived; when it still fails, the error carries the last attempt's partial Message.
    """
    stream = client.stream_message(plan.body)
    stream.on_wait = on_wait
    stream.retry_after_content = shows_nothing_until_the_end
    return Turn(stream, plan)


def with_prefill(events: Iterator[StreamEvent], prefill: str | None) -> Iterator[StreamEvent]:
    """Show the prefill first: it is part of the answer but the API does not repeat it."""
    from claudecli.client import TextDelta

    pending = prefill
    for event in events:
        if pending and isinstance(event, TextDelta):
            yield TextDelta(event.index, pending, {"type": "prefill"})
            pending = None
        yield event


def stop_notes(message: JSON, spec: RequestSpec) -> list[str]:
    """What the stop reason means for the user, one line each (empty for a normal end)."""
    reason = message.get("stop_reason")
    if reason == "max_tokens":
        return [f"note: truncated at max_tokens ({spec.max_tokens}); raise --max-tokens"]
    if reason == "refusal":
        return [refusal_note(message.get("stop_details") or {})]
    if reason == "pause_turn":
        return ["note: the server paused a long-running turn (pause_turn); ask again to go on"]
    if reason == "model_context_window_exceeded":
        return ["note: stopped at the model's context window"]
    return []


def refusal_note(details: JSON) -> str:
    category = details.get("category") or "unspecified"
    explanation = details.get("explanation")
    text = f"note: the model declined to answer (category: {category})"
    return f"{text}: {explanation}" if explanation else text


def json_document(
    turn: Turn, *, error: str | None = None, conversation_id: str | None = None
) -> JSON:
    """The Message exactly as the API returns it; claudecli's extras only under `claudecli`.

    After a broken stream the Message is the partial one (`stop_reason` null) and `error` says
    what broke it.
    """
    from claudecli.pricing import cost_of_usage

    spec, message = turn.plan.spec, turn.message
    cost = cost_of_usage(message.get("usage") or {}, message.get("model") or spec.model)
    extras: JSON = {
        "request_id": turn.request_id,
        "retries": turn.retries,
        "cost_usd": cost.total if cost is not None else None,
        "timings": turn.timings(),
        "attachments": [a.name for a in spec.attachments],
    }
    if spec.prefill:
        extras["prefill"] = spec.prefill
    if error is not None:
        extras["error"] = error
    if conversation_id is not None:
        extras["conversation_id"] = conversation_id
    return {**message, "claudecli": extras}
