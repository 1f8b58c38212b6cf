"""`claudecli history list | show | export | rm | search | usage | prune`: the conversation store.

Every command opens the store (`claudecli.conversations`), asks it one thing and renders the
answer with `claudecli.render.history_view`. Results go to the injected stdout, the footer and
notices to stderr. A broken store is one line and exit 3; an unknown or ambiguous id exit 2.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.conversations import Store

HELP = f"""Browse, search, export and prune the recorded conversations, and see what they cost.

`ask` records every turn in one SQLite file in the data directory (`claudecli history list`
shows its size). IDs can be shortened to any unique prefix.

{EXIT_CODES_HELP}
"""
LIST_HELP = """Conversations, most recently updated first: id, title, model, user turns, tokens,
cost, last update (UTC). The footer on stderr gives the store's size and path."""
SHOW_HELP = """The transcript: your turns quoted with `> `, each answer rendered as it was shown
live (plain text when piped). --json prints the messages in API shape."""
EXPORT_HELP = "Print a conversation as Markdown or as JSON lines (one turn per line)."
RM_HELP = """Delete a conversation and the attachments no other conversation uses. Asks first on a
terminal; --yes skips the question (required when stdin is not a terminal)."""
SEARCH_HELP = """Full-text search over every turn (all words must occur); one line per
conversation: id, title, the matching passage."""
USAGE_HELP = """Tokens and cost per day (UTC) and per model, with what the prompt cache saved; a
bar chart of cost per day on a terminal."""
PRUNE_HELP = """Delete the conversations not updated for DAYS days (only --conversation ID, if
given) and the attachments nothing else uses; the file shrinks. Asks first unless --yes."""

history_app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Conversation id or a unique prefix.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def register(app: typer.Typer) -> None:
    app.add_typer(history_app, name="history")


def open_store(app: AppContext) -> Store:
    from claudecli.conversations import Store, store_path

    clock = app.environment.clock
    return Store.open(store_path(app.env), clock=lambda: clock().timestamp())


def write(app: AppContext, text: str) -> None:
    stream = app.environment.stdout
    stream.write(text)
    stream.flush()


def note(app: AppContext, text: str) -> None:
    from claudecli.render.sanitize import visible

    app.environment.stderr.write(f"claudecli: {visible(text, keep_newlines=False)}\n")


def dumps(document: object) -> str:
    import json

    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- list -------------------------------------------------------------------------------------


@history_app.command("list", help=LIST_HELP)
@guarded
def list_conversations(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, metavar="N", help="At most N (0: all).")
    ] = 20,
    json_out: JsonOpt = False,
) -> None:
    from dataclasses import asdict

    from claudecli.render.history_view import format_size, list_table

    app: AppContext = ctx.obj
    with open_store(app) as store:
        rows = store.list_conversations(limit=limit or None)
        total, size, path = store.count_conversations(), store.size_bytes(), store.path
    if json_out:
        write(app, dumps([asdict(row) for row in rows]))
    else:
        write(app, list_table(rows, aligned=app.environment.stdout_isatty))
    note(app, f"{len(rows)} of {total} conversations · store {format_size(size)} ({path})")


# --- show and export ----------------------------------------------------------------------


@history_app.command("show", help=SHOW_HELP)
@guarded
def show(ctx: typer.Context, conversation: IdArg, json_out: JsonOpt = False) -> None:
    from claudecli.render import make_renderer
    from claudecli.render.history_view import show_transcript

    app: AppContext = ctx.obj
    with open_store(app) as store:
        conv_id = store.resolve_id(conversation)
        info, turns = store.conversation(conv_id), store.messages(conv_id)
    if json_out:
        write(app, dumps([{"role": turn.role, "content": turn.content} for turn in turns]))
        return
    env = app.environment
    note(app, f"{info.id} · {info.title} · {info.model or '-'} · {len(turns)} messages")
    renderer = make_renderer(
        stdout=env.stdout,
        stderr=env.stderr,
        stdout_isatty=env.stdout_isatty,
        stderr_isatty=False,  # no spinner: nothing is awaited
        env=env.env,
    )
    show_transcript(turns, renderer, env.stdout)


@history_app.command("export", help=EXPORT_HELP)
@guarded
def export(
    ctx: typer.Context,
    conversation: IdArg,
    format_: Annotated[
        Literal["markdown", "jsonl"],
        typer.Option("--format", "-f", metavar="markdown|jsonl", help="Output format."),
    ] = "markdown",
) -> None:
    from claudecli.render.history_view import jsonl_export, markdown_export, when

    app: AppContext = ctx.obj
    with open_store(app) as store:
        conv_id = store.resolve_id(conversation)
        info, turns = store.conversation(conv_id), store.messages(conv_id)
    if format_ == "jsonl":
        write(app, jsonl_export(turns))
        return
    meta = [("id", info.id), ("model", info.model or "-"), ("created", when(info.created) + " UTC")]
    meta += [("system", info.system)] if info.system else []
    write(app, markdown_export(info.title, meta, turns))


