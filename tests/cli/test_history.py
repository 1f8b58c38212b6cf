"""`claudecli history …` with the installed binary (in a pipe, and `show` in a tmux pty), and
`history usage` in-process on a fixed clock. The store is seeded directly, on fixed timestamps."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claudecli.cli import main
from claudecli.cli.context import Environment
from claudecli.conversations import Store, store_path
from tests.cli.helpers import Result, cli_env, command, run
from tests.conversations.helpers import MODEL, document, exchange, new, reply, text

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
ANSWER = "# SIGPIPE\n\nIt is **sent** when the reader closes the pipe."


class Seeded:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = cli_env(None, key=None, CLAUDECLI_HOME=str(home))
        self.path = store_path({"CLAUDECLI_HOME": str(home)})
        clock = iter(T0 + n * 60 for n in range(1000))
        with Store.open(self.path, clock=lambda: next(clock)) as store:
            self.pipes = new(store, "Explain SIGPIPE\nin a paragraph")
            exchange(
                store,
                self.pipes,
                "Explain SIGPIPE",
                ANSWER,
                input_tokens=1000,
                output_tokens=50,
                cache_read_input_tokens=4000,
            )
            self.report = new(store, "summarize the report")
            store.add_user_turn(self.report, [document(), text("summarize")])
            recorder = store.start_reply(self.report, model=MODEL)
            recorder.interrupt(
                reply(text("The report"), stop=None), status="interrupted", error="SIGINT"
            )

    def __call__(self, *args: str, stdin: bytes = b"") -> Result:
        return run(["history", *args], url=None, env=self.env, stdin=stdin)


@pytest.fixture
def history(tmp_path: Path) -> Seeded:
    return Seeded(tmp_path / "home")


def test_list_in_a_pipe_is_tab_separated_newest_first_with_a_footer(history: Seeded) -> None:
    done = history("list")
    assert done.rc == 0, done
    header, first, second = done.text.splitlines()
    assert header.split("\t") == ["id", "title", "model", "turns", "tokens", "cost", "updated"]
    assert first.split("\t")[:4] == [history.report, "summarize the report", MODEL, "1"]
    assert second.split("\t")[1] == "Explain SIGPIPE" and second.split("\t")[4] == "5,050"
    assert second.split("\t")[6] == "2023-11-14 22:16"
    assert (
        done.err.startswith("claudecli: 2 of 2 conversations · store ")
        and str(history.path) in done.err
    )


def test_list_json_and_limit(history: Seeded) -> None:
    rows = json.loads(history("list", "--json", "--limit", "1").out)
    assert [row["id"] for row in rows] == [history.report] and rows[0]["turns"] == 1


def test_show_in_a_pipe_quotes_the_user_and_prints_the_answer_raw(history: Seeded) -> None:
    done = history("show", history.pipes[:10])
    assert done.rc == 0, done
    assert done.text.startswith("> Explain SIGPIPE\n\n# SIGPIPE\n")
    assert "**sent**" in done.text and b"\x1b" not in done.out
    interrupted = history("show", history.report).text
    assert "> [document application/pdf]\n> summarize\n" in interrupted
    assert "The report\n[interrupted: SIGINT]" in interrupted


def test_show_json_is_the_api_shape_messages(history: Seeded) -> None:
    messages = json.loads(history("show", history.report, "--json").out)
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == [document(), text("summarize")]


def test_unknown_and_ambiguous_ids_are_usage_errors(history: Seeded) -> None:
    unknown = history("show", "zzzz")
    assert (
        unknown.rc == 2 and unknown.err.count("\n") == 1 and "no conversation 'zzzz'" in unknown.err
    )
    ambiguous = history("show", history.pipes[:2])
    assert ambiguous.rc == 2 and "ambiguous" in ambiguous.err


def test_export_markdown_and_jsonl(history: Seeded) -> None:
    markdown = history("export", history.pipes).text
    assert markdown.startswith("# Explain SIGPIPE\n") and "## User\n\nExplain SIGPIPE" in markdown
    assert "## Assistant\n\n# SIGPIPE" in markdown
    lines = history("export", history.report, "--format", "jsonl").text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["role"], r["status"]) for r in records] == [
        ("user", "complete"),
        ("assistant", "interrupted"),
    ]


def test_search_prints_id_title_and_the_passage(history: Seeded) -> None:
    done = history("search", "reader")
    assert done.rc == 0, done
    [_, hit] = done.text.splitlines()
    assert hit.startswith(f"{history.pipes}\tExplain SIGPIPE\t") and "[reader]" in hit
    assert history("search", "nothing-like-it").err.startswith(
        "claudecli: no conversation contains"
    )


def test_rm_refuses_without_yes_when_stdin_is_not_a_terminal(history: Seeded) -> None:
    refused = history("rm", history.report)
    assert refused.rc == 2 and "--yes" in refused.err
    assert history("rm", history.report, "--yes").rc == 0
    assert [row["id"] for row in json.loads(history("list", "--json").out)] == [history.pipes]


def test_usage_json_sums_tokens_cost_and_savings(history: Seeded) -> None:
    document_ = json.loads(history("usage", "--json", "--days", "20000").out)
    [row] = document_["rows"]
    assert (row["day"], row["model"], row["replies"]) == ("2023-11-14", MODEL, 2)
    assert (row["input_tokens"], row["cache_read_tokens"]) == (1100, 4000)
    assert row["cache_savings_usd"] == pytest.approx(4000 * (3 - 0.3) / 1e6)


def test_prune_deletes_old_conversations_and_keeps_recent_ones(history: Seeded) -> None:
    with Store.open(history.path) as store:
        recent = new(store, "today's")  # on the real clock: never 30 days old
    assert history("prune", "--older-than", "30").rc == 2
    done = history("prune", "--older-than", "30", "--yes")
    assert done.rc == 0 and "deleted 2 conversation(s), 4 message(s), 1 attachment(s)" in done.err
    assert [row["id"] for row in json.loads(history("list", "--json").out)] == [recent]


def test_a_corrupt_or_newer_store_is_one_line_and_exit_3(history: Seeded) -> None:
    db = sqlite3.connect(history.path)
    db.execute("PRAGMA user_version = 7")
    db.close()
    newer = history("list")
    assert newer.rc == 3 and newer.err.count("\n") == 1 and "newer claudecli" in newer.err
    history.path.write_bytes(b"garbage" * 1000)
    Path(f"{history.path}-wal").unlink(missing_ok=True)
    corrupt = history("list")
    assert corrupt.rc == 3 and f"{history.path}: the conversation store is corrupt" in corrupt.err
    assert corrupt.err.count("\n") == 1 and history.path.read_bytes() == b"garbage" * 1000


def inprocess(home: Path, *args: str, tty: bool) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    environment = Environment(
        env={"CLAUDECLI_HOME": str(home), "TERM": "xterm-256color"},
        clock=lambda: datetime(2023, 11, 16, 12, tzinfo=UTC),
        stdin=io.BytesIO(b""),
        stdout=stdout,
        stderr=stderr,
        stdin_isatty=False,
        stdout_isatty=tty,
        stderr_isatty=False,
    )
    with pytest.raises(SystemExit) as ended:
        main(["history", *args], environment)
    return int(ended.value.code or 0), stdout.getvalue(), stderr.getvalue()


def test_usage_on_a_terminal_draws_bars_per_day(history: Seeded) -> None:
    code, out, _ = inprocess(history.home, "usage", "--days", "3", tty=True)
    assert code == 0
    days = out.splitlines()[1:4]
    assert [line[:10] for line in days] == ["2023-11-14", "2023-11-15", "2023-11-16"]
    assert days[0].endswith("█" * 40) and days[1].rstrip().endswith("$0.0000")
    assert "cache saved $0.0108" in out


def test_usage_in_a_pipe_is_plain_lines(history: Seeded) -> None:
    code, out, _ = inprocess(history.home, "usage", "--days", "2", tty=False)
    assert code == 0 and "█" not in out
    assert out.splitlines()[1].startswith("2023-11-15     $0.0000  in 0 · out 0")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_show_on_a_terminal_renders_the_answer(history: Seeded) -> None:
    session = f"claudecli-history-{uuid.uuid4().hex[:8]}"
    environ = " ".join(
        f"{k}={v}" for k, v in (("CLAUDECLI_HOME", history.home), ("TERM", "xterm-256color"))
    )
    shell = f"env {environ} {' '.join(command())} history show {history.pipes}; sleep 30"
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "20", shell], check=True
    )
    try:
        screen = ""
        for _ in range(100):
            time.sleep(0.1)
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            if "reader" in screen:
                break
        assert "> Explain SIGPIPE" in screen
        assert "SIGPIPE" in screen and "# SIGPIPE" not in screen and "**" not in screen, screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
