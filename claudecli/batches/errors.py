"""The batch workflow's own refusals (each one line; the CLI maps `exit_code`)."""

from __future__ import annotations

from claudecli.errors import ClaudecliError

__all__ = ["BatchBusyError", "WaitTimedOut"]


class BatchBusyError(ClaudecliError):
    """Another run holds the job, or an earlier submission is not confirmed yet: try later (6)."""

    exit_code = 6


class WaitTimedOut(ClaudecliError):
    """`--wait` gave up before the batches ended (124, as timeout(1) does)."""

    exit_code = 124
