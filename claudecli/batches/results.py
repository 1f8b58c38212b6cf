"""Results, streamed line by line (never the whole file): answers to files, failures to
`errors.jsonl`, every outcome recorded so that a second run skips what is done.

Each answer is written atomically (`<out>/<name>`: the source file's name plus `.md`, or
`.json` for `--schema` answers). A failure is appended to `<out>/errors.jsonl` as
`{"custom_id", "name", "source", "batch_id", "result"}` with the API's error. Outcomes reach
the store every few hundred lines; a run killed in between redoes those lines (the same files
again; an errors line may repeat, none is lost).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from claudecli.client import JSON

from .db import BatchDB
from .naming import custom_id_problem, short_hash
from .records import Item, Submission

__all__ = ["ERRORS_FILE", "Tally", "answer_name", "write_results"]

ERRORS_FILE: Final = "errors.jsonl"
_FLUSH_EVERY: Final = 500


@dataclass
class Tally:
    """What one or more results files held, and what was done with them."""

    outcomes: Counter[str] = field(default_factory=Counter)
    written: int = 0
    skipped: int = 0  # done by an earlier run
    cost_usd: float = 0.0

    def add(self, other: Tally) -> None:
        self.outcomes.update(other.outcomes)
        self.written += other.written
        self.skipped += other.skipped
        self.cost_usd += other.cost_usd

    @property
    def failed(self) -> int:
        return sum(n for kind, n in self.outcomes.items() if kind != "succeeded")


def answer_name(custom_id: str, ext: str) -> str:
    """The file name for a result this store does not know (a batch sent elsewhere)."""
    if custom_id_problem(custom_id) is None:
        return custom_id + ext
    return f"item-{short_hash(custom_id, 16)}{ext}"


@dataclass
class _Writer:
    out: Path
    batch_id: str
    ext: str
    items: Mapping[str, Item]
    errors: IO[str] | None = None
    done: list[tuple[str, str, bool]] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    def take(self, line: JSON) -> None:
        custom_id = str(line.get("custom_id"))
        result = line.get("result") or {}
        kind = str(result.get("type") or "errored")
        item = self.items.get(custom_id)
        self.tally.outcomes[kind] += 1
        if item is not None and item.outcome is not None:
            self.tally.skipped += 1
            return
        name = item.name if item is not None else answer_name(custom_id, self.ext)
        if kind == "succeeded":
            self._answer(name, result.get("message") or {})
        else:
            self._failure(custom_id, name, item, result)
        self.done.append((custom_id, kind, kind == "succeeded"))

    def _answer(self, name: str, message: JSON) -> None:
        from claudecli.client import MessageView
        from claudecli.paths import atomic_write
        from claudecli.pricing import cost_of_usage

        view = MessageView.of(message)
        text = view.text
        atomic_write(self.out / name, text if text.endswith("\n") else text + "\n")
        self.tally.written += 1
        cost = cost_of_usage(message.get("usage") or {}, view.model or "", batch=True)
        self.tally.cost_usd += cost.total if cost is not None else 0.0

    def _failure(self, custom_id: str, name: str, item: Item | None, result: JSON) -> None:
        if self.errors is None:
            self.errors = _open_errors(self.out / ERRORS_FILE)
        record = {
            "custom_id": custom_id,
            "name": name,
            "source": item.source if item is not None else None,
            "batch_id": self.batch_id,
            "result": result,
        }
        self.errors.write(json.dumps(record, ensure_ascii=False) + "\n")


def _open_errors(path: Path) -> IO[str]:
    from claudecli.paths import ensure_private_dir

    ensure_private_dir(path.parent, tighten=False)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8")


def write_results(
    lines: Iterable[JSON],
    *,
    db: BatchDB | None,
    submission: Submission | None,
    batch_id: str,
    out_dir: str,
    answer_ext: str,
) -> Tally:
    """Process one batch's results (see the module docstring); mark it collected at the end."""
    items = db.items(submission.id) if db is not None and submission is not None else {}
    writer = _Writer(Path(out_dir), batch_id, answer_ext, items)
    record = _recorder(db, submission)
    try:
        for line in lines:
            writer.take(line)
            if len(writer.done) >= _FLUSH_EVERY:
                _flush(writer, record)
        _flush(writer, record)
    finally:
        if writer.errors is not None:
            writer.errors.flush()
            os.fsync(writer.errors.fileno())
            writer.errors.close()
    if db is not None and submission is not None:
        db.mark_collected(submission.id)
    return writer.tally


def _recorder(
    db: BatchDB | None, submission: Submission | None
) -> Callable[[list[tuple[str, str, bool]]], None]:
    if db is None or submission is None:
        return lambda done: None
    sid = submission.id
    return lambda done: db.record_outcomes(sid, done)


def _flush(writer: _Writer, record: Callable[[list[tuple[str, str, bool]]], None]) -> None:
    if writer.errors is not None:
        writer.errors.flush()
        os.fsync(writer.errors.fileno())  # an outcome is recorded only once its line is safe
    record(writer.done)
    writer.done = []


def raw_lines(lines: Iterable[JSON], write: Callable[[str], Any]) -> Counter[str]:
    """`--jsonl`: each result line as it came, one per line; the outcomes counted."""
    outcomes: Counter[str] = Counter()
    for line in lines:
        outcomes[str((line.get("result") or {}).get("type"))] += 1
        write(json.dumps(line, ensure_ascii=False) + "\n")
    return outcomes
