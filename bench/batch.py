"""`claudecli batch` benchmarks (issue 13): memory and local overhead of big submissions and
big results files, each measured on the installed binary in its own process.

    .venv/bin/python bench/batch.py                   # 10,000 requests, 100,000 results
    .venv/bin/python bench/batch.py --requests 2000 --results 20000 --text 2000

Targets:
1. 10,000 generated requests built and submitted: peak RSS <= 150 MB, the request body streamed
   (each request carries --text bytes, so the body is far bigger than what the process holds);
2. a 100,000-item results file processed streaming (`batch results ID --out DIR`, one answer
   file each, and `--jsonl`): peak RSS <= 100 MB;
3. claudecli's local overhead for the 10,000-request submission <= 5 s: the command's wall time
   minus the time the server takes to accept that POST (read, parse and check the body),
   measured by POSTing the same body to the emulator directly.

The emulator runs in a separate process (`python -m claudecli.emulator`), and results come from
a tiny stdlib server in another process that generates the JSONL on the fly, so neither adds to
the measured RSS. Peak RSS is the child's own `ru_maxrss` (os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = str(ROOT / ".venv" / "bin" / "claudecli")
PY = str(ROOT / ".venv" / "bin" / "python")
BATCH_ID = "msgbatch_bench_results"
TARGETS = {"submit_rss_mb": 150.0, "results_rss_mb": 100.0, "overhead_s": 5.0}


# Linux keeps a process's peak RSS across exec (`signal->maxrss` takes the pre-exec mm's), so
# a child forked straight from this (large) process would report this process's size. The
# binary is therefore started by a small launcher, and the launcher reports its child's figure.
LAUNCHER = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump({"rss_kb": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status)}, out)
"""


