"""`collect` (every ended, not yet collected batch of a job, to the job's out directory) and
what `retry` resubmits (the errored and expired requests, with the recipe that made them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .build import Recipe
from .db import BatchDB
from .follow import refresh
from .records import RESENDABLE, Job, Submission
from .results import Tally, write_results
from .submit import job_lock

if TYPE_CHECKING:
    from claudecli.client import Client
    from claudecli.conversations import Store

__all__ = ["Collected", "collect_job", "collect_submission", "retry_groups"]

Events = Callable[[str], None]


@dataclass
class Collected:
    tally: Tally = field(default_factory=Tally)
    batches: int = 0  # collected now
    running: int = 0  # not ended yet


def collect_submission(
    db: BatchDB, client: Client, job: Job, sub: Submission, *, store: Store | None = None
) -> Tally | None:
    """Write one batch's results to its job's out directory, its answers to `store` as
    conversations (None: it has not ended)."""
    assert sub.batch_id is not None
    batch = refresh(db, client, sub.batch_id, sub)
    if batch.get("processing_status") != "ended":
        return None
    return write_results(
        client.iter_batch_results(sub.batch_id),
        db=db,
        submission=sub,
        batch_id=sub.batch_id,
        out_dir=job.out_dir,
        answer_ext=job.answer_ext,
        store=store,
    )


def collect_job(
    db: BatchDB, client: Client, job: Job, *, store: Store | None = None, lock_wait: float = 5.0
) -> Collected:
    """Every ended, not yet collected batch of `job`; idempotent (holds the job's lock)."""
    done = Collected()
    with job_lock(db, job.name, wait=lock_wait):
        for sub in db.submissions(job.name):
            if sub.collected is not None:
                continue
            tally = collect_submission(db, client, job, sub, store=store)
            if tally is None:
                done.running += 1
                continue
            done.tally.add(tally)
            done.batches += 1
    return done


def retry_groups(
    db: BatchDB,
    client: Client,
    subs: list[Submission],
    on_event: Events,
    *,
    store: Store | None = None,
) -> list[tuple[Submission, Recipe, frozenset[str]]]:
    """For each ended batch (collected first if need be): its recipe and the custom_ids of its
    errored and expired requests; batches still running are named and skipped."""
    groups: list[tuple[Submission, Recipe, frozenset[str]]] = []
    for sub in subs:
        job = db.job(sub.job)
        if job is None or sub.batch_id is None:
            continue
        collected = sub.collected is not None
        if not collected and collect_submission(db, client, job, sub, store=store) is None:
            on_event(f"batch {sub.batch_id} has not ended yet; nothing to retry in it")
            continue
        failed = frozenset(db.failed_ids(sub.id, RESENDABLE))
        if failed:
            groups.append((sub, Recipe.of_json(sub.recipe), failed))
    return groups
