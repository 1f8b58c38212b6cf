"""From `TurnOptions` + resolved settings + what the models cache knows to a request body.

No network: model facts come from the local models cache (`claudecli models` fills it), so a
plan is also what `--dry-run` and `count-tokens` show. Every refusal is raised here, before a
byte is sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, TypeAlias

from claudecli.client import JSON
from claudecli.errors import UsageError
from claudecli.turn.checks import (
    check_capabilities,
    check_stdin_once,
    check_window,
    citation_warnings,
    estimate_input_tokens,
    may_exceed_a_window,
)

if TYPE_CHECKING:
    from claudecli.config import ResolvedSettings, Settings
    from claudecli.request import RequestSpec, Thinking
    from claudecli.turn.options import TurnOptions

FetchInfo: TypeAlias = Callable[[str], JSON | None]  # model id -> its ModelInfo, from the API
FALLBACK_MAX_TOKENS: Final = 8192


@dataclass(frozen=True)
class TurnPlan:
    """A checked request: the spec, its body, the settings to send it with, and notices."""

    spec: RequestSpec
    body: JSON
    settings: Settings  # the resolved settings, with the request's betas merged in
    model_info: JSON | None  # the models cache's entry for spec.model, when known
    warnings: tuple[str, ...] = ()


def plan_turn(
    options: TurnOptions,
    resolved: ResolvedSettings,
    *,
    today: date,
    fetch_info: FetchInfo | None = None,
) -> TurnPlan:
    """Build and check the request for one turn; raises UsageError/InputError on bad input.

    Model facts come from the local models cache; when it has none and a check needs them, they
    come from `fetch_info(model)` if the caller gave one (a dry run gives none: no network).
    """
    from claudecli.request import build_messages_body

    check_stdin_once(options.attach)
    model = resolve_model(options, resolved.settings)
    info = cached_info(model, resolved.settings)
    if info is None and fetch_info is not None and needs_model_facts(options):
        info = fetch_info(model)
    spec = make_spec(options, resolved, model, info)
    check_capabilities(spec, info)
    body = build_messages_body(spec)
    info = check_size(options, spec, body, info, fetch_info)
    settings = with_betas(resolved.settings, spec.betas)
    warnings = notices(info, today) + citation_warnings(spec, body)
    return TurnPlan(spec, body, settings, info, warnings)


def needs_model_facts(options: TurnOptions) -> bool:
    """Options that a model may refuse: worth a models-list fetch to refuse them here first
    (a budget under the minimum is refused without one)."""
    from claudecli.request.options import MIN_THINKING_BUDGET

    budget = (options.thinking or "").strip()
    return bool(options.prefill) or (budget.isdigit() and int(budget) >= MIN_THINKING_BUDGET)


def check_size(
    options: TurnOptions,
    spec: RequestSpec,
    body: JSON,
    info: JSON | None,
    fetch_info: FetchInfo | None,
) -> JSON | None:
    """Refuse a request estimated over the context window (unless forced); the info used."""
    estimate = estimate_input_tokens(spec, body)
    if options.force or not may_exceed_a_window(estimate):
        return info
    if info is None and fetch_info is not None:
        info = fetch_info(spec.model)
    from claudecli.models import context_window

    check_window(spec, estimate, context_window(info))
    return info


def make_spec(
    options: TurnOptions, resolved: ResolvedSettings, model: str, info: JSON | None
) -> RequestSpec:
    from claudecli import request as rq

    settings = resolved.settings
    stdin_attached = "-" in options.attach
    return rq.RequestSpec(
        model=model,
        max_tokens=max_tokens_for(options, settings, info),
        prompt=options.prompt or None,
        stdin=None if stdin_attached else options.stdin,
        attachments=tuple(rq.load_attachment(p, stdin=options.stdin) for p in options.attach),
        system=options.system,
        system_file=system_file_text(options),
        prefill=options.prefill,
        thinking=thinking_choice(options, resolved, info),
        effort=rq.parse_effort(options.effort) if options.effort else settings.effort,
        show_thinking=options.show_thinking,
        stop=options.stop,
        schema=rq.load_schema(options.schema) if options.schema else None,
        cache=rq.parse_cache_modes(options.cache or (["auto"] if settings.cache else [])),
        cache_ttl=rq.parse_cache_ttl(options.cache_ttl or settings.cache_ttl),
        citations=options.citations,
        betas=options.betas,
        history=options.history,
        tools=options.tools,
        tool_choice=options.tool_choice,
    )


def system_file_text(options: TurnOptions) -> str | None:
    from claudecli.request import read_text_file

    if options.system_file:
        return read_text_file(options.system_file)
    return options.system_file_text


def resolve_model(options: TurnOptions, settings: Settings) -> str:
    """The model id: the turn's own choice, else the settings'; aliases resolved."""
    from claudecli.models import resolve_alias

    return resolve_alias(options.model or settings.model, settings.model_aliases)


def cached_info(model: str, settings: Settings) -> JSON | None:
    """What the local models cache knows about the model (no network)."""
    from claudecli.models import cached_model_info

    info = cached_model_info(model, source=settings.base_url)
    return dict(info) if info else None


def notices(info: JSON | None, today: date) -> tuple[str, ...]:
    from claudecli.models import deprecation_warning

    warning = deprecation_warning(info, today) if info else None
    return (warning,) if warning else ()


def max_tokens_for(options: TurnOptions, settings: Settings, info: JSON | None) -> int:
    """The turn's, else the settings', else the model's own max output (cache), else 8192."""
    chosen = options.max_tokens if options.max_tokens is not None else settings.max_tokens
    if chosen is not None:
        return int(chosen)
    known = (info or {}).get("max_tokens")
    return int(known) if isinstance(known, int) and known > 0 else FALLBACK_MAX_TOKENS


def thinking_choice(
    options: TurnOptions, resolved: ResolvedSettings, info: JSON | None
) -> Thinking | None:
    """The turn's choice, else a configured value; the built-in default leaves it to the model."""
    from claudecli.models import thinking_types
    from claudecli.request import parse_thinking

    if options.thinking:
        choice = parse_thinking(options.thinking)
    elif resolved.source("thinking") == "default":
        return None
    else:
        choice = resolved.settings.thinking
    known = thinking_types(info)
    if choice == "adaptive" and known and "adaptive" not in known:
        model = (info or {}).get("id", "this model")
        raise UsageError(f"--thinking adaptive: {model} does not support it; give a budget")
    return choice


def with_betas(settings: Settings, betas: tuple[str, ...]) -> Settings:
    """The settings with the request's beta names added (each once, settings' first)."""
    if not betas:
        return settings
    merged = tuple(dict.fromkeys((*settings.betas, *betas)))
    return dataclasses.replace(settings, betas=merged)
