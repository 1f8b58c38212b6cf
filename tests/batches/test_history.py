"""Batch answers in the conversation store (at the batch price, once) and --schema answers
checked against the schema they were sent with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from claudecli.batches import BatchDB, collect_job
from claudecli.conversations import Store, history_for_api
from claudecli.emulator import Emulator
from claudecli.pricing import cost_of_usage
from tests.batches.conftest import Submit, files_recipe, make_client
from tests.batches.test_results import wait_until_ended


@pytest.fixture
def store(db: BatchDB) -> Iterator[Store]:
    with Store.open(db.path) as opened:
        yield opened


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("first\n")
    (folder / "two.txt").write_text("second\n")
    (folder / "bad.txt").write_text("#emu batch_result=errored status=400 message=broken\n")
    return folder


def collect(db: BatchDB, emulator: Emulator, store: Store | None) -> None:
    job = db.job("job1")
    assert job is not None
    with make_client(emulator) as client:
        collect_job(db, client, job, store=store)


def test_each_succeeded_answer_is_a_conversation_at_the_batch_price(
    run_submit: Submit, inbox: Path, emulator: Emulator, db: BatchDB, store: Store
) -> None:
    report = run_submit(files_recipe(inbox, prompt="Say", system="be brief"))
    batch_id = report.batch_ids[0]
    wait_until_ended(emulator, batch_id)
    collect(db, emulator, store)
    listed = store.list_conversations()
    assert sorted(c.title for c in listed) == ["one.txt", "two.txt"]  # the errored one is not
    one = next(c for c in listed if c.title == "one.txt")
    conversation = store.conversation(one.id)
    assert conversation.system == "be brief"
    assert conversation.settings["origin"] == f"batch:{batch_id}/one_txt"
    assert conversation.settings["batch"] == {"id": batch_id, "custom_id": "one_txt", "job": "job1"}
    user, answer = store.messages(one.id)
    assert "first" in json.dumps(user.content) and user.content[-1]["text"] == "Say"
    assert answer.usage is not None and answer.usage["service_tier"] == "batch"
    assert "first" in answer.content[0]["text"]
    assert [turn["role"] for turn in history_for_api([user, answer])] == ["user", "assistant"]
    assert db.request_line(db.submissions("job1")[0].id, "one_txt") is None  # not kept after


def test_history_usage_shows_the_batch_price(
    run_submit: Submit, inbox: Path, emulator: Emulator, db: BatchDB, store: Store
) -> None:
    report = run_submit(files_recipe(inbox))
    wait_until_ended(emulator, report.batch_ids[0])
    collect(db, emulator, store)
    [row] = store.usage()
    usages = [m.usage for c in store.list_conversations() for m in store.messages(c.id) if m.usage]
    batch = [cost_of_usage(u, row.model, batch=True) for u in usages]
    full = [cost_of_usage({**u, "service_tier": "standard"}, row.model) for u in usages]
    assert all(cost is not None for cost in batch + full)
    assert row.replies == 2
    assert row.cost_usd == pytest.approx(sum(c.total for c in batch if c))
    assert row.cost_usd == pytest.approx(sum(c.total for c in full if c) / 2)


def test_collecting_again_records_nothing_twice(
    run_submit: Submit, inbox: Path, emulator: Emulator, db: BatchDB, store: Store
) -> None:
    report = run_submit(files_recipe(inbox))
    wait_until_ended(emulator, report.batch_ids[0])
    [sub] = db.submissions("job1")
    from claudecli.batches import write_results

    with make_client(emulator) as client:
        lines = list(client.iter_batch_results(report.batch_ids[0]))
    out = str(db.path.parent / "out")
    first = write_results(
        lines,
        db=None,
        submission=None,
        batch_id=report.batch_ids[0],
        out_dir=out,
        answer_ext=".md",
        store=store,
    )
    assert first.recorded == 0  # a batch not sent from here: its requests are not known
    collect(db, emulator, store)
    collect(db, emulator, store)
    assert store.count_conversations() == 2
    again = write_results(
        lines,
        db=db,
        submission=sub,
        batch_id=report.batch_ids[0],
        out_dir=out,
        answer_ext=".md",
        store=store,
    )
    assert (again.skipped, again.recorded) == (3, 0) and store.count_conversations() == 2


def test_a_run_that_died_before_recording_outcomes_records_nothing_twice(
    run_submit: Submit, inbox: Path, emulator: Emulator, db: BatchDB, store: Store
) -> None:
    """The conversations are committed, the outcomes are not (killed in between): the rerun
    writes the files again but finds the conversations."""
    from claudecli.batches import write_results

    report = run_submit(files_recipe(inbox))
    wait_until_ended(emulator, report.batch_ids[0])
    [sub] = db.submissions("job1")
    with make_client(emulator) as client:
        lines = list(client.iter_batch_results(report.batch_ids[0]))
    out = str(db.path.parent / "out")
    args = {"submission": sub, "batch_id": report.batch_ids[0], "out_dir": out, "answer_ext": ".md"}
    write_results(lines, db=None, store=store, **args)  # type: ignore[arg-type]
    assert store.count_conversations() == 0  # without the batch state, no requests known
    from claudecli.batches.history import BatchHistory
    from claudecli.batches.results import _requests, _Writer

    writer = _Writer(Path(out), report.batch_ids[0], ".md", db.items(sub.id), _requests(db, sub))
    writer.history = BatchHistory.of(store, report.batch_ids[0], "job1")
    for line in lines:
        writer.take(line)  # ... and never flushed: the process died here
    if writer.errors is not None:
        writer.errors.close()
    assert store.count_conversations() == 2
    rerun = write_results(lines, db=db, store=store, **args)  # type: ignore[arg-type]
    assert (rerun.written, rerun.recorded) == (2, 0) and store.count_conversations() == 2


def test_schema_answers_are_checked_and_invalid_ones_go_to_errors_jsonl(
    run_submit: Submit, tmp_path: Path, emulator: Emulator, db: BatchDB
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {"n": {"type": "integer"}},
                "required": ["n"],
                "additionalProperties": False,
            }
        )
    )
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("count\n")
    (folder / "prose.txt").write_text("#emu text='not json at all'\n")
    (folder / "wrong.txt").write_text('#emu text=\'{"n": "seven"}\'\n')
    report = run_submit(files_recipe(folder, schema=str(schema)), answer_ext=".json")
    wait_until_ended(emulator, report.batch_ids[0])
    job = db.job("job1")
    assert job is not None
    with make_client(emulator) as client:
        done = collect_job(db, client, job)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["errors.jsonl", "good.txt.json"]
    assert isinstance(json.loads((out / "good.txt.json").read_text())["n"], int)
    lines = (out / "errors.jsonl").read_text().splitlines()
    errors = {e["custom_id"]: e for e in map(json.loads, lines)}
    assert sorted(errors) == ["prose_txt", "wrong_txt"]
    assert errors["prose_txt"]["reason"].startswith("the answer is not valid JSON: ")
    assert errors["wrong_txt"]["reason"] == (
        "the answer does not match --schema at n: 'seven' is not of type 'integer'"
    )
    assert errors["wrong_txt"]["result"]["type"] == "succeeded"  # the answer itself is kept
    assert dict(done.tally.outcomes) == {"succeeded": 1, "errored": 2}
    assert (done.tally.written, done.tally.invalid, done.tally.failed) == (1, 2, 2)
    assert db.failed_ids(db.submissions("job1")[0].id, frozenset({"errored"})) == [
        "prose_txt",
        "wrong_txt",
    ]
