"""`claudecli batch submit | status | results | collect | list | cancel | retry`.

Message Batches as a cron workflow (`claudecli.batches`): each command maps its flags to one
workflow call and prints what happened, one line per event on stderr (`--quiet`: errors only).
Nothing here reads the terminal or asks a question; a progress bar is drawn only on a terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from claudecli.cli import options as o
from claudecli.cli.exits import EXIT_CODES_HELP, ExitStatus
from claudecli.cli.guard import guarded
from claudecli.cli.history import open_store  # the same file: answers are recorded there

if TYPE_CHECKING:
    from claudecli.batches import BatchDB, Collected, SubmitReport, Tally
    from claudecli.batches.build import Kind
    from claudecli.cli.context import AppContext
    from claudecli.client import JSON, Client, RetryNotice
    from claudecli.config import ResolvedSettings
    from claudecli.conversations import Store

HELP = f"""Send many requests at half price with the Message Batches API, safely from cron.

`batch submit` is idempotent: a request (custom_id + params) the job already sent and that did
not fail is not sent again, so the same cron line can run every hour; `batch collect` writes
every ended batch's answers to the job's --out directory. Batch state lives in the conversation
store's SQLite file. Exit 8: a batch ended with errored, canceled or expired items.

{EXIT_CODES_HELP}
"""
SUBMIT_HELP = """Build every request, then send the new ones as one or more batches.

REQUESTS.jsonl lines in API shape ({"custom_id", "params"}); or --prompt TEXT FILE... (files,
directories, globs: one request per file, attached as with `ask -a`); or --template TEXT
--records DATA.jsonl ({field} filled from each record). Every request is built and checked
before anything is sent; --dry-run prints them as JSONL with the estimated cost."""
STATUS_HELP = """Status, counts per outcome, age and expiry of a batch, of a job's batches, or of
every batch not yet collected; --wait polls until they end (exit 124 after --timeout)."""
RESULTS_HELP = """Write a batch's answers to DIR/<name> (the source file's name plus .md, or .json
with --schema: checked against the schema, an invalid one goes to errors.jsonl), failures to
DIR/errors.jsonl; a rerun skips what is written. --jsonl prints the result lines instead."""
COLLECT_HELP = """For cron: every ended, not yet collected batch of the job (or of every job) gets
its answers written to the job's --out directory; prints one summary line. Each answer is also
recorded as a conversation (`history list`, `history usage` at the batch price, `ask -c`)."""
LIST_HELP = "The API's batches, newest first, with the job each belongs to."
CANCEL_HELP = "Ask the API to cancel a batch (requests not yet processed end `canceled`)."
RETRY_HELP = """Send again only the errored and expired requests of a batch (or of a job's
batches), rebuilt from the same inputs and flags."""
BATCH: Final = "Batch"
PROGRESS_WIDTH: Final = 24

batch_app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None)

Job = Annotated[
    str | None,
    typer.Option(
        "--job", metavar="NAME", help="The cron job these batches belong to.", rich_help_panel=BATCH
    ),
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Errors only on stderr.", rich_help_panel=BATCH)
]
BatchId = Annotated[str, typer.Argument(metavar="ID", help="A batch id (msgbatch_…).")]
OptionalId = Annotated[str | None, typer.Argument(metavar="[ID]", help="A batch id.")]
Out = Annotated[
    str | None,
    typer.Option("--out", metavar="DIR", help="Where the answers go.", rich_help_panel=BATCH),
]
MaxRetries = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        min=0,
        metavar="N",
        help="Retries on transient errors (default 2).",
        rich_help_panel=o.NETWORK,
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")


# --- submit -----------------------------------------------------------------------------------


@batch_app.command("submit", help=SUBMIT_HELP)
@guarded
@o.request_flags(
    without=(
        "show_thinking",
        "role",
        "continue_",
        "conversation",
        "no_history",
        "no_color",
        "timeout",
    )
)
def submit(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(metavar="REQUESTS.jsonl | FILE...", help="Requests, or the input files."),
    ] = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            "--prompt",
            "-p",
            metavar="TEXT",
            help="One request per FILE with this prompt.",
            rich_help_panel=o.INPUT,
        ),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            metavar="TEXT",
            help="One request per record: {field} placeholders.",
            rich_help_panel=o.INPUT,
        ),
    ] = None,
    records: Annotated[
        str | None,
        typer.Option(
            "--records",
            metavar="DATA.jsonl",
            help="The records for --template (JSON lines).",
            rich_help_panel=o.INPUT,
        ),
    ] = None,
    job: Job = None,
    out: Out = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Send every request, even those the job already sent (and any estimated over "
            "the context window).",
            rich_help_panel=BATCH,
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the requests as JSONL and the estimated cost; send nothing.",
            rich_help_panel=BATCH,
        ),
    ] = False,
    max_cost: Annotated[
        float | None,
        typer.Option(
            "--max-cost",
            min=0.0,
            metavar="USD",
            help="Refuse (exit 3) when the new requests may cost more (batch price, every "
            "answer at max_tokens).",
            rich_help_panel=BATCH,
        ),
    ] = None,
    quiet: Quiet = False,
    max_retries: MaxRetries = None,
    **flags: Any,
) -> None:
    run_submit(ctx.obj, o.all_flags(locals(), flags))


def run_submit(app: AppContext, flags: dict[str, Any]) -> None:
    """Flags -> a recipe -> the workflow's submit -> one summary line."""
    from claudecli.batches import SubmitPlan, out_dir_for

    recipe = make_recipe(flags)
    job = flags["job"] or recipe.default_job()
    resolved = app.resolve(o.setting_flags(flags))
    plan = SubmitPlan(
        recipe,
        job=job,
        out_dir=out_dir_for(job, flags["out"], cwd()),
        answer_ext=".json" if flags["schema"] else ".md",
        out_given=bool(flags["out"]),
        force=bool(flags["force"]),
        dry_run=bool(flags["dry_run"]),
        max_cost=flags["max_cost"],
    )
    report = send(app, plan, resolved, quiet=flags["quiet"])
    summarize_submit(app, report, dry_run=plan.dry_run, quiet=flags["quiet"])


