"""Provider benchmarks (issue 15): a Bedrock stream against the same answer over SSE, and start-up.

    .venv/bin/python bench/providers.py              # 100,000 tokens, 5 runs each (~30 s)
    .venv/bin/python bench/providers.py --tokens 20000 --runs 3

Targets: a 100,000-token answer streamed from Bedrock (AWS event-stream frames, base64 JSON
chunks, SigV4 signing) costs at most 1.5x the client CPU of the same answer over first-party
SSE; `--help` and a first-party `ask` import neither botocore nor google-auth.

How: the emulator runs in its own process (its CPU is never counted); this process streams the
same `#emu tokens=N` answer through `claudecli.client.Client` once over `/v1/messages` (SSE) and
once over `/model/{id}/invoke-with-response-stream` (event-stream, SigV4 with fake keys), and
measures `time.process_time()` (user + sys of this process) around each whole call, alternating
the two so that machine noise hits both alike. A warm-up call of each first pays the imports
(botocore's signing modules for Bedrock). The two final messages must be equal.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claudecli.client import Client, ClientOptions, Secret, load_aws

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.harness import EmulatorProcess, rechunk_sse  # noqa: E402

MODEL = "claude-sonnet-5-5"
RATIO_TARGET = 1.5
CLOUD = ("botocore", "boto3", "google")


def body(tokens: int) -> dict[str, Any]:
    prompt = f"long answer\n#emu tokens={tokens}"
    return {
        "model": MODEL,
        "max_tokens": 128_000,
        "messages": [{"role": "user", "content": prompt}],
    }


def consume(client: Client, request: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    started = time.process_time()
    stream = client.stream_message(request)
    for _ in stream:
        pass
    return time.process_time() - started, stream.message()


def clients(url: str) -> tuple[Client, Client]:
    os.environ.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="bench-secret",
        AWS_EC2_METADATA_DISABLED="true",
    )
    sse = Client(ClientOptions(api_key=Secret("sk-ant-bench"), base_url=url))
    setup = load_aws(None, "us-east-1")
    bedrock = ClientOptions(
        provider="bedrock", base_url=url, region="us-east-1", cloud_credentials=setup
    )
    return sse, Client(bedrock)


def stream_ratio(url: str, tokens: int, runs: int, before: Callable[[], None]) -> dict[str, float]:
    """Median client CPU of the same answer over SSE and over Bedrock; `before()` runs before
    every call (queues the replayed stream, or nothing)."""
    sse, bedrock = clients(url)
    request = body(tokens)
    times: dict[str, list[float]] = {"sse": [], "bedrock": []}
    finals: dict[str, dict[str, Any]] = {}
    for attempt in range(runs + 1):  # the first round is a warm-up: imports, connections
        for name, client in (("sse", sse), ("bedrock", bedrock)):
            before()
            seconds, finals[name] = consume(client, request)
            if attempt:
                times[name].append(seconds)
    assert finals["sse"]["usage"]["output_tokens"] >= tokens, "the answer was cut short"
    assert finals["sse"]["content"] == finals["bedrock"]["content"], "the answers differ"
    sse_cpu, bedrock_cpu = (statistics.median(times[k]) for k in ("sse", "bedrock"))
    return {"sse": sse_cpu, "bedrock": bedrock_cpu, "ratio": bedrock_cpu / sse_cpu}


def token_stream(emu: EmulatorProcess, tokens: int, work: Path) -> Path:
    """The `#emu tokens=N` answer rewritten to 1 token (4 characters) per text delta."""
    raw = emu.record_stream(body(tokens))
    rechunked, _ = rechunk_sse(raw, 4)
    path = work / "stream-token.sse"
    path.write_bytes(rechunked)
    return path


def cloud_imports(args: list[str], env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "claudecli", *args],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=60, check=False,
    )  # fmt: skip
    names = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line]
    return sorted({n for n in names if n.split(".")[0] in CLOUD})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDECLI_"))}
    rows: dict[str, dict[str, float]] = {}
    with (
        tempfile.TemporaryDirectory() as work,
        EmulatorProcess(sys.executable, env=env, cwd=ROOT) as emu,
    ):
        replay = {"sse_file": str(token_stream(emu, args.tokens, Path(work)))}
        rows["1 token per delta"] = stream_ratio(
            emu.url, args.tokens, args.runs, lambda: emu.enqueue(replay)
        )
        rows["1 KiB per delta"] = stream_ratio(emu.url, args.tokens, args.runs, lambda: None)
        ask_env = {"ANTHROPIC_BASE_URL": emu.url, "ANTHROPIC_API_KEY": "sk-ant-bench"}
        first_party = cloud_imports(["ask", "--no-history", "hi"], ask_env)
    helps = cloud_imports(["--help"], {}) + cloud_imports(["ask", "--help"], {})
    print(f"{args.tokens:,}-token answer, client CPU (user+sys), median of {args.runs}:")
    for name, row in rows.items():
        verdict = "PASS" if row["ratio"] <= RATIO_TARGET else "MISS"
        print(
            f"  {name:18} SSE {row['sse'] * 1000:8.1f} ms   Bedrock {row['bedrock'] * 1000:8.1f} ms"
            f"   {row['ratio']:.2f}x (target <= {RATIO_TARGET}x) {verdict}"
        )
    print(f"cloud libraries imported by --help / ask --help: {helps or 'none'}")
    print(f"cloud libraries imported by a first-party ask: {first_party or 'none'}")


if __name__ == "__main__":
    main()
