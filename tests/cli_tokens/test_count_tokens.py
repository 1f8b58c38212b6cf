"""`claudecli count-tokens` end to end: the real binary against the emulator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from claudecli.emulator import Emulator
from claudecli.emulator.tokens import total_input
from claudecli.request import redact_for_display
from tests.cli_tokens.conftest import Run, as_json, requests_to
from tests.request.media import pdf, png

pytestmark = pytest.mark.slow

# claude-haiku-4-5 takes thinking "disabled" (not "adaptive") in the emulator's catalogue.
HAIKU = ("-m", "claude-haiku-4-5", "--thinking", "off")
LINE = re.compile(
    r"^(?P<tokens>[\d,]+) input tokens · (?P<share>\d+\.\d)% of claude-haiku-4-5's 200,000 · "
    r"est\. \$(?P<std>\d+\.\d{4}) \(batch \$(?P<batch>\d+\.\d{4}), "
    r"cached read \$(?P<read>\d+\.\d{4})\)$"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "notes.md": b"# Notes\n\nSome notes about the thing.\n",
        "data.csv": b"a,b\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(300)),
        "chart.png": png(4, 4),
        "report.pdf": pdf(2),
        "system.txt": b"You are terse.\n",
    }
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in made}


def count_bodies(emulator: Emulator) -> list[dict[str, Any]]:
    return [r["body"] for r in requests_to(emulator, "/v1/messages/count_tokens")]


def test_count_is_for_exactly_what_ask_dry_run_would_send(
    cli: Run, emulator: Emulator, files: dict[str, Path]
) -> None:
    inputs = [
        *HAIKU,
        "-s",
        "Answer in French.",
        "--system-file",
        str(files["system.txt"]),
        "-a",
        str(files["notes.md"]),
        "-a",
        str(files["chart.png"]),
        "-a",
        str(files["report.pdf"]),
        "--cache",
        "system",
        "--cache-ttl",
        "1h",
        "--prefill",
        "Bien",
        "compare",
        "these",
    ]
    stdin = "piped context\n"
    dry = cli("ask", "--dry-run", *inputs, input=stdin)
    assert dry.returncode == 0, dry.stderr
    counted = cli("count-tokens", "--json", *inputs, input=stdin)
    assert counted.returncode == 0, counted.stderr

    [sent] = count_bodies(emulator)
    expected = {k: v for k, v in as_json(dry.stdout).items() if k not in ("max_tokens", "stream")}
    assert redact_for_display(sent) == expected
    assert as_json(counted.stdout)["input_tokens"] == total_input(sent)


def test_line_format(cli: Run, emulator: Emulator, tmp_path: Path) -> None:
    text = tmp_path / "text.md"
    text.write_text("lorem ipsum " * 400)  # enough tokens for a cost above $0.0001
    done = cli("count-tokens", *HAIKU, "-a", str(text), "how", "many", "tokens?")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    line = done.stdout.rstrip("\n")
    match = LINE.match(line)
    assert match is not None, line
    tokens = total_input(count_bodies(emulator)[0])
    assert match["tokens"] == f"{tokens:,}"
    assert match["share"] == f"{tokens / 200_000 * 100:.1f}"
    assert match["std"] == f"{tokens * 1.0 / 1e6:.4f}"  # $1 per MTok input


def test_cost_line_for_a_large_request(cli: Run, files: dict[str, Path], tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 10_000)  # 50,000 characters
    done = cli("count-tokens", *HAIKU, "-a", str(big), "summarize")
    match = LINE.match(done.stdout.strip())
    assert match is not None, done.stdout
    tokens = int(match["tokens"].replace(",", ""))
    assert tokens > 12_500
    assert match["batch"] == f"{tokens * 0.5 / 1e6:.4f}"
    assert match["read"] == f"{tokens * 0.1 / 1e6:.4f}"


def test_json_shape(cli: Run) -> None:
    done = cli("count-tokens", "--json", *HAIKU, "hello")
    assert done.returncode == 0, done.stderr
    data = as_json(done.stdout)
    assert set(data) == {"input_tokens", "model", "context_window", "cost_usd"}
    assert data["model"] == "claude-haiku-4-5"
    assert data["context_window"] == 200_000
    assert isinstance(data["input_tokens"], int) and data["input_tokens"] > 0
    assert set(data["cost_usd"]) == {
        "standard",
        "batch",
        "cache_read",
        "cache_write_5m",
        "cache_write_1h",
    }
    assert data["cost_usd"]["standard"] == pytest.approx(data["input_tokens"] / 1e6)


def test_alias_from_settings_resolves(cli: Run, emulator: Emulator) -> None:
    done = cli("count-tokens", "--json", "-m", "haiku", "hi")
    assert done.returncode == 0, done.stderr
    assert as_json(done.stdout)["model"] == "claude-haiku-5-5"
    assert count_bodies(emulator)[0]["model"] == "claude-haiku-5-5"


def test_alias_from_the_config_file(cli: Run, emulator: Emulator, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("model_aliases:\n  cheap: claude-haiku-4-5\n")
    config.chmod(0o600)
    done = cli(
        "count-tokens",
        "-m",
        "cheap",
        "--thinking",
        "off",
        "hi",
        env={"CLAUDECLI_CONFIG": str(config)},
    )
    assert done.returncode == 0, done.stderr
    assert "of claude-haiku-4-5's 200,000" in done.stdout
    assert count_bodies(emulator)[0]["model"] == "claude-haiku-4-5"


def test_no_max_tokens_is_sent(cli: Run, emulator: Emulator) -> None:
    cli("count-tokens", *HAIKU, "--max-tokens", "5000", "hi")
    [body] = count_bodies(emulator)
    assert "max_tokens" not in body and "stream" not in body


def test_over_the_context_window_warns_and_exits_0(cli: Run, tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    big.write_text("abcd" * 210_000)  # 840,000 characters ≈ 210,000 tokens
    done = cli("count-tokens", *HAIKU, "-a", str(big), "summarize")
    assert done.returncode == 0, done.stderr
    assert "of claude-haiku-4-5's 200,000" in done.stdout
    assert "warning:" in done.stderr
    assert "exceed claude-haiku-4-5's context window of 200,000" in done.stderr


def test_each_counts_every_file_in_order_plus_the_total(
    cli: Run, emulator: Emulator, files: dict[str, Path]
) -> None:
    names = ["notes.md", "chart.png", "data.csv", "report.pdf"]
    args = [a for name in names for a in ("-a", str(files[name]))]
    done = cli("count-tokens", "--each", "--json", *HAIKU, *args, "summarize")
    assert done.returncode == 0, done.stderr
    data = as_json(done.stdout)
    assert [item["name"] for item in data["items"]] == [str(files[name]) for name in names]
    assert all(item["error"] is None for item in data["items"])
    by_name = {item["name"]: item["input_tokens"] for item in data["items"]}
    assert by_name[str(files["chart.png"])] > 1600  # an image is 1,600 in the emulator
    assert by_name[str(files["report.pdf"])] > 3000  # 1,500 per page
    total = data["total"]
    assert total["name"] == "total" and total["error"] is None
    # Every request costs 7 tokens of framing in the emulator (4 per request, 3 per message).
    assert total["input_tokens"] >= sum(by_name.values()) - 7 * len(names)
    assert len(count_bodies(emulator)) == len(names) + 1


def test_each_table(cli: Run, files: dict[str, Path]) -> None:
    args = ["-a", str(files["notes.md"]), "-a", str(files["data.csv"])]
    done = cli("count-tokens", "--each", *HAIKU, *args, "summarize")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["input", "tokens", "%", "of", "200,000", "est.", "cost"]
    assert lines[1].startswith(str(files["notes.md"]))
    assert lines[2].startswith(str(files["data.csv"]))
    assert lines[3].startswith("total")
    assert len(lines) == 4
    for line in lines[1:]:
        assert re.search(r"\s[\d,]+\s+\d+\.\d%\s+(\$\d+\.\d{4}|<\$0\.0001)$", line), line


def test_each_with_stdin_counts_stdin_first(cli: Run, files: dict[str, Path]) -> None:
    done = cli(
        "count-tokens", "--each", "--json", *HAIKU, "-a", str(files["notes.md"]), input="piped\n"
    )
    assert done.returncode == 0, done.stderr
    names = [item["name"] for item in as_json(done.stdout)["items"]]
    assert names == ["stdin", str(files["notes.md"])]


def test_each_without_attachments_is_a_usage_error(cli: Run) -> None:
    done = cli("count-tokens", "--each", *HAIKU, "just words")
    assert done.returncode == 2
    assert "--each" in done.stderr


def test_each_survives_a_429_retried_by_the_client(
    cli: Run, emulator: Emulator, files: dict[str, Path]
) -> None:
    emulator.enqueue({"status": 429, "retry_after_ms": 5})
    args = ["-a", str(files["notes.md"]), "-a", str(files["data.csv"])]
    done = cli("count-tokens", "--each", "--json", *HAIKU, *args)
    assert done.returncode == 0, done.stderr
    data = as_json(done.stdout)
    assert all(item["input_tokens"] for item in [*data["items"], data["total"]])
    assert "retrying" in done.stderr
    assert len(count_bodies(emulator)) == 4  # three counts, one of them twice


def test_each_reports_a_failed_file_and_exits_non_zero(
    cli: Run, emulator: Emulator, files: dict[str, Path]
) -> None:
    emulator.enqueue({"status": 429, "message": "Slow down"})
    names = ["notes.md", "data.csv", "chart.png"]
    args = [a for name in names for a in ("-a", str(files[name]))]
    done = cli("count-tokens", "--each", *HAIKU, *args, env={"CLAUDECLI_MAX_RETRIES": "0"})
    assert done.returncode == 6, done.stderr  # service unavailable after retries
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:]] == [*(str(files[n]) for n in names), "total"]
    failed = [line for line in lines[1:] if "rate limited (429)" in line]
    assert len(failed) == 1
    counted = [line for line in lines[1:] if re.search(r"\d+\.\d%", line)]
    assert len(counted) == 3
    assert "claudecli: error: " in done.stderr and "Slow down" in done.stderr


def test_single_count_error_uses_the_exit_code_table(cli: Run, emulator: Emulator) -> None:
    emulator.enqueue({"status": 400, "message": "bad thing"})
    done = cli("count-tokens", *HAIKU, "hi")
    assert done.returncode == 5
    assert done.stdout == ""
    assert done.stderr.startswith("claudecli: error: bad thing")


def test_no_input_is_a_usage_error(cli: Run) -> None:
    done = cli("count-tokens", *HAIKU)
    assert done.returncode == 2


def test_missing_attachment_is_bad_input(cli: Run, tmp_path: Path) -> None:
    done = cli("count-tokens", *HAIKU, "-a", str(tmp_path / "nope.txt"), "hi")
    assert done.returncode == 3
    assert "no such file" in done.stderr


def test_count_works_when_the_models_endpoint_fails(cli: Run, emulator: Emulator) -> None:
    emulator.enqueue({"path": "/v1/models*", "status": 404, "message": "no models here"})
    done = cli("count-tokens", *HAIKU, "hi")
    assert done.returncode == 0, done.stderr
    assert re.match(r"^8 input tokens · est\. <\$0\.0001 \(batch <\$0\.0001,", done.stdout)
