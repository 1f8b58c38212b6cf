"""submit: built by the turn engine, idempotent per job, split, recorded before the POST."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from claudecli.batches import BatchBusyError, BatchDB, Recipe
from claudecli.batches.naming import params_hash
from claudecli.config import resolve_settings
from claudecli.emulator import Emulator
from claudecli.errors import InputError
from claudecli.turn import TurnOptions, plan_turn
from tests.batches.conftest import TODAY, Submit, batch_posts, files_recipe
from tests.request import media


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha notes\n")
    (folder / "b.pdf").write_bytes(media.pdf(1))
    (folder / ".hidden").write_text("skipped\n")
    return folder


def test_one_request_per_file_built_as_ask_builds_it(
    run_submit: Submit, docs: Path, emulator: Emulator
) -> None:
    report = run_submit(files_recipe(docs))
    [post] = batch_posts(emulator)
    sent = {item["custom_id"]: item["params"] for item in post["body"]["requests"]}
    assert sorted(sent) == ["a_txt", "b_pdf"]
    options = TurnOptions(prompt="Summarize", attach=(str(docs / "a.txt"),), max_tokens=100)
    expected = plan_turn(options, resolve_settings({}, {}, None), today=TODAY).body
    assert sent["a_txt"] == expected
    assert sent["b_pdf"]["messages"][0]["content"][0]["type"] == "document"
    assert len(report.batch_ids) == 1 and report.batch_ids[0].startswith("msgbatch_")
    assert report.to_send == 2


def test_the_same_run_twice_sends_nothing_and_a_new_file_alone(
    run_submit: Submit, docs: Path, emulator: Emulator
) -> None:
    run_submit(files_recipe(docs))
    again = run_submit(files_recipe(docs))
    assert (again.built, again.skipped, again.batch_ids) == (2, 2, [])
    (docs / "c.md").write_text("gamma\n")
    third = run_submit(files_recipe(docs))
    posts = batch_posts(emulator)
    assert len(posts) == 2
    assert [r["custom_id"] for r in posts[1]["body"]["requests"]] == ["c_md"]
    assert third.to_send == 1


def test_a_changed_file_or_prompt_is_a_new_request(
    run_submit: Submit, docs: Path, emulator: Emulator
) -> None:
    run_submit(files_recipe(docs))
    (docs / "a.txt").write_text("alpha, revised\n")
    report = run_submit(files_recipe(docs))
    assert report.to_send == 1
    assert [r["custom_id"] for r in batch_posts(emulator)[1]["body"]["requests"]] == ["a_txt"]


def test_force_sends_everything_again(run_submit: Submit, docs: Path, emulator: Emulator) -> None:
    run_submit(files_recipe(docs))
    assert run_submit(files_recipe(docs), force=True).to_send == 2
    assert len(batch_posts(emulator)) == 2


def test_a_bad_jsonl_line_is_named_and_nothing_is_sent(
    run_submit: Submit, tmp_path: Path, emulator: Emulator
) -> None:
    good = {"custom_id": "ok-1", "params": {"model": "m", "max_tokens": 5, "messages": [1]}}
    bad = {"custom_id": "has space", "params": good["params"]}
    path = tmp_path / "requests.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n")
    with pytest.raises(InputError, match=r"requests\.jsonl:3: custom_id 'has space' is not"):
        run_submit(Recipe("jsonl", (str(path),)))
    assert batch_posts(emulator) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", r":1: not valid JSON"),
        ('{"custom_id": "a"}', r":1: params must be an object"),
        ('{"custom_id": "a", "params": {"model": "m", "messages": [1]}}', "max_tokens is required"),
        ('{"custom_id": "a", "params": {}, "x": 1}', "unknown key 'x'"),
        ('{"custom_id": "' + "a" * 65 + '", "params": {}}', "is not 1-64 characters"),
    ],
)
def test_jsonl_lines_are_checked_as_the_api_would(
    run_submit: Submit, tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError, match=message):
        run_submit(Recipe("jsonl", (str(path),)))


def test_a_repeated_custom_id_names_both_lines(run_submit: Submit, tmp_path: Path) -> None:
    line = json.dumps(
        {"custom_id": "a", "params": {"model": "m", "max_tokens": 1, "messages": [1]}}
    )
    path = tmp_path / "r.jsonl"
    path.write_text(f"{line}\n{line}\n")
    with pytest.raises(InputError, match=r"r\.jsonl:2: custom_id 'a' repeats line 1"):
        run_submit(Recipe("jsonl", (str(path),)))


def test_records_fill_the_template(run_submit: Submit, tmp_path: Path, emulator: Emulator) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"id": "p1", "name": "Ada"}\n{"name": "Bob", "n": 2}\n')
    recipe = Recipe("records", (str(path),), "Greet {name} ({{x}})", {"max_tokens": 50})
    run_submit(recipe)
    [post] = batch_posts(emulator)
    ids = [r["custom_id"] for r in post["body"]["requests"]]
    assert ids[0] == "p1" and ids[1].startswith("rec-")
    prompt = post["body"]["requests"][0]["params"]["messages"][0]["content"]
    assert "Greet Ada ({x})" in json.dumps(prompt)


def test_a_record_without_the_field_is_named(run_submit: Submit, tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"name": "Ada"}\n{"nom": "Bob"}\n')
    with pytest.raises(InputError, match=r"people\.jsonl:2: the record has no field 'name'"):
        run_submit(Recipe("records", (str(path),), "Hi {name}", {"max_tokens": 5}))


def test_a_bad_file_stops_everything_before_sending(
    run_submit: Submit, docs: Path, emulator: Emulator
) -> None:
    (docs / "z.bin").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match=r"z\.bin"):
        run_submit(files_recipe(docs))
    assert batch_posts(emulator) == []


def test_dry_run_shows_the_requests_and_sends_nothing(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB
) -> None:
    shown: list[str] = []
    report = run_submit(files_recipe(docs), dry=shown, dry_run=True)
    assert len(shown) == 2 and report.to_send == 2
    assert "base64" not in shown[1] or "elided" in shown[1] or "bytes" in shown[1]
    assert len(json.loads(shown[1])["params"]["messages"][0]["content"][0]["source"]["data"]) < 200
    assert batch_posts(emulator) == [] and db.submissions("job1") == []


def test_max_cost_refuses_when_the_most_it_can_cost_is_above(
    run_submit: Submit, docs: Path, emulator: Emulator
) -> None:
    with pytest.raises(InputError, match=r"--max-cost \$0\.0001: 2 requests may cost up to"):
        run_submit(files_recipe(docs), max_cost=0.0001)
    assert batch_posts(emulator) == []
    assert run_submit(files_recipe(docs), max_cost=100.0).to_send == 2


def test_over_the_request_limit_is_split_into_parts_of_one_submission(
    run_submit: Submit, tmp_path: Path, emulator: Emulator, db: BatchDB
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(5):
        (folder / f"f{n}.txt").write_text(f"file {n}\n")
    report = run_submit(files_recipe(folder), max_requests=2)
    sizes = [len(p["body"]["requests"]) for p in batch_posts(emulator)]
    assert sizes == [2, 2, 1] and len(report.batch_ids) == 3
    assert [s.part for s in db.submissions("job1")] == [1, 2, 3]


def test_over_the_byte_limit_is_split_too(
    run_submit: Submit, tmp_path: Path, emulator: Emulator
) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    for n in range(3):
        (folder / f"f{n}.txt").write_text("x" * 3000)
    run_submit(files_recipe(folder), max_bytes=7000)
    posts = batch_posts(emulator)
    assert [len(p["body"]["requests"]) for p in posts] == [2, 1]
    assert all(len(p["raw"]) <= 7000 for p in posts)


def test_the_pending_record_is_committed_before_the_post(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB
) -> None:
    emulator.enqueue({"path": "/v1/messages/batches", "status": 400, "message": "nope"})
    from claudecli.client import APIStatusError

    with pytest.raises(APIStatusError):
        run_submit(files_recipe(docs))
    [gone] = db.submissions("job1", states=("abandoned",))
    assert gone.request_count == 2  # recorded, then dropped: the API made no batch
    assert run_submit(files_recipe(docs)).to_send == 2  # so its requests are due again


def test_a_lost_connection_leaves_it_pending_and_the_next_run_finds_the_batch(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB, events: list[str]
) -> None:
    recipe = files_recipe(docs)
    run_submit(recipe)  # a batch exists remotely ...
    [sub] = db.submissions("job1")
    _forget_batch_id(db, sub.id)  # ... but the run "died" before recording its id
    again = run_submit(recipe)
    assert again.to_send == 0 and len(batch_posts(emulator)) == 1
    assert "sent by an earlier run that stopped before recording it" in events[-1]
    assert db.submissions("job1")[0].batch_id == sub.batch_id


def test_an_unconfirmed_young_submission_blocks_sending(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB
) -> None:
    from claudecli.batches.records import NewItem

    db.begin_submission(
        "job1", part=1, items=[NewItem("x", "h", "x.md")], body_bytes=1, body_sha256="", recipe={}
    )
    with pytest.raises(BatchBusyError, match="not in the API's batch list yet"):
        run_submit(files_recipe(docs))
    assert batch_posts(emulator) == []


def test_an_unconfirmed_old_submission_is_abandoned_then_sent(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB, events: list[str]
) -> None:
    from claudecli.batches.records import NewItem

    real_clock = db.clock
    db.clock = lambda: real_clock() - 3600
    items = [NewItem("a_txt", "h", "a.txt.md")]
    db.begin_submission("job1", part=1, items=items, body_bytes=1, body_sha256="", recipe={})
    db.clock = real_clock
    assert run_submit(files_recipe(docs)).to_send == 2
    assert "never reached the API" in events[0]


def test_a_live_run_holding_the_job_refuses_a_second(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB
) -> None:
    holder = os.getppid()  # a live process that is not us
    db._db.execute(
        "INSERT INTO batch_lock(job, pid, host, until) VALUES (?, ?, ?, ?)",
        ("job1", holder, os.uname().nodename, db.clock() + 60),
    )
    with pytest.raises(BatchBusyError, match=f"another claudecli batch run \\(pid {holder}\\)"):
        run_submit(files_recipe(docs), lock_wait=0.3)
    assert batch_posts(emulator) == []


def test_a_dead_holder_s_lock_is_taken_over(
    run_submit: Submit, docs: Path, emulator: Emulator, db: BatchDB
) -> None:
    db._db.execute(
        "INSERT INTO batch_lock(job, pid, host, until) VALUES (?, ?, ?, ?)",
        ("job1", 2**22 + 12345, os.uname().nodename, db.clock() + 60),
    )
    assert run_submit(files_recipe(docs), lock_wait=0.3).to_send == 2


def test_custom_ids_are_stable_unique_and_recorded(
    run_submit: Submit, tmp_path: Path, emulator: Emulator, db: BatchDB
) -> None:
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "same name.txt").write_text(sub)
    recipe = files_recipe(tmp_path / "x", tmp_path / "y")
    run_submit(recipe)
    ids = [r["custom_id"] for r in batch_posts(emulator)[0]["body"]["requests"]]
    assert ids[0] != ids[1] and all(i.startswith("same_name_txt-") for i in ids)
    names = sorted(name for _, name in db.sources("job1").values())
    assert names[0] == "same name.txt.md" or names[1] == "same name.txt.md"
    assert len(set(names)) == 2


def test_params_hash_ignores_key_order() -> None:
    assert params_hash({"a": 1, "b": [1, 2]}) == params_hash({"b": [1, 2], "a": 1})


def _forget_batch_id(db: BatchDB, sid: int) -> None:
    db._db.execute(
        "UPDATE batch_submission SET state = 'pending', batch_id = NULL WHERE id = ?", (sid,)
    )
