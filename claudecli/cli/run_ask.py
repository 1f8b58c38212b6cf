"""What `claudecli ask` does, step by step: read input, build the request, stream, report."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claudecli.cli.output import out
from claudecli.errors import UsageError

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.client import MessageStream
    from claudecli.client.events import StreamEvent
    from claudecli.config import ResolvedSettings, Settings
    from claudecli.render import Renderer
    from claudecli.request import RequestSpec, Thinking

JSON = dict[str, Any]
FALLBACK_MAX_TOKENS = 8192


@dataclass(frozen=True)
class AskArgs:
    prompt: list[str] | None = None
    attach: list[str] | None = None
    system: str | None = None
    system_file: str | None = None
    prefill: str | None = None
    model: str | None = None
    max_tokens: int | None = None
    thinking: str | None = None
    effort: str | None = None
    show_thinking: bool = False
    stop: list[str] | None = None
    schema: str | None = None
    cache: list[str] | None = None
    cache_ttl: str | None = None
    citations: bool = False
    beta: list[str] | None = None
    dry_run: bool = False
    json_out: bool = False
    stream_json: bool = False
    usage: bool = False
    no_color: bool = False
    max_retries: int | None = None
    timeout: float | None = None


@dataclass
class Outcome:
    message: JSON
    request_id: str | None
    started: float
    first_token: float | None = None
    retries: int = 0


def run_ask(app: AppContext, args: AskArgs) -> None:
    stdin = read_input(args)
    resolved = app.resolve(setting_flags(args))
    spec = make_spec(args, resolved, stdin)
    from claudecli.request import build_messages_body, dry_run_json

    body = build_messages_body(spec)
    if args.dry_run:
        sys.stdout.write(dry_run_json(body) + "\n")
        return
    run_turn(app, args, resolved.settings, spec, body)


def read_input(args: AskArgs) -> bytes | None:
    """stdin bytes when stdin is piped (or named with `-`); usage errors when there is no input."""
    words = [w for w in args.prompt or [] if w != "-"]
    wants_stdin = "-" in (args.prompt or []) or "-" in (args.attach or [])
    if sys.stdin is None or (sys.stdin.isatty() and not wants_stdin):
        if not words and not args.attach:
            raise UsageError("no prompt: give words, pipe text/PDF/image into stdin, or use -a")
        return None
    from claudecli.request import read_stdin

    data = read_stdin(sys.stdin.buffer)
    if not data and not words and not args.attach:
        raise UsageError("no input: stdin was empty and no prompt was given")
    return data or None


def setting_flags(args: AskArgs) -> JSON:
    return {
        "model": args.model,
        "max_tokens": args.max_tokens,
        "max_retries": args.max_retries,
        "total_timeout": args.timeout,
        "color": "never" if args.no_color else None,
    }


def make_spec(args: AskArgs, resolved: ResolvedSettings, stdin: bytes | None) -> RequestSpec:
    from claudecli import request as rq

    settings = resolved.settings
    attach_stdin = "-" in (args.attach or [])
    attachments = tuple(rq.load_attachment(p, stdin=stdin) for p in args.attach or [])
    model = resolve_model(settings)
    info = model_info(model, settings)
    return rq.RequestSpec(
        model=model,
        max_tokens=max_tokens_for(settings, info),
        prompt=" ".join(w for w in args.prompt or [] if w != "-") or None,
        stdin=None if attach_stdin else stdin,
        attachments=attachments,
        system=args.system,
        system_file=rq.read_text_file(args.system_file) if args.system_file else None,
        prefill=args.prefill,
        thinking=thinking_choice(args, resolved, info),
        effort=rq.parse_effort(args.effort) if args.effort else settings.effort,
        show_thinking=args.show_thinking,
        stop=tuple(args.stop or ()),
        schema=rq.load_schema(args.schema) if args.schema else None,
        cache=rq.parse_cache_modes(args.cache or (["auto"] if settings.cache else [])),
        cache_ttl=rq.parse_cache_ttl(args.cache_ttl or settings.cache_ttl),
        citations=args.citations,
        betas=tuple(args.beta or ()),
    )


def model_info(model: str, settings: Settings) -> JSON | None:
    """What the local models cache knows (no network); warns on a deprecated model."""
    import datetime

    from claudecli.models import cached_model_info, deprecation_warning

    info = cached_model_info(model, source=settings.base_url)
    warning = deprecation_warning(info, datetime.date.today()) if info else None
    if warning:
        sys.stderr.write(f"claudecli: warning: {warning}\n")
    return dict(info) if info else None


def thinking_choice(
    args: AskArgs, resolved: ResolvedSettings, info: JSON | None
) -> Thinking | None:
    """The flag, else a configured value; the built-in default leaves it to the model."""
    from claudecli.models import thinking_types
    from claudecli.request import parse_thinking

    if args.thinking:
        choice = parse_thinking(args.thinking)
    elif resolved.source("thinking") == "default":
        return None
    else:
        choice = resolved.settings.thinking
    known = thinking_types(info)
    if choice == "adaptive" and known and "adaptive" not in known:
        model = (info or {}).get("id", "this model")
        raise UsageError(f"--thinking adaptive: {model} does not support it; give a budget")
    return choice


def resolve_model(settings: Settings) -> str:
    from claudecli.models import resolve_alias

    return resolve_alias(settings.model, settings.model_aliases)


def max_tokens_for(settings: Settings, info: JSON | None) -> int:
    """Flag/setting, else the model's own max output from the local models cache, else 8192."""
    if settings.max_tokens is not None:
        return int(settings.max_tokens)
    known = (info or {}).get("max_tokens")
    return int(known) if isinstance(known, int) and known > 0 else FALLBACK_MAX_TOKENS


