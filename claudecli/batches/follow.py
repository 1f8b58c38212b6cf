"""Following batches: refresh their state from the API, and wait until they end."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claudecli.client import JSON

from .db import BatchDB
from .errors import WaitTimedOut
from .records import Submission

if TYPE_CHECKING:
    from claudecli.client import Client

__all__ = ["Poll", "refresh", "wait_ended"]


@dataclass(frozen=True)
class Poll:
    """Polling intervals: `first` seconds, growing by `factor` up to `most`."""

    timeout: float | None = None
    first: float = 1.0
    factor: float = 1.5
    most: float = 60.0


def refresh(db: BatchDB | None, client: Client, batch_id: str, sub: Submission | None) -> JSON:
    """The batch as the API has it now (recorded, when the store knows it)."""
    batch = client.get_batch(batch_id)
    if db is not None and sub is not None:
        db.update_status(sub.id, batch)
    return batch


def _signature(batches: Sequence[JSON]) -> list[str]:
    return [
        f"{b.get('id')}:{b.get('processing_status')}:"
        + json.dumps(b.get("request_counts"), sort_keys=True)
        for b in batches
    ]


def all_ended(batches: Sequence[JSON]) -> bool:
    return all(batch.get("processing_status") == "ended" for batch in batches)


def wait_ended(
    fetch: Callable[[], list[JSON]],
    poll: Poll,
    *,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    on_change: Callable[[list[JSON]], None],
) -> list[JSON]:
    """Poll `fetch` until every batch ended (`on_change` each time something changed);
    WaitTimedOut after `poll.timeout` seconds. The client honours retry-after on 429/5xx."""
    deadline = None if poll.timeout is None else clock() + poll.timeout
    interval, last = poll.first, None
    while True:
        batches = fetch()
        if (signature := _signature(batches)) != last:
            last = signature
            on_change(batches)
        if all_ended(batches):
            return batches
        left = None if deadline is None else deadline - clock()
        if left is not None and left <= 0:
            running = sum(1 for b in batches if b.get("processing_status") != "ended")
            raise WaitTimedOut(
                f"--timeout {poll.timeout:g} s: {running} batch(es) still running; "
                "`claudecli batch status` shows them, `claudecli batch collect` gets the "
                "answers once they end"
            )
        sleep(interval if left is None else min(interval, left))
        interval = min(interval * poll.factor, poll.most)
