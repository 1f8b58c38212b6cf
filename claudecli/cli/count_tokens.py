"""`claudecli count-tokens`: what a request would cost, before sending it.

It takes `ask`'s input options and builds the body with `ask`'s own spec builder
(`claudecli.turn.plan_turn`), so the count is for exactly what `ask` would send; the
request goes to `POST /v1/messages/count_tokens`, which takes no `max_tokens`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from claudecli.cli import options as o
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.output import format_table, out
from claudecli.client import JSON

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.client import Client, RetryNotice
    from claudecli.config import Settings
    from claudecli.request import RequestSpec

Job = tuple[str, JSON]  # (row name, count_tokens body)
MAX_WORKERS: Final = 4
TOTAL_NAME: Final = "total"

HELP = f"""Count the input tokens of a request (and estimate its cost) without sending it.

Takes the same input as `ask` (prompt words, piped stdin, -a files, system, prefill, cache
markers, thinking, model) and asks /v1/messages/count_tokens. With --each, every attachment
(and piped stdin) is also counted on its own, in a table with the whole request as the total.
Over the model's context window: a warning on stderr, exit 0.

{EXIT_CODES_HELP}
"""

Each = Annotated[
    bool,
    typer.Option("--each", help="Also count every attachment (and stdin) on its own."),
]
CountMaxTokens = Annotated[
    int | None,
    typer.Option("--max-tokens", min=1, help="Only checked (e.g. against a thinking budget)."),
]


@dataclass(frozen=True)
class Count:
    """One counted request: a row of `--each`, or the whole request."""

    name: str
    tokens: int | None = None
    error: Exception | None = None


@dataclass(frozen=True)
class Report:
    model: str
    window: int | None  # the model's context window, when known
    total: Count
    items: tuple[Count, ...] = ()


@guarded
@o.request_flags(
    without=(
        "show_thinking",
        "stop",
        "force",
        "role",
        "continue_",
        "conversation",
        "no_history",
        "no_color",
        "max_retries",
        "timeout",
    )
)
def count_tokens(
    ctx: typer.Context,
    prompt: o.Prompt = None,
    max_tokens: CountMaxTokens = None,
    json_out: o.Json = False,
    each: Each = False,
    **flags: Any,
) -> None:
    run_count(ctx.obj, o.all_flags(locals(), flags), each=each)


def register(app: typer.Typer) -> None:
    app.command("count-tokens", help=HELP)(count_tokens)


# --- orchestration --------------------------------------------------------------------------


def run_count(app: AppContext, flags: dict[str, Any], *, each: bool) -> None:
    """Build the bodies, count them, print the report, and exit non-zero if a count failed."""
    import dataclasses

    from claudecli.cli.options import setting_flags, turn_options
    from claudecli.cli.stdin import read_turn_input
    from claudecli.turn import plan_turn

    stdin = read_turn_input(app.environment, flags["prompt"], flags["attach"])
    resolved = app.resolve(setting_flags(flags))
    options = dataclasses.replace(turn_options(flags, stdin), force=True)  # it warns instead
    plan = plan_turn(options, resolved, today=app.today())
    for warning in plan.warnings:
        warn(warning)  # sanitized: a model's id and dates come from the API
    spec = plan.spec
    jobs = count_jobs(spec, each=each)
    with app.client(plan.settings, on_retry=show_retry) as client:
        window = context_window_for(client, plan.settings, spec.model)
        counts = count_each(client, jobs) if each else [count_one(client, jobs[0])]
    report = Report(spec.model, window, counts[-1], tuple(counts[:-1]))
    out(render_json(report) if flags["json_out"] else render_text(report, each=each))
    finish(report)


def count_jobs(spec: RequestSpec, *, each: bool) -> list[Job]:
    """The bodies to count: with `each`, one per stdin/attachment item; the whole request last."""
    from claudecli.request import build_count_tokens_body

    whole: Job = (TOTAL_NAME, build_count_tokens_body(spec))
    if not each:
        return [whole]
    items = item_specs(spec)
    if not items:
        from claudecli.errors import UsageError

        raise UsageError("--each: nothing to count on its own; attach files with -a or pipe one")
    return [(name, build_count_tokens_body(item)) for name, item in items] + [whole]


def item_specs(spec: RequestSpec) -> list[tuple[str, RequestSpec]]:
    """One spec per input item (stdin, then attachments): that item alone in a user turn."""
    import dataclasses

    bare = dataclasses.replace(
        spec,
        prompt=None,
        stdin=None,
        system=None,
        system_file=None,
        prefill=None,
        thinking=None,
        effort=None,
        schema=None,
        attachments=(),
        cache=frozenset(),
        show_thinking=False,
        history=(),
    )
    items: list[tuple[str, RequestSpec]] = []
    if spec.stdin and spec.stdin.strip():
        items.append(("stdin", dataclasses.replace(bare, stdin=spec.stdin)))
    items += [
        (item.label, dataclasses.replace(bare, attachments=(item,))) for item in spec.attachments
    ]
    return items


def context_window_for(client: Client, settings: Settings, model: str) -> int | None:
    """The model's context window from the models cache (fetched if needed); None if unknown."""
    from claudecli.client import ClaudeError
    from claudecli.errors import ClaudecliError
    from claudecli.models import context_window, find_model, load_models

    try:
        listing = load_models(lambda: client, source=settings.base_url)
    except (ClaudeError, ClaudecliError):
        return None  # the count still works; only the "% of" part is lost
    if listing.note:
        warn(listing.note)
    return context_window(find_model(listing.models, model))


