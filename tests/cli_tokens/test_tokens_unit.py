"""count-tokens internals in-process: job building, ordering, failures, formats."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import typer

from claudecli.cli.count_tokens import (
    Count,
    Report,
    count_each,
    count_jobs,
    finish,
    input_tokens,
    item_specs,
    render_json,
    render_text,
    summary_line,
)
from claudecli.cli.output import format_table
from claudecli.client.errors import APIStatusError, ProtocolError
from claudecli.errors import UsageError
from claudecli.request import RequestSpec, attachment_from_bytes


def spec(**changes: Any) -> RequestSpec:
    attachments = (
        attachment_from_bytes(b"alpha text\n", label="a.txt"),
        attachment_from_bytes(b"beta text\n", label="b.txt"),
    )
    values: dict[str, Any] = {
        "model": "claude-haiku-4-5",
        "max_tokens": 4096,
        "prompt": "compare",
        "system": "be brief",
        "attachments": attachments,
        "cache": frozenset({"system"}),
        "thinking": "off",
    }
    values.update(changes)
    return RequestSpec(**values)


class FakeClient:
    """count_tokens: the text length, slowly for early jobs, failing for bodies with `fail`."""

    def __init__(self, fail: str | None = None) -> None:
        self.fail = fail
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    def count_tokens(self, body: dict[str, Any]) -> dict[str, Any]:
        text = repr(body["messages"])
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.05 if "alpha" in text else 0.01)
        with self.lock:
            self.active -= 1
        if self.fail and self.fail in text:
            raise APIStatusError("Slow down", status_code=429, error_type="rate_limit_error")
        return {"input_tokens": len(text)}


class TestJobs:
    def test_single_job_is_the_whole_request(self) -> None:
        [(name, body)] = count_jobs(spec(), each=False)
        assert name == "total"
        assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
        assert "max_tokens" not in body

    def test_each_job_holds_only_its_item(self) -> None:
        jobs = count_jobs(spec(), each=True)
        assert [name for name, _ in jobs] == ["a.txt", "b.txt", "total"]
        body = jobs[0][1]
        assert set(body) == {"model", "messages"}
        [message] = body["messages"]
        assert len(message["content"]) == 1 and "alpha" in message["content"][0]["text"]

    def test_stdin_comes_first_and_blank_stdin_is_skipped(self) -> None:
        names = [name for name, _ in item_specs(spec(stdin=b"piped\n"))]
        assert names == ["stdin", "a.txt", "b.txt"]
        assert [name for name, _ in item_specs(spec(stdin=b"  \n"))] == ["a.txt", "b.txt"]

    def test_each_needs_something_to_split(self) -> None:
        with pytest.raises(UsageError, match="--each"):
            count_jobs(spec(attachments=()), each=True)


class TestCountEach:
    def test_order_is_preserved_and_concurrency_bounded(self) -> None:
        many = tuple(
            attachment_from_bytes(f"{'alpha' if i == 0 else 'x'} {i}\n".encode(), label=f"f{i}")
            for i in range(9)
        )
        jobs = count_jobs(spec(attachments=many), each=True)
        client = FakeClient()
        counts = count_each(client, jobs)  # type: ignore[arg-type]
        assert [c.name for c in counts] == [f"f{i}" for i in range(9)] + ["total"]
        assert all(c.tokens and c.error is None for c in counts)
        assert 1 < client.peak <= 4

    def test_a_failure_stays_in_its_row(self) -> None:
        counts = count_each(FakeClient(fail="beta"), count_jobs(spec(), each=True))  # type: ignore[arg-type]
        assert [c.name for c in counts] == ["a.txt", "b.txt", "total"]
        assert counts[0].tokens and counts[0].error is None
        assert counts[1].tokens is None and isinstance(counts[1].error, APIStatusError)
        assert counts[2].error is not None  # the whole request holds b.txt too


class TestOutput:
    def test_summary_line(self) -> None:
        assert summary_line(12_345, "claude-sonnet-4-5", 200_000) == (
            "12,345 input tokens · 6.2% of claude-sonnet-4-5's 200,000 · "
            "est. $0.0370 (batch $0.0185, cached read $0.0037)"
        )

    def test_unknown_model_shows_tokens_only(self) -> None:
        assert summary_line(12_345, "mystery-model", None) == "12,345 input tokens"
        assert (
            summary_line(10, "mystery-model", 100)
            == "10 input tokens · 10.0% of mystery-model's 100"
        )

    def test_unknown_window(self) -> None:
        line = summary_line(1_000, "claude-haiku-4-5", None)
        assert line == "1,000 input tokens · est. $0.0010 (batch $0.0005, cached read $0.0001)"

    def test_json_for_unknown_model(self) -> None:
        report = Report("mystery", None, Count("total", tokens=7))
        assert render_json(report) == (
            '{\n  "input_tokens": 7,\n  "model": "mystery",\n  "context_window": null,\n'
            '  "cost_usd": null\n}'
        )

    def test_table_with_a_failed_row(self) -> None:
        error = APIStatusError("Slow down", status_code=429, error_type="rate_limit_error")
        report = Report(
            "claude-haiku-4-5",
            200_000,
            Count("total", error=error),
            (Count("a.txt", tokens=1_000), Count("b.txt", error=error)),
        )
        assert render_text(report, each=True).splitlines() == [
            "input  tokens  % of 200,000  est. cost  error",
            "a.txt   1,000          0.5%    $0.0010",
            "b.txt       -             -          -  rate limited (429): Slow down",
            "total       -             -          -  rate limited (429): Slow down",
        ]

    def test_format_table(self) -> None:
        table = format_table(["a", "n"], [["x", "1"], ["long", "1,000"]], right_aligned={1})
        assert table.splitlines() == ["a         n", "x         1", "long  1,000"]


class TestFinish:
    def test_over_the_window_warns_exit_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        finish(Report("claude-haiku-4-5", 100, Count("total", tokens=150)))
        err = capsys.readouterr().err
        assert err == (
            "claudecli: warning: 150 input tokens exceed claude-haiku-4-5's context window "
            "of 100; the API would reject this request\n"
        )

    def test_failed_rows_set_the_exit_code(self, capsys: pytest.CaptureFixture[str]) -> None:
        error = APIStatusError("nope", status_code=400, error_type="invalid_request_error")
        report = Report("m", None, Count("total", tokens=5), (Count("a.txt", error=error),))
        with pytest.raises(typer.Exit) as exc:
            finish(report)
        assert exc.value.exit_code == 5
        assert capsys.readouterr().err == "claudecli: error: a.txt: nope (HTTP 400)\n"


def test_input_tokens_must_be_a_count() -> None:
    assert input_tokens({"input_tokens": 3}) == 3
    with pytest.raises(ProtocolError):
        input_tokens({"tokens": 3})
    with pytest.raises(ProtocolError):
        input_tokens({"input_tokens": True})