# --- rm and prune -----------------------------------------------------------------------------


def confirm(app: AppContext, question: str, *, yes: bool) -> bool:
    """--yes, else a y/N answer on a terminal; without a terminal it is a usage error."""
    from claudecli.errors import UsageError

    if yes:
        return True
    env = app.environment
    if not env.stdin_isatty or env.stdin is None:
        raise UsageError("stdin is not a terminal: add --yes to confirm")
    env.stderr.write(f"{question} [y/N] ")
    env.stderr.flush()
    answer = env.stdin.readline().decode("utf-8", "replace").strip().lower()
    return answer in ("y", "yes")


@history_app.command("rm", help=RM_HELP)
@guarded
def remove(ctx: typer.Context, conversation: IdArg, yes: YesOpt = False) -> None:
    app: AppContext = ctx.obj
    with open_store(app) as store:
        conv_id = store.resolve_id(conversation)
        title = store.conversation(conv_id).title
        if not confirm(app, f"delete conversation {conv_id} ({title!r})?", yes=yes):
            note(app, "nothing deleted")
            return
        store.delete_conversation(conv_id)
    note(app, f"deleted {conv_id}")


@history_app.command("prune", help=PRUNE_HELP)
@guarded
def prune(
    ctx: typer.Context,
    older_than: Annotated[
        float,
        typer.Option("--older-than", min=0, metavar="DAYS", help="Not updated for DAYS days."),
    ],
    conversation: Annotated[
        str | None, typer.Option("--conversation", metavar="ID", help="Only this conversation.")
    ] = None,
    yes: YesOpt = False,
) -> None:
    from claudecli.render.history_view import format_size

    app: AppContext = ctx.obj
    with open_store(app) as store:
        conv_id = store.resolve_id(conversation) if conversation else None
        count = store.count_older(older_than_days=older_than, conversation=conv_id)
        if count == 0:
            note(app, f"no conversation was last updated more than {older_than:g} days ago")
            return
        if not confirm(
            app, f"delete {count} conversation(s) not updated for {older_than:g} days?", yes=yes
        ):
            note(app, "nothing deleted")
            return
        done = store.prune(older_than_days=older_than, conversation=conv_id)
    freed = format_size(max(done.bytes_before - done.bytes_after, 0))
    counts = f"{done.conversations} conversation(s), {done.messages} message(s)"
    note(app, f"deleted {counts}, {done.blobs} attachment(s); freed {freed}")


# --- search -------------------------------------------------------------------------------------


@history_app.command("search", help=SEARCH_HELP)
@guarded
def search(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to find.")],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="N", help="At most N.")
    ] = 20,
    json_out: JsonOpt = False,
) -> None:
    from dataclasses import asdict

    from claudecli.render.history_view import search_table

    app: AppContext = ctx.obj
    with open_store(app) as store:
        hits = store.search(text, limit=limit)
        if not store.has_fts:
            note(app, "this SQLite has no FTS5: a plain substring match was used")
    if json_out:
        write(app, dumps([asdict(hit) for hit in hits]))
    elif hits:
        write(app, search_table(hits, aligned=app.environment.stdout_isatty))
    else:
        note(app, f"no conversation contains {text!r}")


# --- usage ------------------------------------------------------------------------------------


@history_app.command("usage", help=USAGE_HELP)
@guarded
def usage(
    ctx: typer.Context,
    days: Annotated[
        int, typer.Option("--days", "-d", min=1, metavar="N", help="The last N days (UTC).")
    ] = 30,
    json_out: JsonOpt = False,
) -> None:
    from claudecli.render.history_view import usage_report

    app: AppContext = ctx.obj
    today = app.today()
    span = [(today - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]
    with open_store(app) as store:
        rows = store.usage(since_day=span[0])
    if json_out:
        write(app, dumps(usage_json(rows, span)))
    else:
        write(app, usage_report(rows, span, chart=app.environment.stdout_isatty))


def usage_json(rows: list[Any], span: list[str]) -> dict[str, Any]:
    from dataclasses import asdict

    records = [asdict(row) for row in rows]
    numbers = [key for key in records[0] if key not in ("day", "model")] if records else []
    total = {key: sum(record[key] for record in records) for key in numbers}
    return {"since": span[0], "until": span[-1], "rows": records, "total": total}
