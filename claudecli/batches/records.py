"""Plain records of the batch state (what `BatchDB` returns)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["RESENDABLE", "Item", "Job", "NewItem", "Submission"]

# Sent again by the next submit (and by retry); a canceled request stays canceled (--force).
RESENDABLE: Final = frozenset({"errored", "expired"})


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    out_dir: str
    answer_ext: str  # ".md", or ".json" for --schema answers


@dataclass(frozen=True, slots=True)
class NewItem:
    """One request of a submission, as recorded before the POST."""

    custom_id: str
    params_hash: str
    name: str  # the answer's file name in the job's out directory
    source: str | None = None  # the input file it came from (--prompt FILE...)
    span: tuple[int, int] = (0, 0)  # where its request line is in the spool


@dataclass(frozen=True, slots=True)
class Item:
    custom_id: str
    name: str
    source: str | None
    outcome: str | None
    written: bool


@dataclass(frozen=True, slots=True)
class Submission:
    """One batch (or one about to be POSTed: `pending`, no batch id yet)."""

    id: int
    job: str
    part: int
    state: str
    batch_id: str | None
    request_count: int
    started: float
    status: str | None
    counts: dict[str, int]
    created_at: str | None
    expires_at: str | None
    ended_at: str | None
    collected: float | None
    recipe: dict[str, Any]

    @classmethod
    def of_row(cls, row: tuple[Any, ...]) -> Submission:
        (sid, job, part, state, batch_id, count, started, status, counts) = row[:9]
        created_at, expires_at, ended_at, collected, recipe = row[9:]
        return cls(
            id=sid,
            job=job,
            part=part,
            state=state,
            batch_id=batch_id,
            request_count=count,
            started=started,
            status=status,
            counts=json.loads(counts or "{}"),
            created_at=created_at,
            expires_at=expires_at,
            ended_at=ended_at,
            collected=collected,
            recipe=json.loads(recipe or "{}"),
        )
