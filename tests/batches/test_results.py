"""Results streamed to files, errors.jsonl, collect and retry; the streamed create's retries."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from claudecli.batches import (
    BatchDB,
    Poll,
    WaitTimedOut,
    collect_job,
    retry_groups,
    wait_ended,
    write_results,
)
from claudecli.client import APIStatusError
from claudecli.emulator import Emulator
from tests.batches.conftest import Submit, batch_posts, files_recipe, make_client


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Four files: two answered, one errored and one expired (by emulator directive)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text("first\n")
    (folder / "two.txt").write_text("second\n")
    (folder / "bad.txt").write_text("#emu batch_result=errored status=400 message=broken\n")
    (folder / "late.txt").write_text("#emu batch_result=expired\n")
    return folder


def wait_until_ended(emulator: Emulator, batch_id: str) -> None:
    with make_client(emulator) as client:
        poll = Poll(timeout=10, first=0.05)
        wait_ended(
            lambda: [client.get_batch(batch_id)],
            poll,
            sleep=time.sleep,
            clock=time.monotonic,
            on_change=lambda _b: None,
        )


def test_collect_writes_one_answer_per_file_and_the_failures(
    run_submit: Submit, mixed: Path, emulator: Emulator, db: BatchDB, tmp_path: Path
) -> None:
    report = run_submit(files_recipe(mixed, prompt="Say"))
    wait_until_ended(emulator, report.batch_ids[0])
    job = db.job("job1")
    assert job is not None
    with make_client(emulator) as client:
        done = collect_job(db, client, job)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["errors.jsonl", "one.txt.md", "two.txt.md"]
    assert "first" in (out / "one.txt.md").read_text()
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    by_id = {e["custom_id"]: e for e in errors}
    assert by_id["bad_txt"]["result"]["error"]["error"]["message"] == "broken"
    assert by_id["bad_txt"]["source"] == str(mixed / "bad.txt")
    assert by_id["late_txt"]["result"] == {"type": "expired"}
    assert (done.batches, done.tally.written, done.tally.failed) == (1, 2, 2)
    assert (out / "one.txt.md").stat().st_mode & 0o777 == 0o600


def test_collect_twice_writes_nothing_the_second_time(
    run_submit: Submit, mixed: Path, emulator: Emulator, db: BatchDB, tmp_path: Path
) -> None:
    report = run_submit(files_recipe(mixed))
    wait_until_ended(emulator, report.batch_ids[0])
    job = db.job("job1")
    assert job is not None
    with make_client(emulator) as client:
        collect_job(db, client, job)
        again = collect_job(db, client, job)
    assert again.batches == 0
    assert len((tmp_path / "out" / "errors.jsonl").read_text().splitlines()) == 2


def test_results_rerun_skips_what_is_written(
    run_submit: Submit, mixed: Path, emulator: Emulator, db: BatchDB, tmp_path: Path
) -> None:
    report = run_submit(files_recipe(mixed))
    wait_until_ended(emulator, report.batch_ids[0])
    [sub] = db.submissions("job1")
    with make_client(emulator) as client:
        lines = list(client.iter_batch_results(sub.batch_id or ""))
    out = str(tmp_path / "out")
    first = write_results(
        lines[:2], db=db, submission=sub, batch_id="b", out_dir=out, answer_ext=".md"
    )
    second = write_results(
        lines, db=db, submission=sub, batch_id="b", out_dir=out, answer_ext=".md"
    )
    assert first.skipped == 0 and second.skipped == 2
    assert sum(second.outcomes.values()) == 4


def test_retry_resends_only_the_errored_and_expired(
    run_submit: Submit, mixed: Path, emulator: Emulator, db: BatchDB, events: list[str]
) -> None:
    recipe = files_recipe(mixed)
    report = run_submit(recipe)
    wait_until_ended(emulator, report.batch_ids[0])
    with make_client(emulator) as client:
        groups = retry_groups(db, client, db.submissions("job1"), events.append)
    [(_sub, again, ids)] = groups
    assert ids == {"bad_txt", "late_txt"} and again == recipe
    retried = run_submit(again, only=ids)
    sent = [r["custom_id"] for r in batch_posts(emulator)[-1]["body"]["requests"]]
    assert sorted(sent) == ["bad_txt", "late_txt"] and retried.to_send == 2
    assert run_submit(recipe).to_send == 0  # the plain cron line sends nothing more


def test_wait_times_out_with_the_count_still_running(emulator: Emulator) -> None:
    now = [0.0]
    batch = {"id": "b1", "processing_status": "in_progress", "request_counts": {}}

    def sleep(seconds: float) -> None:
        now[0] += seconds

    seen: list[int] = []
    with pytest.raises(WaitTimedOut, match=r"--timeout 5 s: 1 batch\(es\) still running"):
        wait_ended(
            lambda: [batch],
            Poll(timeout=5, first=1, factor=2),
            sleep=sleep,
            clock=lambda: now[0],
            on_change=lambda b: seen.append(len(b)),
        )
    assert seen == [1]  # one line per change, not per poll
    assert now[0] == 5


def test_the_streamed_create_retries_a_529_but_not_a_500(
    emulator: Emulator, tmp_path: Path
) -> None:
    body = json.dumps(
        {
            "requests": [
                {
                    "custom_id": "a",
                    "params": {
                        "model": "claude-x",
                        "max_tokens": 5,
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                }
            ]
        }
    ).encode()
    chunks = [body[:10], body[10:]]
    emulator.enqueue({"path": "/v1/messages/batches", "status": 529})
    with make_client(emulator, max_retries=2) as client:
        batch = client.create_batch_streamed(chunks, size=len(body))
        assert batch["id"].startswith("msgbatch_")
        emulator.enqueue({"path": "/v1/messages/batches", "status": 500})
        with pytest.raises(APIStatusError):
            client.create_batch_streamed(chunks, size=len(body))
    assert len(batch_posts(emulator)) == 3  # 529 + retry, then one 500 (never retried)


def test_errored_and_expired_are_due_again_but_a_canceled_one_is_not(
    run_submit: Submit, tmp_path: Path, emulator: Emulator, db: BatchDB
) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "gone.txt").write_text("#emu batch_result=canceled\n")
    (folder / "late.txt").write_text("#emu batch_result=expired\n")
    report = run_submit(files_recipe(folder))
    wait_until_ended(emulator, report.batch_ids[0])
    job = db.job("job1")
    assert job is not None
    with make_client(emulator) as client:
        collect_job(db, client, job)
    again = run_submit(files_recipe(folder))
    assert (again.skipped, again.to_send) == (1, 1)
    assert [r["custom_id"] for r in batch_posts(emulator)[-1]["body"]["requests"]] == ["late_txt"]