def make_recipe(flags: dict[str, Any]) -> Any:
    """Which kind of input this is, checked: one usage error line when it is unclear."""
    import dataclasses
    import os

    from claudecli.batches import Recipe, options_json
    from claudecli.errors import UsageError

    inputs = list(flags["inputs"] or [])
    kind = input_kind(flags, inputs)
    if "-" in (flags["attach"] or ()):
        raise UsageError("--attach -: batch never reads stdin; attach a file")
    if kind == "jsonl" and (given := request_flags_given(flags)):
        raise UsageError(f"{given}: not used with REQUESTS.jsonl (each line has its params)")
    options = dataclasses.replace(o.turn_options(flags, None), force=bool(flags["force"]))
    paths = [flags["records"]] if kind == "records" else inputs
    text = flags["prompt"] if kind == "files" else flags["template"]
    absolute = tuple(os.path.abspath(path) for path in paths)
    return Recipe(kind, absolute, text, options_json(options), settings_of(flags))


def input_kind(flags: dict[str, Any], inputs: Sequence[str]) -> Kind:
    from claudecli.errors import UsageError

    if flags["template"] is not None or flags["records"] is not None:
        if flags["template"] is None or flags["records"] is None or flags["prompt"] is not None:
            raise UsageError("--template and --records go together (and without --prompt)")
        if inputs:
            raise UsageError(f"{inputs[0]}: no files with --records (one request per record)")
        return "records"
    if flags["prompt"] is not None:
        if not inputs:
            raise UsageError("--prompt: name the files, directories or globs to send")
        return "files"
    if len(inputs) != 1:
        raise UsageError(
            "give one REQUESTS.jsonl, or --prompt TEXT FILE..., or --template TEXT --records FILE"
        )
    return "jsonl"


_REQUEST_FLAGS: Final = (
    ("attach", "--attach"),
    ("system", "--system"),
    ("system_file", "--system-file"),
    ("prefill", "--prefill"),
    ("model", "--model"),
    ("max_tokens", "--max-tokens"),
    ("thinking", "--thinking"),
    ("effort", "--effort"),
    ("stop", "--stop"),
    ("schema", "--schema"),
    ("cache", "--cache"),
    ("cache_ttl", "--cache-ttl"),
    ("citations", "--citations"),
    ("beta", "--beta"),
)