def run_turn(
    app: AppContext, args: AskArgs, settings: Settings, spec: RequestSpec, body: JSON
) -> None:
    from claudecli.request import document_titles

    renderer = make_output(args, settings, document_titles(body))
    outcome = Outcome(message={}, request_id=None, started=time.monotonic())
    client = app.client(with_betas(settings, spec), on_retry=renderer.on_retry)
    with client:
        renderer.start()
        stream = client.stream_message(body)
        stream.on_wait = renderer.flush
        try:
            consume(stream, renderer, args, outcome)
        except BaseException:
            renderer.abort("")  # the one-line error comes from the guard
            raise
    finish(renderer, args, outcome, spec)


def with_betas(settings: Settings, spec: RequestSpec) -> Settings:
    if not spec.betas:
        return settings
    import dataclasses

    merged = tuple(dict.fromkeys((*settings.betas, *spec.betas)))
    return dataclasses.replace(settings, betas=merged)


def make_output(args: AskArgs, settings: Settings, titles: dict[int, str]) -> Renderer:
    from claudecli.render import make_renderer

    return make_renderer(
        stdout=sys.stdout,
        stderr=sys.stderr,
        stdout_isatty=sys.stdout.isatty() and not (args.json_out or args.stream_json),
        stderr_isatty=sys.stderr.isatty(),
        color="never" if args.no_color else settings.color,
        show_thinking=args.show_thinking,
        citations_names=titles,
        quiet=args.json_out or args.stream_json,
    )


def consume(stream: MessageStream, renderer: Renderer, args: AskArgs, outcome: Outcome) -> None:
    events = with_prefill(iter(stream), args.prefill)
    for event in events:
        if outcome.first_token is None:
            outcome.first_token = time.monotonic()
        if args.stream_json:
            out(json.dumps(event.data, ensure_ascii=False))
        renderer.on_event(event)
    outcome.message = stream.message()
    outcome.request_id = stream.request_id
    outcome.retries = stream.retries


def with_prefill(events: Iterator[StreamEvent], prefill: str | None) -> Iterator[StreamEvent]:
    """Show the prefill first: it is part of the answer but the API does not repeat it."""
    from claudecli.client.events import TextDelta

    pending = prefill
    for event in events:
        if pending and isinstance(event, TextDelta):
            yield TextDelta(event.index, pending, {"type": "prefill"})
            pending = None
        yield event


def finish(renderer: Renderer, args: AskArgs, outcome: Outcome, spec: RequestSpec) -> None:
    message = outcome.message
    renderer.finish(message, usage_line=usage_line(message, spec) if args.usage else None)
    for note in stop_notes(message, spec):
        sys.stderr.write(f"claudecli: {note}\n")
    if args.json_out:
        out(json.dumps(json_document(outcome, spec), ensure_ascii=False, indent=2))
    elif spec.schema is not None:
        from claudecli.answer import validate_json_answer

        validate_json_answer(message, spec.schema)


def usage_line(message: JSON, spec: RequestSpec) -> str:
    from claudecli.pricing import format_usage_line

    return format_usage_line(message.get("usage") or {}, message.get("model") or spec.model)


def stop_notes(message: JSON, spec: RequestSpec) -> list[str]:
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
    from claudecli.render.sanitize import sanitize

    category = details.get("category") or "unspecified"
    explanation = details.get("explanation")
    text = f"note: the model declined to answer (category: {category})"
    return sanitize(f"{text}: {explanation}" if explanation else text)


def json_document(outcome: Outcome, spec: RequestSpec) -> JSON:
    """The Message exactly as the API returns it; our extras only under `claudecli`."""
    from claudecli.pricing import cost_of_usage

    message = outcome.message
    cost = cost_of_usage(message.get("usage") or {}, message.get("model") or spec.model)
    extras = {
        "request_id": outcome.request_id,
        "retries": outcome.retries,
        "cost_usd": cost.total if cost is not None else None,
        "timings": timings(outcome),
        "attachments": [a.name for a in spec.attachments],
    }
    if spec.prefill:
        extras["prefill"] = spec.prefill
    return {**message, "claudecli": extras}


def timings(outcome: Outcome) -> JSON:
    now = time.monotonic()
    first = outcome.first_token
    return {
        "total_s": round(now - outcome.started, 3),
        "first_event_s": round(first - outcome.started, 3) if first is not None else None,
    }
