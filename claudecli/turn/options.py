"""`TurnOptions`: what one turn asks for, in domain terms (no output or process concerns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from claudecli.client import JSON


@dataclass(frozen=True)
class TurnOptions:
    """The request's own fields, as the user gave them (values parsed by `plan_turn`).

    `model` and `max_tokens` are None to take the resolved settings' values; `stdin` is the raw
    bytes a command read for this turn (never read here); `history` holds earlier messages in API
    shape (chat, continued conversations, the tool loop).
    """

    prompt: str | None = None
    stdin: bytes | None = None
    attach: tuple[str, ...] = ()  # paths; "-" takes `stdin` as an attachment
    system: str | None = None
    system_file: str | None = None  # a path, read by plan_turn
    system_file_text: str | None = None  # or its text (a continued conversation's own)
    prefill: str | None = None
    model: str | None = None
    max_tokens: int | None = None
    thinking: str | None = None  # adaptive | off | a budget, as typed
    effort: str | None = None
    show_thinking: bool = False
    stop: tuple[str, ...] = ()
    schema: str | None = None  # a path to a JSON Schema file
    cache: tuple[str, ...] = ()  # cache modes, as typed; () takes the settings' default
    cache_ttl: str | None = None
    citations: bool = False
    betas: tuple[str, ...] = ()
    history: Sequence[Mapping[str, Any]] = field(default=())
    force: bool = False  # send even when the estimate is over the context window
    tools: tuple[JSON, ...] = ()  # tool definitions in API shape (`tools run`)
    tool_choice: JSON | None = None  # {"type": "auto" | "any" | "tool" | "none", ...}