def request_flags_given(flags: dict[str, Any]) -> str | None:
    return next((flag for name, flag in _REQUEST_FLAGS if flags.get(name)), None)


def settings_of(flags: dict[str, Any]) -> dict[str, Any]:
    """The setting flags worth recording with the recipe (a retry resolves them again)."""
    return {k: v for k, v in o.setting_flags(flags).items() if v is not None}


def cwd() -> Any:
    from pathlib import Path

    return Path.cwd()


def send(app: AppContext, plan: Any, resolved: ResolvedSettings, *, quiet: bool) -> SubmitReport:
    from claudecli.batches import Context, submit

    ctx = Context(
        resolved,
        app.today(),
        lambda: app.client(resolved.settings, on_retry=retry_notice(app)),
        events(app, quiet),
        fetch_info=None if plan.dry_run else memo(app.model_info_fetcher(resolved.settings)),
        dry_out=(lambda line: write_out(app, line)) if plan.dry_run else None,
    )
    if plan.dry_run and not store_exists(app):
        return submit(None, plan, ctx)  # a dry run creates no store
    with open_db(app) as db:
        return submit(db, plan, ctx)


def summarize_submit(app: AppContext, report: SubmitReport, *, dry_run: bool, quiet: bool) -> None:
    for warning in report.warnings:
        app.warn(sanitize(warning))
    say = events(app, quiet)
    cost = report.estimate.line(report.to_send)
    skipped = f"; {report.skipped:,} already sent by job {report.job}" if report.skipped else ""
    if dry_run:
        say(f"dry run: {cost}{skipped}; nothing was sent")
    elif not report.to_send:
        say(f"nothing to submit: all {report.built:,} requests already sent by job {report.job}")
    else:
        batches = ", ".join(report.batch_ids)
        say(f"job {report.job}: sent {cost} in {batches}{skipped}")


# --- status ------------------------------------------------------------------------------------


@batch_app.command("status", help=STATUS_HELP)
@guarded
def status(
    ctx: typer.Context,
    batch_id: OptionalId = None,
    job: Job = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Poll until every batch ended.", rich_help_panel=BATCH)
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            click_type=o.POSITIVE_SECONDS,
            metavar="SECONDS",
            help="With --wait: give up (exit 124) after this long.",
            rich_help_panel=BATCH,
        ),
    ] = None,
    quiet: Quiet = False,
    json_out: o.Json = False,
) -> None:
    from claudecli.batches import Poll, all_ended, wait_ended

    app: AppContext = ctx.obj
    with open_db(app) as db, api(app) as client:
        fetch = status_fetcher(db, client, batch_id, job)
        if wait:
            show = progress(app, quiet)
            poll = Poll(timeout=timeout)
            batches = wait_ended(
                fetch, poll, sleep=time.sleep, clock=time.monotonic, on_change=show
            )
        else:
            batches = fetch()
    report_status(app, batches, json_out=json_out)
    if all_ended(batches) and batches:
        exit_for_failures(app, sum_counts(batches))


def status_fetcher(
    db: BatchDB, client: Client, batch_id: str | None, job: str | None
) -> Callable[[], list[JSON]]:
    """What `status` follows: one batch, a job's batches, or every one not yet collected."""
    from claudecli.batches import refresh

    if batch_id is not None:
        sub = db.by_batch_id(batch_id)
        return lambda: [refresh(db, client, batch_id, sub)]
    subs = db.submissions(job) if job else [s for s in db.submissions() if s.collected is None]
    if job and not subs:
        raise_unknown_job(db, job)
    return lambda: [refresh(db, client, s.batch_id or "", s) for s in subs]


def raise_unknown_job(db: BatchDB, job: str) -> None:
    from claudecli.errors import UsageError

    names = ", ".join(j.name for j in db.jobs()) or "none yet"
    raise UsageError(f"--job {job}: no batches for this job (jobs: {names})")


