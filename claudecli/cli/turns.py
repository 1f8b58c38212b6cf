"""The steps every command that runs a turn shares (`ask`, `chat`, `tools run`): the store to
record in or continue from, the plan, the renderer, the event loop and the final write.

Not a command: the commands' own files call these between reading their flags and printing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext, Environment
    from claudecli.config import ResolvedSettings, Settings
    from claudecli.conversations import Store
    from claudecli.render import Renderer
    from claudecli.turn import Turn, TurnOptions, TurnPlan
    from claudecli.turn.record import Recording


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
        env=environment.env,
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


def warn_all(app: AppContext, warnings: Sequence[str]) -> None:
    for warning in warnings:
        app.warn(sanitize_line(warning))


def sanitize_line(text: str) -> str:
    from claudecli.render.sanitize import sanitize

    return sanitize(text)
