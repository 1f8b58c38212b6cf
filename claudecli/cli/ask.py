"""`claudecli ask`: one turn from arguments and/or stdin, streamed to stdout."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from claudecli.cli import options as o
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.stdin import read_turn_input

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext, Environment
    from claudecli.render import Renderer
    from claudecli.request import RequestSpec
    from claudecli.turn import Turn, TurnPlan

HELP = f"""Ask Claude once; the answer streams to stdout.

The prompt comes from the arguments and/or stdin (text, a PDF or an image, sniffed by content):
`cat report.pdf | claudecli ask "summarize"`. Diagnostics go to stderr. Retries happen only
before anything is shown; a stream that breaks later keeps the partial answer (exit 7).

{EXIT_CODES_HELP}
"""


@guarded
def ask(
    ctx: typer.Context,
    prompt: o.Prompt = None,
    attach: o.Attach = None,
    system: o.System = None,
    system_file: o.SystemFile = None,
    prefill: o.Prefill = None,
    model: o.Model = None,
    max_tokens: o.MaxTokens = None,
    thinking: o.Thinking = None,
    effort: o.Effort = None,
    show_thinking: o.ShowThinking = False,
    stop: o.Stop = None,
    schema: o.Schema = None,
    cache: o.Cache = None,
    cache_ttl: o.CacheTtl = None,
    citations: o.Citations = False,
    beta: o.Beta = None,
    force: o.Force = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the request JSON (no key, base64 elided) and exit.",
            rich_help_panel=o.OUTPUT,
        ),
    ] = False,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print the final Message as the API returns it.",
            rich_help_panel=o.OUTPUT,
        ),
    ] = False,
    stream_json: Annotated[
        bool,
        typer.Option(
            "--stream-json",
            help="Print each stream event as one JSON line.",
            rich_help_panel=o.OUTPUT,
        ),
    ] = False,
    usage: Annotated[
        bool,
        typer.Option(
            "--usage", help="Tokens and estimated cost on stderr.", rich_help_panel=o.OUTPUT
        ),
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours.", rich_help_panel=o.OUTPUT)
    ] = False,
    max_retries: Annotated[
        int | None,
        typer.Option(
            "--max-retries",
            min=0,
            metavar="N",
            help="Retries on transient errors, before anything is shown (default 2).",
            rich_help_panel=o.NETWORK,
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            click_type=o.POSITIVE_SECONDS,
            metavar="SECONDS",
            help="Total time limit for the whole answer.",
            rich_help_panel=o.NETWORK,
        ),
    ] = None,
) -> None:
    run_ask(ctx.obj, {name: value for name, value in locals().items() if name != "ctx"})


def register(app: typer.Typer) -> None:
    app.command("ask", help=HELP)(ask)


def run_ask(app: AppContext, flags: dict[str, Any]) -> None:
    """Flags -> TurnOptions -> a planned turn -> the renderer (or the dry-run JSON)."""
    from claudecli.turn import plan_turn

    environment = app.environment
    stdin = read_turn_input(environment, flags["prompt"], flags["attach"])
    resolved = app.resolve(o.setting_flags(flags))
    options = o.turn_options(flags, stdin)
    fetch = None if flags["dry_run"] else app.model_info_fetcher(resolved.settings)
    plan = plan_turn(options, resolved, today=app.today(), fetch_info=fetch)
    warn_all(app, plan.warnings)
    if flags["dry_run"]:
        from claudecli.request import dry_run_json

        environment.stdout.write(dry_run_json(plan.body) + "\n")
        return
    run_turn(app, flags, plan)


def run_turn(app: AppContext, flags: dict[str, Any], plan: TurnPlan) -> None:
    from claudecli.turn import start_turn

    renderer = make_output(app.environment, flags, plan)
    quiet = bool(flags["json_out"])
    with app.client(plan.settings, on_retry=renderer.on_retry) as client:
        renderer.start()
        turn = start_turn(client, plan, on_wait=renderer.flush, shows_nothing_until_the_end=quiet)
        try:
            show(turn, renderer, app.environment.stdout if flags["stream_json"] else None)
        except BaseException as exc:
            renderer.abort("")  # the one-line error comes from the guard
            if quiet:
                partial_json(app, turn, exc)
            raise
    finish(app, flags, turn, renderer)


def partial_json(app: AppContext, turn: Turn, exc: BaseException) -> None:
    """--json after a broken stream: the partial Message on stdout, and a true error line."""
    from claudecli.cli.exits import error_line
    from claudecli.client import StreamInterruptedError
    from claudecli.errors import PartialAnswerError
    from claudecli.turn import json_document

    if not isinstance(exc, StreamInterruptedError) or not exc.content_delivered:
        return
    reason = error_line(exc.cause or exc).removeprefix("claudecli: error: ")
    document = json_document(turn, error=reason)
    app.environment.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    message = f"the answer was cut short: {reason}; the partial Message is on stdout (--json)"
    raise PartialAnswerError(message, request_id=exc.request_id) from exc


def make_output(environment: Environment, flags: dict[str, Any], plan: TurnPlan) -> Renderer:
    from claudecli.render import make_renderer
    from claudecli.request import document_titles

    quiet = bool(flags["json_out"] or flags["stream_json"])
    return make_renderer(
        stdout=environment.stdout,
        stderr=environment.stderr,
        stdout_isatty=environment.stdout_isatty and not quiet,
        stderr_isatty=environment.stderr_isatty,
        color=plan.settings.color,
        show_thinking=bool(flags["show_thinking"]),
        citations_names=document_titles(plan.body),
        quiet=quiet,
    )


def show(turn: Turn, renderer: Renderer, events_out: TextIO | None) -> None:
    """Each event to the renderer (and, with --stream-json, as one JSON line to stdout)."""
    for event in turn:
        if events_out is not None:
            events_out.write(json.dumps(event.data, ensure_ascii=False) + "\n")
            events_out.flush()
        renderer.on_event(event)


def finish(app: AppContext, flags: dict[str, Any], turn: Turn, renderer: Renderer) -> None:
    from claudecli.turn import json_document, stop_notes

    message, spec = turn.message, turn.plan.spec
    renderer.finish(message, usage_line=usage_line(message, spec) if flags["usage"] else None)
    for note in stop_notes(message, spec):
        app.environment.stderr.write(f"claudecli: {sanitize_line(note)}\n")
    if flags["json_out"]:
        document = json.dumps(json_document(turn), ensure_ascii=False, indent=2)
        app.environment.stdout.write(document + "\n")
    elif spec.schema is not None:
        from claudecli.answer import validate_json_answer

        validate_json_answer(message, spec.schema)


def usage_line(message: dict[str, Any], spec: RequestSpec) -> str:
    from claudecli.pricing import format_usage_line

    return format_usage_line(message.get("usage") or {}, message.get("model") or spec.model)


def warn_all(app: AppContext, warnings: Sequence[str]) -> None:
    for warning in warnings:
        app.warn(sanitize_line(warning))


def sanitize_line(text: str) -> str:
    from claudecli.render.sanitize import sanitize

    return sanitize(text)
