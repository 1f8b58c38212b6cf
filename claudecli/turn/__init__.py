"""The turn engine: one request/answer exchange, shared by every command that talks to a model.

`ask`, `count-tokens` (and `chat`, `batch`, `tools run`) turn their flags into `TurnOptions`,
then::

    plan = plan_turn(options, resolved, today=...)     # model, limits, thinking, body; no I/O
    turn = start_turn(client, plan)                     # the request, as an event iterator
    for event in turn: ...                              # hand each event to a renderer
    turn.message                                        # the final (or partial) Message

It never prints, never reads stdin and never exits: notices come back as data
(`plan.warnings`, `stop_notes()`), errors as exceptions from `claudecli.errors` and the client.
"""

from __future__ import annotations

from claudecli.turn.options import TurnOptions
from claudecli.turn.plan import FALLBACK_MAX_TOKENS, TurnPlan, plan_turn
from claudecli.turn.run import Turn, json_document, start_turn, stop_notes

__all__ = [
    "FALLBACK_MAX_TOKENS",
    "Turn",
    "TurnOptions",
    "TurnPlan",
    "json_document",
    "plan_turn",
    "start_turn",
    "stop_notes",
]
