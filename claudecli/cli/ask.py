"""`claudecli ask`: one turn from arguments and/or stdin, streamed to stdout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from claudecli.cli import options as o, turns as t
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.stdin import read_turn_input

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.render import Renderer
    from claudecli.request import RequestSpec
    from claudecli.turn import Turn, TurnPlan
    from claudecli.turn.record import Recording

HELP = f"""Ask Claude once; the answer streams to stdout.

The prompt comes from the arguments and/or stdin (text, a PDF or an image, sniffed by content):
`cat report.pdf | claudecli ask "summarize"`. Diagnostics go to stderr. Retries happen only
before anything is shown; a stream that breaks later keeps the partial answer (exit 7).

{EXIT_CODES_HELP}
"""


@guarded
@o.request_flags()
def ask(
    ctx: typer.Context,
    prompt: o.Prompt = None,
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
    **flags: Any,
) -> None:
    run_ask(ctx.obj, o.all_flags(locals(), flags))


def register(app: typer.Typer) -> None:
    app.command("ask", help=HELP)(ask)


def run_ask(app: AppContext, flags: dict[str, Any]) -> None:
    """Flags -> TurnOptions (+ the stored conversation) -> a planned turn -> the renderer."""
    stdin = read_turn_input(app.environment, flags["prompt"], flags["attach"])
    resolved = app.resolve(o.setting_flags(flags))
    options = o.turn_options(flags, stdin, resolved.settings.roles)
    with t.open_store(app, flags, resolved.settings) as store:
        conversation_id = t.continued_id(store, flags)
        if store is not None and conversation_id is not None:
            from claudecli.turn.record import continued

            options = continued(store, conversation_id, options)
        plan = t.make_plan(app, flags, options, resolved)
        if flags["dry_run"]:
            from claudecli.request import dry_run_json

            app.environment.stdout.write(dry_run_json(plan.body) + "\n")
            return
        recording = t.begin_recording(app, store, plan, conversation_id, flags)
        run_turn(app, flags, plan, recording)


def run_turn(
    app: AppContext, flags: dict[str, Any], plan: TurnPlan, recording: Recording | None
) -> None:
    from claudecli.turn import start_turn

    renderer = t.make_output(app.environment, flags, plan)
    quiet = bool(flags["json_out"])
    with app.client(plan.settings, on_retry=renderer.on_retry) as client:
        renderer.start()
        turn = start_turn(client, plan, on_wait=renderer.flush, shows_nothing_until_the_end=quiet)
        try:
            t.show(
                turn, recording, renderer, app.environment.stdout if flags["stream_json"] else None
            )
        except BaseException as exc:
            renderer.abort("")  # the one-line error comes from the guard
            t.settle(app, recording, turn, exc)
            if quiet:
                partial_json(app, turn, exc, recording)
            raise
    t.settle(app, recording, turn, None)
    finish(app, flags, turn, renderer, recording)


def partial_json(
    app: AppContext, turn: Turn, exc: BaseException, recording: Recording | None
) -> None:
    """--json after a broken stream: the partial Message on stdout, and a true error line."""
    import json

    from claudecli.cli.exits import error_line
    from claudecli.client import StreamInterruptedError
    from claudecli.errors import PartialAnswerError
    from claudecli.turn import json_document

    if not isinstance(exc, StreamInterruptedError) or not exc.content_delivered:
        return
    reason = error_line(exc.cause or exc).removeprefix("claudecli: error: ")
    document = json_document(turn, error=reason, conversation_id=t.conversation_of(recording))
    app.environment.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    message = f"the answer was cut short: {reason}; the partial Message is on stdout (--json)"
    raise PartialAnswerError(message, request_id=exc.request_id) from exc


def finish(
    app: AppContext,
    flags: dict[str, Any],
    turn: Turn,
    renderer: Renderer,
    recording: Recording | None,
) -> None:
    import json

    from claudecli.turn import json_document, stop_notes

    message, spec = turn.message, turn.plan.spec
    renderer.finish(message, usage_line=usage_line(message, spec) if flags["usage"] else None)
    for note in stop_notes(message, spec):
        app.environment.stderr.write(f"claudecli: {t.sanitize_line(note)}\n")
    if flags["json_out"]:
        extras = json_document(turn, conversation_id=t.conversation_of(recording))
        document = json.dumps(extras, ensure_ascii=False, indent=2)
        app.environment.stdout.write(document + "\n")
    elif spec.schema is not None:
        from claudecli.answer import validate_json_answer

        validate_json_answer(message, spec.schema)


def usage_line(message: dict[str, Any], spec: RequestSpec) -> str:
    from claudecli.pricing import format_usage_line

    return format_usage_line(message.get("usage") or {}, message.get("model") or spec.model)