def report_status(app: AppContext, batches: list[JSON], *, json_out: bool) -> None:
    import json

    if json_out:
        write_out(app, json.dumps(batches, indent=2, ensure_ascii=False))
        return
    if not batches:
        note(app, "no batches in progress")
        return
    from claudecli.cli.output import format_table

    rows = [status_row(batch, app.environment.clock().timestamp()) for batch in batches]
    headers = ("id", "status", "succeeded", "errored", "canceled", "expired", "processing")
    write_out(
        app, format_table((*headers, "age", "expires in"), rows, right_aligned={2, 3, 4, 5, 6})
    )


def status_row(batch: JSON, now: float) -> list[str]:
    from claudecli.batches.reconcile import created_epoch

    counts = batch.get("request_counts") or {}
    kinds = ("succeeded", "errored", "canceled", "expired", "processing")
    created = created_epoch(batch) or now
    expires = created + 86_400
    ended = batch.get("processing_status") == "ended"
    return [
        str(batch.get("id")),
        str(batch.get("processing_status")),
        *(f"{int(counts.get(kind) or 0):,}" for kind in kinds),
        duration(now - created),
        "-" if ended else duration(expires - now),
    ]


def duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def sum_counts(batches: list[JSON]) -> dict[str, int]:
    total: dict[str, int] = {}
    for batch in batches:
        for kind, count in (batch.get("request_counts") or {}).items():
            total[kind] = total.get(kind, 0) + int(count or 0)
    return total


def progress(app: AppContext, quiet: bool) -> Callable[[list[JSON]], None]:
    """--wait: a bar redrawn in place on a terminal; otherwise one line per change."""
    env = app.environment
    if quiet:
        return lambda batches: None
    if env.stderr_isatty:
        return lambda batches: draw_bar(app, batches)
    return lambda batches: note(app, change_line(batches))


def change_line(batches: list[JSON]) -> str:
    counts = sum_counts(batches)
    states = sorted({str(b.get("processing_status")) for b in batches})
    done = sum(v for k, v in counts.items() if k != "processing")
    return f"{len(batches)} batch(es) {'/'.join(states)}: {done:,} of {sum(counts.values()):,} done"


def draw_bar(app: AppContext, batches: list[JSON]) -> None:
    counts = sum_counts(batches)
    total = sum(counts.values()) or 1
    done = total - counts.get("processing", 0)
    filled = PROGRESS_WIDTH * done // total
    bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
    end = "\n" if all(b.get("processing_status") == "ended" for b in batches) else ""
    app.environment.stderr.write(f"\r[{bar}] {change_line(batches)}\x1b[K{end}")
    app.environment.stderr.flush()


def exit_for_failures(app: AppContext, counts: dict[str, int]) -> None:
    """Exit 8 when items errored, were canceled or expired (their counts on stderr)."""
    failed = {k: counts.get(k, 0) for k in ("errored", "canceled", "expired") if counts.get(k)}
    if not failed:
        return
    text = ", ".join(f"{n:,} {kind}" for kind, n in failed.items())
    app.environment.stderr.write(f"claudecli: ended with {text}\n")
    raise typer.Exit(ExitStatus.BAD_ANSWER)


# --- results and collect ---------------------------------------------------------------------


@batch_app.command("results", help=RESULTS_HELP)
@guarded
def results(
    ctx: typer.Context,
    batch_id: BatchId,
    out: Out = None,
    jsonl: Annotated[
        bool,
        typer.Option("--jsonl", help="Print the result lines on stdout.", rich_help_panel=BATCH),
    ] = False,
    quiet: Quiet = False,
) -> None:
    from claudecli.batches import raw_lines

    app: AppContext = ctx.obj
    if jsonl and out:
        from claudecli.errors import UsageError

        raise UsageError("--jsonl prints the results; --out writes them: choose one")
    with open_db(app) as db, open_store(app) as store, api(app) as client:
        ensure_ended(client, batch_id)
        if jsonl:
            outcomes = raw_lines(client.iter_batch_results(batch_id), app.environment.stdout.write)
            exit_for_failures(app, dict(outcomes))
            return
        tally = write_batch(app, db, client, batch_id, out, store)
    summarize_tally(app, tally, batch_id, quiet=quiet)