def measure(args: Sequence[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MB, exit status, stderr) of one run of the binary."""
    with tempfile.TemporaryDirectory() as tmp:
        report, err_path = Path(tmp) / "rusage.json", Path(tmp) / "stderr"
        started = time.perf_counter()
        with err_path.open("wb") as err:
            command = [PY, "-c", LAUNCHER, str(report), CLI, *args]
            subprocess.run(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                check=True,
            )
        wall = time.perf_counter() - started
        figures = json.loads(report.read_text())
        text = err_path.read_text("utf-8", "replace")
    return wall, figures["rss_kb"] / 1024, int(figures["rc"]), text


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [PY, "-m", "claudecli.emulator", "--port", "0", "--batch-delay", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def write_records(path: Path, count: int, text_bytes: int) -> None:
    filler = ("lorem ipsum dolor sit amet " * (text_bytes // 27 + 1))[:text_bytes]
    with path.open("w") as out:
        for n in range(count):
            out.write(json.dumps({"id": f"r{n}", "n": n, "text": filler}) + "\n")


def server_seconds(url: str, body: bytes) -> float:
    """How long the emulator takes to take this body (what is not claudecli's overhead)."""
    request = urllib.request.Request(
        url + "/v1/messages/batches",
        data=body,
        headers={"x-api-key": "k", "anthropic-version": "2023-06-01"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
    return time.perf_counter() - started


def bench_submit(work: Path, count: int, text_bytes: int) -> dict[str, Any]:
    emu, url = start_emulator()
    try:
        records = work / "records.jsonl"
        write_records(records, count, text_bytes)
        env = {**os.environ, "ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "k"}
        env["CLAUDECLI_HOME"] = str(work / "home")
        args = ["batch", "submit", "--template", "Summarize item {n}: {text}", "--records"]
        args += [str(records), "--max-tokens", "100", "--job", "bench", "--out", str(work / "o")]
        dry = measure([*args, "--dry-run"], env)
        wall, rss, rc, err = measure(args, env)
        assert rc == 0, err
        body = rebuild_body(records, count, text_bytes, url)
        server = server_seconds(url, body)
    finally:
        emu.terminate()
        emu.wait()
    return {
        "requests": count,
        "body_mb": len(body) / 1024 / 1024,
        "wall_s": wall,
        "server_s": server,
        "overhead_s": wall - server,
        "rss_mb": rss,
        "dry_run_s": dry[0],
        "dry_run_rss_mb": dry[1],
    }


def rebuild_body(records: Path, count: int, text_bytes: int, url: str) -> bytes:
    """The same body the command sent (built in this process with the same workflow)."""
    from datetime import date

    from claudecli.batches import Builder, Recipe
    from claudecli.config import resolve_settings
    from claudecli.request import encode_body

    options = {"max_tokens": 100, "attach": [], "stop": [], "cache": [], "betas": []}
    recipe = Recipe("records", (str(records),), "Summarize item {n}: {text}", options)
    resolved = resolve_settings({}, {"ANTHROPIC_BASE_URL": url}, None)
    builder = Builder(recipe, resolved, today=date.today(), answer_ext=".md")
    lines = [
        encode_body({"custom_id": b.custom_id, "params": b.params}) for b in builder.requests()
    ]
    return b'{"requests":[' + b",".join(lines) + b"]}"


# --- results ----------------------------------------------------------------------------------


def result_lines(count: int, answer_bytes: int) -> Iterator[bytes]:
    text = ("The answer, in short: " + "x" * answer_bytes)[:answer_bytes]
    for n in range(count):
        message = {
            "id": f"msg_{n}",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": 50, "output_tokens": 40, "service_tier": "batch"},
        }
        result = {"type": "succeeded", "message": message}
        if n % 1000 == 999:
            result = {"type": "errored", "error": {"type": "error", "error": {"type": "x"}}}
        yield json.dumps({"custom_id": f"item-{n}", "result": result}).encode() + b"\n"


def serve_results(count: int, answer_bytes: int) -> None:
    """A stand-in API that knows one ended batch with `count` results (generated on the fly)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.endswith("/results"):
                self.send_response(200)
                self.send_header("content-type", "application/binary")
                self.end_headers()
                for line in result_lines(count, answer_bytes):
                    self.wfile.write(line)
                return
            body = json.dumps(
                {
                    "id": BATCH_ID,
                    "type": "message_batch",
                    "processing_status": "ended",
                    "request_counts": {"succeeded": count},
                    "created_at": "2026-12-06T00:00:00Z",
                }
            ).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def bench_results(work: Path, count: int, answer_bytes: int) -> dict[str, Any]:
    proc = subprocess.Popen(
        [PY, __file__, "--serve-results", str(count), "--answer", str(answer_bytes)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        env = {**os.environ, "ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "k"}
        env["CLAUDECLI_HOME"] = str(work / "home-results")
        jsonl = measure(["batch", "results", BATCH_ID, "--jsonl"], env)
        files = measure(["batch", "results", BATCH_ID, "--out", str(work / "answers")], env)
        assert files[2] == 8, files[3]  # 1 in 1,000 errored
        written = sum(1 for _ in (work / "answers").iterdir())
    finally:
        proc.terminate()
        proc.wait()
    size_mb = sum(len(line) for line in result_lines(count, answer_bytes)) / 1024 / 1024
    return {
        "results": count,
        "file_mb": size_mb,
        "jsonl_s": jsonl[0],
        "jsonl_rss_mb": jsonl[1],
        "out_s": files[0],
        "out_rss_mb": files[1],
        "files": written,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--text", type=int, default=8_000, help="bytes of text per request")
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--answer", type=int, default=400, help="bytes per answer")
    parser.add_argument("--serve-results", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_results is not None:
        serve_results(args.serve_results, args.answer)
        return
    with tempfile.TemporaryDirectory() as tmp:
        submit = bench_submit(Path(tmp), args.requests, args.text)
        report("submit", submit)
        results = bench_results(Path(tmp), args.results, args.answer)
        report("results", results)
    verdicts(submit, results)


def report(name: str, figures: dict[str, Any]) -> None:
    parts = [f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()]
    print(f"{name}: " + " ".join(parts), flush=True)


def verdicts(submit: dict[str, Any], results: dict[str, Any]) -> None:
    checks = (
        ("submit peak RSS", submit["rss_mb"], TARGETS["submit_rss_mb"], "MB"),
        ("results --out peak RSS", results["out_rss_mb"], TARGETS["results_rss_mb"], "MB"),
        ("results --jsonl peak RSS", results["jsonl_rss_mb"], TARGETS["results_rss_mb"], "MB"),
        ("submit local overhead", submit["overhead_s"], TARGETS["overhead_s"], "s"),
    )
    for label, value, target, unit in checks:
        verdict = "PASS" if value <= target else "MISS"
        print(f"{verdict} {label}: {value:.2f} {unit} (target <= {target:g} {unit})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
