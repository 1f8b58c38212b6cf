"""Message Batches as an idempotent cron workflow (`claudecli batch`).

Workflow layer (beside `turn` and `conversations`): never prints, reads stdin or exits; events
come back through an `on_event` callback, one line each, and refusals as exceptions.

    with BatchDB.open(store_path(env)) as db:                       # the conversation store's file
        report = submit(db, SubmitPlan(recipe, job=..., out_dir=...), Context(...))
        collected = collect_job(db, client, db.job(name))           # answers -> files

- Every request is built by the turn engine (`plan_turn(...).body`), exactly as `ask` builds
  it: same flags, limits and errors; all are built and checked before anything is sent.
- A request is its custom_id plus a hash of its params; one already sent by the job is not
  sent again unless it errored or expired (a canceled one stays canceled; `force` overrides).
- Each part (<= 100,000 requests, <= 256 MB) is recorded `pending` before its POST; a run that
  died in between is reconciled with the API's batch list, never resubmitted blindly.
- One run per job at a time (a lock row with the owner's pid and a lease).
- Results are streamed; answers are written atomically, failures to `errors.jsonl`.
"""

from __future__ import annotations

from .build import Builder, Built, Recipe, options_json
from .collect import Collected, collect_job, collect_submission, retry_groups
from .cost import Estimate
from .db import BatchDB
from .errors import BatchBusyError, WaitTimedOut
from .follow import Poll, all_ended, refresh, wait_ended
from .records import Item, Job, Submission
from .results import ERRORS_FILE, Tally, raw_lines, write_results
from .submit import Context, SubmitPlan, SubmitReport, out_dir_for, submit

__all__ = [
    "ERRORS_FILE",
    "BatchBusyError",
    "BatchDB",
    "Builder",
    "Built",
    "Collected",
    "Context",
    "Estimate",
    "Item",
    "Job",
    "Poll",
    "Recipe",
    "Submission",
    "SubmitPlan",
    "SubmitReport",
    "Tally",
    "WaitTimedOut",
    "all_ended",
    "collect_job",
    "collect_submission",
    "options_json",
    "out_dir_for",
    "raw_lines",
    "refresh",
    "retry_groups",
    "submit",
    "wait_ended",
    "write_results",
]
