"""`claudecli batch`: the installed binary against the emulator, as a cron line would run it."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claudecli.emulator import Emulator
from tests.batches.conftest import batch_posts
from tests.cli.helpers import Result, cli_env, message_requests, pdf, run, run_many, start

Batch = Callable[..., Result]
CRON = ("--prompt", "Summarize this", "--max-tokens", "300")


def sent_ids(post: dict[str, Any]) -> list[str]:
    return sorted(item["custom_id"] for item in post["body"]["requests"])


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(pdf(2))
    (folder / "minutes.pdf").write_bytes(pdf(1))
    (folder / "notes.txt").write_text("ship on friday\n")
    return folder


@pytest.fixture
def batch(emulator: Emulator, tmp_path: Path) -> Batch:
    """`batch("submit", ...)` -> Result, run from tmp_path (cron runs from a fixed directory)."""

    def call(*args: str, emu: Emulator | None = None, **kwargs: Any) -> Result:
        url = (emu or emulator).url
        env = cli_env(url, CLAUDECLI_HOME=str(tmp_path / "home"))
        return run(["batch", *args], url=url, env=env, **kwargs)

    return call


def out_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_the_same_cron_line_twice_posts_once_and_a_new_file_alone(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    out = str(tmp_path / "answers")
    first = batch("submit", *CRON, "--out", out, str(inbox))
    assert first.rc == 0, first
    assert "submitted batch msgbatch_" in first.err and "3 requests" in first.err
    second = batch("submit", *CRON, "--out", out, str(inbox))
    assert second.rc == 0, second
    assert "nothing to submit: all 3 requests already sent" in second.err
    assert len(batch_posts(emulator)) == 1
    assert message_requests(emulator) == []  # a batch never talks to /v1/messages
    (inbox / "later.txt").write_text("a new file\n")
    third = batch("submit", *CRON, "--out", out, str(inbox))
    assert third.rc == 0, third
    posts = batch_posts(emulator)
    assert len(posts) == 2 and sent_ids(posts[1]) == ["later_txt"]
    assert "\x1b" not in first.err + second.err + third.err  # no colour without a terminal


def test_pdfs_and_text_are_attached_as_ask_attaches_them(
    batch: Batch, inbox: Path, emulator: Emulator
) -> None:
    assert batch("submit", *CRON, str(inbox)).rc == 0
    [post] = batch_posts(emulator)
    params = {r["custom_id"]: r["params"] for r in post["body"]["requests"]}
    report = params["report_pdf"]["messages"][0]["content"]
    assert (
        report[0]["type"] == "document" and report[0]["source"]["media_type"] == "application/pdf"
    )
    assert report[-1] == {"type": "text", "text": "Summarize this"}
    assert "ship on friday" in json.dumps(params["notes_txt"])
    assert all(p["max_tokens"] == 300 and "stream" not in p for p in params.values())


def test_status_wait_follows_it_to_the_end_and_collect_writes_one_answer_per_file(
    batch: Batch, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "answers"
    with Emulator(batch_delay=1.0) as slow:
        assert batch("submit", *CRON, "--out", str(out), str(inbox), emu=slow).rc == 0
        status = batch("status", "--wait", "--timeout", "30", emu=slow)
        assert status.rc == 0, status
        lines = [line for line in status.err.splitlines() if "batch(es)" in line]
        assert lines[0].endswith("in_progress: 0 of 3 done") and lines[-1].endswith(
            "ended: 3 of 3 done"
        )
        assert "ended" in status.text and "succeeded" in status.text
        collected = batch("collect", emu=slow)
        assert collected.rc == 0, collected
        assert "collected 1 batch(es): 3 answers written" in collected.err
        assert out_files(out) == ["minutes.pdf.md", "notes.txt.md", "report.pdf.md"]
        assert "Summarize this" in (out / "notes.txt.md").read_text()
        again = batch("collect", emu=slow)
        assert again.rc == 0 and "nothing to collect" in again.err


def test_status_wait_times_out_with_124(batch: Batch, inbox: Path) -> None:
    with Emulator(batch_delay=60.0) as slow:
        assert batch("submit", *CRON, str(inbox), emu=slow).rc == 0
        result = batch("status", "--wait", "--timeout", "0.5", emu=slow)
    assert result.rc == 124, result
    assert "--timeout 0.5 s: 1 batch(es) still running" in result.err


def test_errored_and_expired_exit_8_land_in_errors_jsonl_and_retry_sends_only_them(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    (inbox / "broken.txt").write_text("#emu batch_result=errored status=400 message=bad-input\n")
    (inbox / "slow.txt").write_text("#emu batch_result=expired\n")
    out = tmp_path / "answers"
    assert batch("submit", *CRON, "--out", str(out), str(inbox)).rc == 0
    waited = batch("status", "--wait", "--timeout", "30")
    assert waited.rc == 8, waited
    assert "ended with 1 errored, 1 expired" in waited.err
    collected = batch("collect")
    assert collected.rc == 8, collected
    assert "3 answers written, 1 errored, 1 expired" in collected.err
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert sorted(e["custom_id"] for e in errors) == ["broken_txt", "slow_txt"]
    assert [
        e["result"]["error"]["error"]["message"] for e in errors if e["result"].get("error")
    ] == ["bad-input"]
    job = next(line for line in collected.err.splitlines() if "collected" in line)
    assert job
    retried = batch("retry", "--job", job_name(batch))
    assert retried.rc == 0, retried
    posts = batch_posts(emulator)
    assert len(posts) == 2 and sent_ids(posts[1]) == ["broken_txt", "slow_txt"]
    assert "2 of 2 errored or expired requests sent again" in retried.err


def job_name(batch: Batch) -> str:
    listed = batch("list")
    assert listed.rc == 0, listed
    return listed.text.splitlines()[1].split()[-1]


def test_kill_9_between_the_post_and_its_record_then_rerun_posts_nothing(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    """The API takes its time answering the POST; the run is killed while it waits, so the
    batch exists but its id was never recorded. The next run finds it in the batch list."""
    emulator.enqueue({"path": "/v1/messages/batches", "delay": 3})
    env = cli_env(emulator.url, CLAUDECLI_HOME=str(tmp_path / "home"))
    proc = start(["batch", "submit", *CRON, str(inbox)], url=emulator.url, env=env)
    try:
        wait_for(lambda: len(batch_posts(emulator)) == 1, "the POST")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=10)  # reaps it (a zombie would still look alive) and closes pipes
    assert proc.returncode == -signal.SIGKILL
    wait_for(lambda: remote_batches(emulator) == 1, "the emulator to create the batch")
    rerun = batch("submit", *CRON, str(inbox))
    assert rerun.rc == 0, rerun
    assert "sent by an earlier run that stopped before recording it" in rerun.err
    assert len(batch_posts(emulator)) == 1
    assert batch("submit", *CRON, str(inbox)).rc == 0
    assert len(batch_posts(emulator)) == 1


def remote_batches(emulator: Emulator) -> int:
    import urllib.request

    request = urllib.request.Request(
        emulator.url + "/v1/messages/batches",
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return len(json.load(response)["data"])


def test_two_concurrent_submits_post_once(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    env = cli_env(emulator.url, CLAUDECLI_HOME=str(tmp_path / "home"))
    args = ["batch", "submit", *CRON, str(inbox)]
    results = run_many([(args, {"url": emulator.url, "env": env})] * 2)
    assert len(batch_posts(emulator)) == 1, results
    assert sorted(r.rc for r in results)[0] == 0, results
    assert all(r.rc in (0, 6) for r in results), results
    for result in results:
        assert "Traceback" not in result.err


def test_a_bad_jsonl_line_names_its_line_and_nothing_is_sent(
    batch: Batch, emulator: Emulator, tmp_path: Path
) -> None:
    good = {
        "custom_id": "q1",
        "params": {
            "model": "claude-sonnet-5-5",
            "max_tokens": 50,
            "messages": [{"role": "user", "content": "hi"}],
        },
    }
    path = tmp_path / "requests.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"custom_id": "q2", "params": [1]}\n')
    result = batch("submit", str(path))
    assert result.rc == 3, result
    assert result.err.strip() == (
        f"claudecli: error: {path}:2: params must be an object (a /v1/messages request body)"
    )
    assert batch_posts(emulator) == []
    path.write_text(json.dumps(good) + "\n")
    assert batch("submit", str(path)).rc == 0
    assert sent_ids(batch_posts(emulator)[0]) == ["q1"]


def test_dry_run_prints_jsonl_with_base64_elided_and_max_cost_refuses(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    dry = batch("submit", *CRON, "--dry-run", str(inbox))
    assert dry.rc == 0, dry
    lines = [json.loads(line) for line in dry.text.splitlines()]
    assert sorted(line["custom_id"] for line in lines) == ["minutes_pdf", "notes_txt", "report_pdf"]
    assert len(dry.out) < 5000  # the PDFs' base64 is elided
    assert "at most $" in dry.err and "batch price" in dry.err and "nothing was sent" in dry.err
    refused = batch("submit", *CRON, "--max-cost", "0.000001", str(inbox))
    assert refused.rc == 3, refused
    assert "--max-cost $0.0000" in refused.err or "--max-cost <$0.0001" in refused.err
    assert batch_posts(emulator) == []
    assert not (tmp_path / "home").exists() or batch("status").rc == 0


def test_results_of_a_batch_by_id_and_jsonl(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    assert batch("submit", *CRON, str(inbox)).rc == 0
    assert batch("status", "--wait", "--timeout", "30").rc == 0
    batch_id = batch_posts(emulator) and batch("list").text.splitlines()[1].split()[0]
    out = tmp_path / "by-id"
    written = batch("results", str(batch_id), "--out", str(out))
    assert written.rc == 0, written
    assert out_files(out) == ["minutes.pdf.md", "notes.txt.md", "report.pdf.md"]
    again = batch("results", str(batch_id), "--out", str(out))
    assert "0 answers written; 3 already written before" in again.err
    lines = batch("results", str(batch_id), "--jsonl")
    assert lines.rc == 0 and len(lines.text.splitlines()) == 3


def test_usage_errors_are_one_line_with_exit_2(batch: Batch, tmp_path: Path) -> None:
    for args, text in (
        (("submit",), "give one REQUESTS.jsonl"),
        (("submit", "--prompt", "x"), "--prompt: name the files"),
        (("submit", "--template", "x"), "--template and --records go together"),
        (("submit", "--prompt", "x", "-a", "-", "f"), "--attach -: batch never reads stdin"),
        (("retry",), "name a batch ID or --job NAME"),
        (("status", "--job", "nope"), "--job nope: no batches for this job"),
    ):
        result = batch(*args)
        assert result.rc == 2, (args, result)
        assert text in result.err and result.err.count("\n") == 1, (args, result)


@pytest.mark.parametrize("args", [("batch",), ("batch", "submit"), ("batch", "collect")])
def test_batch_help_ends_with_two_or_three_examples(args: tuple[str, ...]) -> None:
    import subprocess

    from tests.cli.helpers import command

    done = subprocess.run(
        [*command(), *args, "--help"], capture_output=True, text=True, env=cli_env(None), timeout=30
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.rstrip().split("\nExamples:\n")[-1].splitlines()
    assert 2 <= len(lines) <= 3 and all(line.strip().startswith("claudecli ") for line in lines)


def test_collected_answers_are_in_history_at_the_batch_price_and_ask_c_continues_them(
    batch: Batch, inbox: Path, emulator: Emulator, tmp_path: Path
) -> None:
    from claudecli.pricing import cost_of_usage

    assert batch("submit", *CRON, "--out", str(tmp_path / "answers"), str(inbox)).rc == 0
    assert batch("status", "--wait", "--timeout", "30").rc == 0
    assert batch("collect").rc == 0
    assert batch("collect").rc == 0  # nothing recorded twice
    env = cli_env(emulator.url, CLAUDECLI_HOME=str(tmp_path / "home"))
    listed = run(["history", "list", "--json"], url=emulator.url, env=env)
    assert listed.rc == 0, listed
    titles = sorted(c["title"] for c in json.loads(listed.out))
    assert titles == ["minutes.pdf", "notes.txt", "report.pdf"]
    usage = run(["history", "usage", "--json"], url=emulator.url, env=env)
    assert usage.rc == 0, usage
    [row] = json.loads(usage.out)["rows"]
    results = batch("results", job_name_id(batch), "--jsonl")
    messages = [json.loads(line)["result"]["message"] for line in results.text.splitlines()]
    batch_price = [cost_of_usage(m["usage"], m["model"], batch=True) for m in messages]
    assert all(m["usage"].get("service_tier") == "batch" for m in messages)
    assert row["replies"] == 3
    assert row["cost_usd"] == pytest.approx(sum(c.total for c in batch_price if c), abs=1e-9)
    notes = next(c["id"] for c in json.loads(listed.out) if c["title"] == "notes.txt")
    more = run(["ask", "--conversation", notes, "and in French?"], url=emulator.url, env=env)
    assert more.rc == 0, more
    sent = message_requests(emulator)[-1]["body"]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "ship on friday" in json.dumps(sent[0])


def job_name_id(batch: Batch) -> str:
    return batch("list").text.splitlines()[1].split()[0]


def test_schema_answers_not_valid_under_it_exit_8_with_a_reason(
    batch: Batch, emulator: Emulator, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text(
        '{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}'
    )
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("count\n")
    (folder / "wrong.txt").write_text('#emu text=\'{"n": "seven"}\'\n')
    out = tmp_path / "answers"
    sent = batch("submit", *CRON, "--schema", str(schema), "--out", str(out), str(folder))
    assert sent.rc == 0, sent
    assert batch("status", "--wait", "--timeout", "30").rc == 0
    collected = batch("collect")
    assert collected.rc == 8, collected
    assert "1 answers written, 1 errored (1 not valid under the --schema)" in collected.err
    assert out_files(out) == ["errors.jsonl", "good.txt.json"]
    [error] = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["custom_id"] == "wrong_txt" and "does not match --schema at n" in error["reason"]
