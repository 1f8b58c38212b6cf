"""`submit`: build every request, skip what the job already sent, record, then POST.

Order, so that nothing is ever sent twice and nothing is sent half-checked:

1. take the job's lock (a second run waits briefly, then refuses);
2. reconcile pending submissions with the API's batch list (`reconcile`);
3. build and check every request (the turn engine), spooling the new ones to a temp file;
4. refuse above `--max-cost`;
5. per part (<= 100,000 requests, <= 256 MB): record it `pending` with its items, POST the
   body streamed from the spool, record the batch id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from claudecli.errors import InputError

from .build import Builder, Built, FetchInfo, Recipe
from .cost import Estimate
from .db import BatchDB
from .errors import BatchBusyError
from .naming import params_hash
from .spool import MAX_BATCH_BYTES, MAX_BATCH_REQUESTS, Part, Spool

if TYPE_CHECKING:
    from claudecli.client import Client
    from claudecli.config import ResolvedSettings

__all__ = ["LOCK_LEASE", "SubmitPlan", "SubmitReport", "submit"]

LOCK_LEASE: Final = 3600.0  # a run that dies keeps the job for at most this long (pid checked)
Events = Callable[[str], None]


@dataclass(frozen=True)
class SubmitPlan:
    recipe: Recipe
    job: str
    out_dir: str  # absolute
    answer_ext: str = ".md"
    out_given: bool = True  # False: a job that exists keeps its own out directory
    force: bool = False  # send even what the job already sent
    dry_run: bool = False
    max_cost: float | None = None
    only: frozenset[str] | None = None  # a retry: just these custom_ids
    lock_wait: float = 5.0
    max_requests: int = MAX_BATCH_REQUESTS
    max_bytes: int = MAX_BATCH_BYTES


@dataclass
class SubmitReport:
    job: str
    built: int = 0
    skipped: int = 0  # already sent by this job and not failed
    batch_ids: list[str] = field(default_factory=list)
    estimate: Estimate = field(default_factory=Estimate)
    warnings: list[str] = field(default_factory=list)

    @property
    def to_send(self) -> int:
        return self.built - self.skipped


@dataclass(frozen=True)
class Context:
    """What a submission needs from outside: settings, the clock, a client, output."""

    resolved: ResolvedSettings | None
    today: date
    client: Callable[[], Client]
    on_event: Events
    fetch_info: FetchInfo | None = None
    dry_out: Events | None = None  # --dry-run: one JSONL line per request


def submit(db: BatchDB | None, plan: SubmitPlan, ctx: Context) -> SubmitReport:
    """Submit (or, with `dry_run`, show) the plan's requests; see the module docstring."""
    if plan.dry_run or db is None:
        with Spool(max_requests=plan.max_requests, max_bytes=plan.max_bytes) as spool:
            return _build(db, plan, ctx, spool)[0]
    with job_lock(db, plan.job, wait=plan.lock_wait), ctx.client() as client:
        from .reconcile import reconcile

        reconcile(db, client.iter_batches, plan.job, on_event=ctx.on_event)
        existing = db.job(plan.job)
        keep = existing is not None and not plan.out_given
        out_dir = existing.out_dir if keep and existing else plan.out_dir
        db.ensure_job(plan.job, out_dir=out_dir, answer_ext=plan.answer_ext)
        with Spool(max_requests=plan.max_requests, max_bytes=plan.max_bytes) as spool:
            report, builder = _build(db, plan, ctx, spool)
            if report.to_send:
                db.add_sources(plan.job, builder.new_sources)
                _send(db, client, plan, spool, report, ctx.on_event)
    return report


@contextmanager
def job_lock(db: BatchDB, job: str, *, wait: float, poll: float = 0.2) -> Iterator[None]:
    """Hold the job's lock; another live holder past `wait` seconds is a BatchBusyError."""
    deadline = time.monotonic() + wait
    while (holder := db.try_lock(job, lease=LOCK_LEASE)) is not None:
        if time.monotonic() >= deadline:
            raise BatchBusyError(
                f"job {job}: another claudecli batch run (pid {holder}) is working on it; "
                "nothing was sent: it will finish the job, or run again later"
            )
        time.sleep(poll)
    try:
        yield
    finally:
        db.unlock(job)


