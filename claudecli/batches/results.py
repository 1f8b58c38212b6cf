"""Results, streamed line by line (never the whole file): answers to files, failures to
`errors.jsonl`, every outcome recorded so that a second run skips what is done.

Each answer is written atomically (`<out>/<name>`: the source file's name plus `.md`, or
`.json` for `--schema` answers). A failure is appended to `<out>/errors.jsonl` as
`{"custom_id", "name", "source", "batch_id", "result"}` with the API's error. A `--schema`
answer is checked against the schema it was sent with: one that is not valid JSON under it
goes to `errors.jsonl` too (with a `reason`) and counts as `errored` (the next submit sends
it again). Each succeeded answer whose request this store kept is also recorded as a
conversation at the batch price (`history.BatchHistory`), once. Outcomes reach
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
from typing import IO, TYPE_CHECKING, Any, Final

from claudecli.client import JSON

from .db import BatchDB
from .history import BatchHistory, batch_cost, title_for
from .naming import custom_id_problem, short_hash
from .records import Item, Submission

if TYPE_CHECKING:
    from claudecli.conversations import Store

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
    invalid: int = 0  # answers not valid under the --schema (counted as errored)
    recorded: int = 0  # conversations added to the store

    def add(self, other: Tally) -> None:
        self.outcomes.update(other.outcomes)
        self.written += other.written
        self.skipped += other.skipped
        self.cost_usd += other.cost_usd
        self.invalid += other.invalid
        self.recorded += other.recorded

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
    request: Callable[[str], JSON | None] = lambda custom_id: None  # the params as sent
    history: BatchHistory | None = None
    errors: IO[str] | None = None
    done: list[tuple[str, str, bool]] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    def take(self, line: JSON) -> None:
        custom_id = str(line.get("custom_id"))
        result = line.get("result") or {}
        kind = str(result.get("type") or "errored")
        item = self.items.get(custom_id)
        if item is not None and item.outcome is not None:
            self.tally.outcomes[item.outcome] += 1
            self.tally.skipped += 1
            return
        name = item.name if item is not None else answer_name(custom_id, self.ext)
        if kind == "succeeded":
            kind = self._succeeded(custom_id, name, item, result)
        else:
            self._failure(custom_id, name, item, result)
        self.tally.outcomes[kind] += 1
        self.done.append((custom_id, kind, kind == "succeeded"))

    def _succeeded(self, custom_id: str, name: str, item: Item | None, result: JSON) -> str:
        """Record and check the answer; its outcome (`errored` when not valid under the
        --schema it was sent with)."""
        message = result.get("message") or {}
        params = self.request(custom_id)
        self._remember(custom_id, item, params, message)
        problem = schema_failure(params, message) if self.ext == ".json" else None
        if problem is not None:
            self.tally.invalid += 1
            self._failure(custom_id, name, item, result, reason=problem)
            return "errored"
        self._answer(name, message)
        return "succeeded"

    def _remember(
        self, custom_id: str, item: Item | None, params: JSON | None, message: JSON
    ) -> None:
        if self.history is None or params is None:
            return
        title = title_for(custom_id, item.source if item is not None else None)
        if self.history.record(custom_id, title, params, message) is not None:
            self.tally.recorded += 1

    def _answer(self, name: str, message: JSON) -> None:
        from claudecli.client import MessageView
        from claudecli.paths import atomic_write

        text = MessageView.of(message).text
        atomic_write(self.out / name, text if text.endswith("\n") else text + "\n")
        self.tally.written += 1
        self.tally.cost_usd += batch_cost(message) or 0.0

    def _failure(
        self, custom_id: str, name: str, item: Item | None, result: JSON, *, reason: str = ""
    ) -> None:
        if self.errors is None:
            self.errors = _open_errors(self.out / ERRORS_FILE)
        record = {
            "custom_id": custom_id,
            "name": name,
            "source": item.source if item is not None else None,
            "batch_id": self.batch_id,
            "result": result,
            **({"reason": reason} if reason else {}),
        }
        self.errors.write(json.dumps(record, ensure_ascii=False) + "\n")


def schema_failure(params: JSON | None, message: JSON) -> str | None:
    """Why the answer is not valid under the schema its request carried (None: it is, or the
    request had none or is not known here)."""
    from claudecli.answer import validate_json_answer
    from claudecli.errors import AnswerError

    fmt = ((params or {}).get("output_config") or {}).get("format") or {}
    if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
        return None
    try:
        validate_json_answer(message, fmt["schema"])
    except AnswerError as error:
        return str(error)
    return None


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
    store: Store | None = None,
) -> Tally:
    """Process one batch's results (see the module docstring); mark it collected at the end.
    With `store`, answers are recorded there as conversations."""
    items = db.items(submission.id) if db is not None and submission is not None else {}
    writer = _Writer(Path(out_dir), batch_id, answer_ext, items, _requests(db, submission))
    if store is not None:
        job = submission.job if submission is not None else None
        writer.history = BatchHistory.of(store, batch_id, job)
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


def _requests(db: BatchDB | None, submission: Submission | None) -> Callable[[str], JSON | None]:
    """custom_id -> the params it was sent with, while the store keeps them."""
    if db is None or submission is None:
        return lambda custom_id: None
    sid = submission.id

    def params(custom_id: str) -> JSON | None:
        line = db.request_line(sid, custom_id)
        return None if line is None else json.loads(line).get("params")

    return params


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