def ensure_ended(client: Client, batch_id: str) -> None:
    from claudecli.errors import UsageError

    batch = client.get_batch(batch_id)
    if batch.get("processing_status") != "ended":
        raise UsageError(
            f"batch {batch_id} is {batch.get('processing_status')}: its results come when it "
            "ends (`claudecli batch status --wait`)"
        )


def write_batch(
    app: AppContext, db: BatchDB, client: Client, batch_id: str, out: str | None, store: Store
) -> Tally:
    from claudecli.batches import write_results

    sub = db.by_batch_id(batch_id)
    job = db.job(sub.job) if sub is not None else None
    out_dir = out or (job.out_dir if job is not None else None)
    if out_dir is None:
        from claudecli.errors import UsageError

        raise UsageError(f"--out: batch {batch_id} was not sent by a job here; say where to write")
    return write_results(
        client.iter_batch_results(batch_id),
        db=db,
        submission=sub,
        batch_id=batch_id,
        out_dir=str(absolute(out_dir)),
        answer_ext=job.answer_ext if job is not None else ".md",
        store=store,
    )


def absolute(path: str) -> Any:
    from pathlib import Path

    return Path(path).expanduser().resolve()


def summarize_tally(app: AppContext, tally: Tally, what: str, *, quiet: bool) -> None:
    from claudecli.pricing import format_usd

    failed = ", ".join(f"{n:,} {k}" for k, n in sorted(tally.outcomes.items()) if k != "succeeded")
    if tally.invalid:
        failed += f" ({tally.invalid:,} not valid under the --schema)"
    done = f"; {tally.skipped:,} already written before" if tally.skipped else ""
    cost = f" · {format_usd(tally.cost_usd)} at the batch price" if tally.written else ""
    events(app, quiet)(
        f"{what}: {tally.written:,} answers written{', ' + failed if failed else ''}{done}{cost}"
    )
    exit_for_failures(app, dict(tally.outcomes))


@batch_app.command("collect", help=COLLECT_HELP)
@guarded
def collect(ctx: typer.Context, job: Job = None, quiet: Quiet = False) -> None:
    from claudecli.batches import Collected, collect_job

    app: AppContext = ctx.obj
    total = Collected()
    with open_db(app) as db, open_store(app) as store, api(app) as client:
        jobs = [db.job(job)] if job else db.jobs()
        if job and jobs[0] is None:
            raise_unknown_job(db, job)
        for each in jobs:
            assert each is not None
            merge(total, collect_job(db, client, each, store=store))
    summarize_collect(app, total, job, quiet=quiet)


def merge(total: Collected, one: Collected) -> None:
    total.tally.add(one.tally)
    total.batches += one.batches
    total.running += one.running


def summarize_collect(app: AppContext, done: Collected, job: str | None, *, quiet: bool) -> None:
    which = f"job {job}" if job else "every job"
    running = f"; {done.running} still running" if done.running else ""
    if not done.batches:
        events(app, quiet)(f"{which}: nothing to collect{running}")
        return
    summarize_tally(
        app, done.tally, f"{which}: collected {done.batches} batch(es){running}", quiet=quiet
    )


# --- list, cancel, retry ----------------------------------------------------------------------


@batch_app.command("list", help=LIST_HELP)
@guarded
def list_batches(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, metavar="N")] = 20,
    json_out: o.Json = False,
) -> None:
    import itertools
    import json

    from claudecli.cli.output import format_table

    app: AppContext = ctx.obj
    with open_db(app) as db, api(app) as client:
        batches = list(itertools.islice(client.iter_batches(page_size=limit), limit))
        jobs = {b["id"]: sub.job for b in batches if (sub := db.by_batch_id(b["id"]))}
    if json_out:
        write_out(app, json.dumps(batches, indent=2, ensure_ascii=False))
        return
    now = app.environment.clock().timestamp()
    rows = [
        [*status_row(b, now)[:2], str(sum(sum_counts([b]).values())), jobs.get(b["id"], "-")]
        for b in batches
    ]
    write_out(app, format_table(("id", "status", "requests", "job"), rows, right_aligned={2}))


