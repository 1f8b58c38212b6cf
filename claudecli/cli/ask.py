"""`claudecli ask`: one turn from arguments and/or stdin, streamed to stdout."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from claudecli.cli import options as o
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.stdin import read_turn_input

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext, Environment
    from claudecli.config import ResolvedSettings, Settings
    from claudecli.conversations import Store
    from claudecli.render import Renderer
    from claudecli.request import RequestSpec
    from claudecli.turn import Turn, TurnOptions, TurnPlan
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
    with open_store(app, flags, resolved.settings) as store:
        conversation_id = continued_id(store, flags)
        if store is not None and conversation_id is not None:
            options = continued(store, conversation_id, options, options.model)
        plan = make_plan(app, flags, options, resolved)
        if flags["dry_run"]:
            from claudecli.request import dry_run_json

            app.environment.stdout.write(dry_run_json(plan.body) + "\n")
            return
        recording = begin_recording(app, store, plan, conversation_id, flags)
        run_turn(app, flags, plan, recording)


def make_plan(
    app: AppContext, flags: dict[str, Any], options: TurnOptions, resolved: ResolvedSettings
) -> TurnPlan:
    from claudecli.turn import plan_turn

    fetch = None if flags["dry_run"] else app.model_info_fetcher(resolved.settings)
    plan = plan_turn(options, resolved, today=app.today(), fetch_info=fetch)
    warn_all(app, plan.warnings)
    return plan


@contextmanager
def open_store(
    app: AppContext, flags: dict[str, Any], settings: Settings
) -> Iterator[Store | None]:
    """The conversation store, when this turn reads or records one (never for --dry-run alone).

    A store that cannot be written (read-only, full) only costs the recording: one warning.
    A corrupt or newer one is an error (exit 3): nothing is ever reset or overwritten.
    """
    continuing = bool(flags["continue_"] or flags["conversation"])
    if not (continuing or records_turn(flags, settings)):
        yield None
        return
    from claudecli.conversations import Store, StoreUnwritable, store_path

    path = store_path(app.env)
    try:
        store = Store.open(path, keep_attachments=settings.keep_attachments)
    except StoreUnwritable as error:
        app.warn(f"this turn is not recorded: {sanitize_line(str(error))}")
        if not (continuing and path.exists()):
            yield None
            return
        store = Store.open_read_only(path)  # the history can still be read
    with store:
        yield store


def records_turn(flags: dict[str, Any], settings: Settings) -> bool:
    """This turn goes into the store (`--no-history`, `history: false` and --dry-run: no)."""
    return settings.history and not flags["no_history"] and not flags["dry_run"]


def continued_id(store: Store | None, flags: dict[str, Any]) -> str | None:
    """The conversation to continue: --conversation ID (or a prefix), or the latest with -c."""
    from claudecli.errors import UsageError

    if store is None or not (flags["continue_"] or flags["conversation"]):
        return None
    if flags["conversation"]:
        return store.resolve_id(flags["conversation"])
    latest = store.latest_id()
    if latest is None:
        raise UsageError("--continue: there is no conversation yet; ask without -c first")
    return latest


def continued(store: Store, conversation_id: str, options: TurnOptions, model: Any) -> TurnOptions:
    import dataclasses

    from claudecli.turn.record import continued as with_history

    return with_history(store, conversation_id, dataclasses.replace(options, model=model))


def begin_recording(
    app: AppContext,
    store: Store | None,
    plan: TurnPlan,
    conversation_id: str | None,
    flags: dict[str, Any],
) -> Recording | None:
    """Commit the user turn before the request goes out (None: this turn is not recorded)."""
    if store is None or store.read_only or not records_turn(flags, plan.settings):
        return None
    from claudecli.conversations import StoreError, make_title
    from claudecli.turn.record import start_recording

    title = make_title(plan.spec.prompt or plan.spec.system or "")
    try:
        return start_recording(
            store, plan, conversation_id=conversation_id, profile=app.profile, title=title
        )
    except StoreError as error:
        app.warn(f"this turn is not recorded: {sanitize_line(str(error))}")
        return None


def run_turn(
    app: AppContext, flags: dict[str, Any], plan: TurnPlan, recording: Recording | None
) -> None:
    from claudecli.turn import start_turn

    renderer = make_output(app.environment, flags, plan)
    quiet = bool(flags["json_out"])
    with app.client(plan.settings, on_retry=renderer.on_retry) as client:
        renderer.start()
        turn = start_turn(client, plan, on_wait=renderer.flush, shows_nothing_until_the_end=quiet)
        try:
            show(
                turn, recording, renderer, app.environment.stdout if flags["stream_json"] else None
            )
        except BaseException as exc:
            renderer.abort("")  # the one-line error comes from the guard
            settle(app, recording, turn, exc)
            if quiet:
                partial_json(app, turn, exc, recording)
            raise
    settle(app, recording, turn, None)
    finish(app, flags, turn, renderer, recording)


def settle(
    app: AppContext, recording: Recording | None, turn: Turn, error: BaseException | None
) -> None:
    """The reply's final write (a second Ctrl-C waits for it); a store failure is a warning."""
    if recording is None:
        return
    from claudecli.cli.signals import shielded
    from claudecli.conversations import StoreError
    from claudecli.turn.record import settle as settle_reply

    try:
        with shielded():
            settle_reply(recording, turn, error)
    except StoreError as store_error:
        app.warn(f"the reply is not recorded: {sanitize_line(str(store_error))}")


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
    document = json_document(turn, error=reason, conversation_id=conversation_of(recording))
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


def show(
    turn: Turn, recording: Recording | None, renderer: Renderer, events_out: TextIO | None
) -> None:
    """Each event to the renderer (and, with --stream-json, as one JSON line to stdout), the
    reply written to the store as it streams."""
    import json

    from claudecli.turn.record import recorded

    for event in recorded(turn, recording):
        if events_out is not None:
            events_out.write(json.dumps(event.data, ensure_ascii=False) + "\n")
            events_out.flush()
        renderer.on_event(event)


def conversation_of(recording: Recording | None) -> str | None:
    return recording.conversation_id if recording is not None else None


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
        app.environment.stderr.write(f"claudecli: {sanitize_line(note)}\n")
    if flags["json_out"]:
        extras = json_document(turn, conversation_id=conversation_of(recording))
        document = json.dumps(extras, ensure_ascii=False, indent=2)
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