def count_one(client: Client, job: Job) -> Count:
    """Count one body; errors propagate (single-request mode)."""
    name, body = job
    return Count(name, tokens=input_tokens(client.count_tokens(body)))


def count_each(client: Client, jobs: Sequence[Job]) -> list[Count]:
    """Count every body on a small thread pool, in order; a failure stays in its row."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(jobs)))
    try:
        return list(pool.map(lambda job: _count_safely(client, job), jobs))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _count_safely(client: Client, job: Job) -> Count:
    try:
        return count_one(client, job)
    except Exception as exc:  # reported in the row; the exit code reflects it at the end
        return Count(job[0], error=exc)


def input_tokens(response: JSON) -> int:
    value = response.get("input_tokens")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    from claudecli.client import ProtocolError

    raise ProtocolError("count_tokens answered without an input_tokens count")


# --- output ---------------------------------------------------------------------------------


def summary_line(tokens: int, model: str, window: int | None) -> str:
    """`12,345 input tokens · 6.2% of M's 200,000 · est. $0.0370 (batch $0.0185, cached read …)`."""
    from claudecli.pricing import cost_of_input, format_usd

    parts = [f"{tokens:,} input tokens"]
    if window:
        parts.append(f"{tokens / window:.1%} of {model}'s {window:,}")
    costs = cost_of_input(tokens, model)
    if costs is not None:
        parts.append(
            f"est. {format_usd(costs['standard'])} (batch {format_usd(costs['batch'])}, "
            f"cached read {format_usd(costs['cache_read'])})"
        )
    return " · ".join(parts)


def render_text(report: Report, *, each: bool) -> str:
    total = report.total
    if not each and total.tokens is not None:
        return summary_line(total.tokens, report.model, report.window)
    return each_table(report)


def each_table(report: Report) -> str:
    from claudecli.render.sanitize import sanitize

    rows = [table_row(count, report) for count in (*report.items, report.total)]
    headers = ["input", "tokens", _share_header(report.window), "est. cost"]
    if any(count.error is not None for count in (*report.items, report.total)):
        headers.append("error")
    rows = [[sanitize(cell) for cell in row[: len(headers)]] for row in rows]
    return format_table(headers, rows, right_aligned={1, 2, 3})


def _share_header(window: int | None) -> str:
    return f"% of {window:,}" if window else "% of context"


def table_row(count: Count, report: Report) -> list[str]:
    from claudecli.pricing import cost_of_input, format_usd

    if count.tokens is None:
        return [count.name, "-", "-", "-", describe_error(count.error)]
    share = f"{count.tokens / report.window:.1%}" if report.window else "-"
    costs = cost_of_input(count.tokens, report.model)
    cost = format_usd(costs["standard"]) if costs is not None else "-"
    return [count.name, f"{count.tokens:,}", share, cost, ""]


def render_json(report: Report) -> str:
    import json

    if not report.items:
        return json.dumps(json_count(report.total, report), indent=2)
    document = {
        "model": report.model,
        "context_window": report.window,
        "items": [json_item(count, report) for count in report.items],
        "total": json_item(report.total, report),
    }
    return json.dumps(document, indent=2)


def json_count(count: Count, report: Report) -> JSON:
    """`{"input_tokens", "model", "context_window", "cost_usd": {…} | null}`."""
    from claudecli.pricing import cost_of_input

    tokens = count.tokens or 0
    return {
        "input_tokens": count.tokens,
        "model": report.model,
        "context_window": report.window,
        "cost_usd": cost_of_input(tokens, report.model) if count.tokens is not None else None,
    }


def json_item(count: Count, report: Report) -> JSON:
    from claudecli.pricing import cost_of_input

    return {
        "name": count.name,
        "input_tokens": count.tokens,
        "cost_usd": cost_of_input(count.tokens, report.model) if count.tokens is not None else None,
        "error": json_error(count.error),
    }


def json_error(error: Exception | None) -> JSON | None:
    if error is None:
        return None
    return {
        "message": describe_error(error),
        "status": getattr(error, "status_code", None),
        "request_id": getattr(error, "request_id", None),
    }


def describe_error(error: Exception | None) -> str:
    from claudecli.cli.exits import error_line

    return error_line(error).removeprefix("claudecli: error: ") if error is not None else ""


def finish(report: Report) -> None:
    """Warn past the context window (exit 0); report failed rows and exit with the first's code."""
    from claudecli.cli.exits import exit_status

    total = report.total
    if total.tokens is not None and report.window and total.tokens > report.window:
        warn(
            f"{total.tokens:,} input tokens exceed {report.model}'s context window of "
            f"{report.window:,}; the API would reject this request"
        )
    failed = [count for count in (*report.items, total) if count.error is not None]
    for count in failed:
        sys.stderr.write(f"claudecli: error: {count.name}: {describe_error(count.error)}\n")
    if failed and failed[0].error is not None:
        raise typer.Exit(exit_status(failed[0].error))


# --- small I/O helpers ----------------------------------------------------------------------

_stderr_lock = threading.Lock()


def show_retry(notice: RetryNotice) -> None:
    """Print a retry notice on stderr (called from worker threads)."""
    from claudecli.render.notices import retry_text

    with _stderr_lock:
        sys.stderr.write(retry_text(notice) + "\n")
        sys.stderr.flush()


def warn(text: str) -> None:
    from claudecli.render.sanitize import sanitize

    with _stderr_lock:
        sys.stderr.write(f"claudecli: warning: {sanitize(text)}\n")