@batch_app.command("cancel", help=CANCEL_HELP)
@guarded
def cancel(ctx: typer.Context, batch_id: BatchId, quiet: Quiet = False) -> None:
    app: AppContext = ctx.obj
    with api(app) as client:
        batch = client.cancel_batch(batch_id)
    events(app, quiet)(f"batch {batch_id}: {batch.get('processing_status')}")


@batch_app.command("retry", help=RETRY_HELP)
@guarded
def retry(
    ctx: typer.Context,
    batch_id: OptionalId = None,
    job: Job = None,
    quiet: Quiet = False,
) -> None:
    from claudecli.batches import retry_groups

    app: AppContext = ctx.obj
    with open_db(app) as db:
        subs = retry_targets(db, batch_id, job)
        with open_store(app) as store, api(app) as client:
            groups = retry_groups(db, client, subs, events(app, quiet), store=store)
        if not groups:
            events(app, quiet)("nothing to retry: no errored or expired requests")
            return
        for sub, recipe, ids in groups:
            resend(app, db, sub, recipe, ids, quiet=quiet)


def retry_targets(db: BatchDB, batch_id: str | None, job: str | None) -> list[Any]:
    from claudecli.errors import UsageError

    if (batch_id is None) == (job is None):
        raise UsageError("name a batch ID or --job NAME (one of them)")
    if job is not None:
        subs = db.submissions(job)
        if not subs:
            raise_unknown_job(db, job)
        return subs
    sub = db.by_batch_id(batch_id or "")
    if sub is None:
        raise UsageError(f"batch {batch_id} was not sent by a job here; nothing to rebuild it from")
    return [sub]


def resend(
    app: AppContext, db: BatchDB, sub: Any, recipe: Any, ids: frozenset[str], *, quiet: bool
) -> None:
    from claudecli.batches import Context, SubmitPlan, submit

    job = db.job(sub.job)
    assert job is not None
    resolved = app.resolve(recipe.settings)
    plan = SubmitPlan(recipe, job=sub.job, out_dir=job.out_dir, answer_ext=job.answer_ext, only=ids)
    ctx = Context(
        resolved,
        app.today(),
        lambda: app.client(resolved.settings, on_retry=retry_notice(app)),
        events(app, quiet),
    )
    report = submit(db, plan, ctx)
    events(app, quiet)(
        f"batch {sub.batch_id}: {report.to_send} of {len(ids)} errored or expired requests sent "
        f"again in {', '.join(report.batch_ids) or 'nothing'}"
    )


# --- shared -------------------------------------------------------------------------------------


def store_exists(app: AppContext) -> bool:
    from claudecli.conversations import store_path

    return store_path(app.env).exists()


def open_db(app: AppContext) -> BatchDB:
    from claudecli.batches import BatchDB
    from claudecli.conversations import store_path

    clock = app.environment.clock
    return BatchDB.open(store_path(app.env), clock=lambda: clock().timestamp())


def api(app: AppContext) -> Client:
    settings = app.settings(None)
    return app.client(settings, on_retry=retry_notice(app))


def retry_notice(app: AppContext) -> Callable[[RetryNotice], None]:
    def show(notice: RetryNotice) -> None:
        from claudecli.render.notices import retry_text

        app.environment.stderr.write(retry_text(notice) + "\n")
        app.environment.stderr.flush()

    return show


def events(app: AppContext, quiet: bool) -> Callable[[str], None]:
    """One `claudecli: …` line per event on stderr (nothing with --quiet)."""
    if quiet:
        return lambda text: None
    return lambda text: note(app, text)


def note(app: AppContext, text: str) -> None:
    app.environment.stderr.write(f"claudecli: {sanitize(text)}\n")
    app.environment.stderr.flush()


def write_out(app: AppContext, text: str) -> None:
    app.environment.stdout.write(text + "\n")
    app.environment.stdout.flush()


def sanitize(text: str) -> str:
    from claudecli.render.sanitize import visible

    return visible(text, keep_newlines=False)


def memo(fetch: Callable[[str], Any]) -> Callable[[str], Any]:
    """One models-list lookup per model for the whole submission."""
    import functools

    return functools.cache(fetch)
