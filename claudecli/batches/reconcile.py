"""Pending submissions (recorded, but no batch id: the run died around its POST) are matched
against the API's own list of batches before anything new is sent.

A remote batch matches when nothing here knows its id, it holds as many requests as the
pending submission, and it was created between a few minutes before the submission started
and the longest a create call can take after. No match while the POST could still be in
flight: refuse (try later). No match after that: the POST never arrived; the submission is
abandoned and its requests may be sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Final

from claudecli.client import JSON

from .db import BatchDB
from .errors import BatchBusyError
from .records import Submission

__all__ = ["CLOCK_SKEW", "UNCONFIRMED_GRACE", "reconcile"]

CLOCK_SKEW: Final = 300.0  # seconds a batch's created_at may precede our own clock
UNCONFIRMED_GRACE: Final = 900.0  # a create call's longest life (600 s) plus margin


def created_epoch(batch: JSON) -> float | None:
    value = batch.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def total_requests(batch: JSON) -> int:
    counts = batch.get("request_counts") or {}
    return sum(int(v) for v in counts.values() if isinstance(v, int))


def reconcile(
    db: BatchDB,
    remote: Callable[[], Iterable[JSON]],
    job: str,
    *,
    on_event: Callable[[str], None],
) -> None:
    """Resolve every pending submission of `job` (see the module docstring)."""
    pending = db.submissions(job, states=("pending",))
    if not pending:
        return
    oldest = min(sub.started for sub in pending) - CLOCK_SKEW
    candidates = list(_recent(remote(), oldest, db.known_batch_ids()))
    for sub in pending:
        _resolve(db, sub, candidates, on_event)


def _recent(batches: Iterable[JSON], oldest: float, known: set[str]) -> Iterator[JSON]:
    """Batches created since `oldest` that no submission here has recorded (newest first)."""
    for batch in batches:
        created = created_epoch(batch)
        if created is not None and created < oldest:
            return
        if batch.get("id") not in known:
            yield batch


def _resolve(
    db: BatchDB, sub: Submission, candidates: list[JSON], on_event: Callable[[str], None]
) -> None:
    match = _match(sub, candidates)
    if match is not None:
        candidates.remove(match)
        db.confirm(sub.id, match)
        on_event(
            f"found batch {match['id']} ({sub.request_count} requests of job {sub.job}), sent "
            "by an earlier run that stopped before recording it; not sending it again"
        )
        return
    if db.clock() - sub.started <= UNCONFIRMED_GRACE:
        raise BatchBusyError(
            f"job {sub.job}: a submission started {_ago(db.clock() - sub.started)} ago is not "
            "in the API's batch list yet (its request may still be arriving); nothing was "
            "sent: run again in a few minutes"
        )
    db.abandon(sub.id)
    on_event(
        f"job {sub.job}: a submission of {sub.request_count} requests started "
        f"{_ago(db.clock() - sub.started)} ago never reached the API; its requests are due again"
    )


def _match(sub: Submission, candidates: list[JSON]) -> JSON | None:
    def fits(batch: JSON) -> bool:
        created = created_epoch(batch)
        return (
            created is not None
            and sub.started - CLOCK_SKEW <= created <= sub.started + UNCONFIRMED_GRACE
            and total_requests(batch) == sub.request_count
        )

    found = [batch for batch in candidates if fits(batch)]
    return min(found, key=lambda b: abs((created_epoch(b) or 0.0) - sub.started), default=None)


def _ago(seconds: Any) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