def _build(
    db: BatchDB | None, plan: SubmitPlan, ctx: Context, spool: Spool
) -> tuple[SubmitReport, Builder]:
    """Build every request; spool the ones to send. Raises before anything is sent."""
    from claudecli.request import encode_body

    known = db.sources(plan.job) if db is not None else {}
    live = db.live_keys(plan.job) if db is not None and not plan.force else set()
    builder = Builder(
        plan.recipe,
        ctx.resolved,
        today=ctx.today,
        answer_ext=plan.answer_ext,
        known_sources=known,
        fetch_info=ctx.fetch_info,
    )
    report = SubmitReport(plan.job)
    for built in builder.requests(plan.only):
        report.built += 1
        digest = params_hash(built.params)
        if (built.custom_id, digest) in live:
            report.skipped += 1
            continue
        line = encode_body({"custom_id": built.custom_id, "params": built.params})
        spool.add(built, line, digest)
        report.estimate.add(built.model, built.input_tokens, built.max_tokens)
        _show(ctx.dry_out, built)
    report.warnings = list(builder.warnings)
    check_cost(plan.max_cost, report)
    return report, builder


def _show(dry_out: Events | None, built: Built) -> None:
    if dry_out is None:
        return
    from claudecli.request import redact_for_display

    line = {"custom_id": built.custom_id, "params": redact_for_display(built.params)}
    dry_out(json.dumps(line, ensure_ascii=False))


def check_cost(limit: float | None, report: SubmitReport) -> None:
    """--max-cost: refuse (exit 3) when the most the new requests can cost is above it."""
    if limit is None or not report.to_send:
        return
    from claudecli.pricing import format_usd

    most = report.estimate.most_usd()
    if most is None:
        unknown = ", ".join(report.estimate.unknown_models())
        raise InputError(f"--max-cost: no price is known for {unknown}; nothing was sent")
    if most > limit:
        raise InputError(
            f"--max-cost {format_usd(limit)}: {report.to_send:,} requests may cost up to "
            f"{format_usd(most)} at the batch price (every answer at max_tokens); nothing was "
            "sent (lower --max-tokens, or raise --max-cost)"
        )


def _send(
    db: BatchDB, client: Client, plan: SubmitPlan, spool: Spool, report: SubmitReport, on: Events
) -> None:
    recipe = plan.recipe.as_json()
    for number, part in enumerate(spool.parts, start=1):
        sid = db.begin_submission(
            plan.job,
            part=number,
            items=part.items,
            body_bytes=part.size,
            body_sha256=part.sha256,
            recipe=recipe,
            lines=spool.line,
        )
        batch = _post(db, client, spool, part, sid)
        db.confirm(sid, batch)
        report.batch_ids.append(str(batch["id"]))
        of = f" (part {number} of {len(spool.parts)})" if len(spool.parts) > 1 else ""
        count = len(part.items)
        plural = "s" if count != 1 else ""
        on(f"submitted batch {batch['id']}{of}: {count:,} request{plural}, job {plan.job}")


def _post(db: BatchDB, client: Client, spool: Spool, part: Part, sid: int) -> dict[str, object]:
    """The POST; an error answer means no batch was made (the record is dropped), while a lost
    connection leaves it pending for the next run to reconcile."""
    from claudecli.client import APIStatusError

    try:
        return client.create_batch_streamed(spool.body(part), size=part.size)
    except APIStatusError:
        db.abandon(sid)
        raise


def out_dir_for(job: str, out: str | None, cwd: Path) -> str:
    """--out, else `<cwd>/batch-<job>`; absolute (cron runs elsewhere later)."""
    return str((Path(out) if out else cwd / f"batch-{job}").resolve())
