"""`tools run` benchmarks (issue 14): claudecli's own overhead per tool round trip, start-up.

    .venv/bin/python bench/tools.py              # 40 round trips, 10 start-up runs
    .venv/bin/python bench/tools.py --rounds 100 --runs 20

Targets: per round trip, claudecli's own overhead (excluding the tool and the API) <= 20 ms;
`tools run --help` as fast as `ask --help` (within 10 %); the MCP SDK is not imported unless a
tools file names an MCP server.

How the overhead is isolated: one loop of N rounds (each a `list_dir` call, then the result sent
back) runs in-process against the emulator; then the very same request bodies are replayed
through the same client with the same scripted replies (the API's share: HTTP, the emulator,
SSE parsing), and the same tool calls are run alone (the tool's share). Overhead per round =
(loop - replay - tools) / N: planning the next request, building the body, the approval
decision, the schema check, the recording in the store, the event plumbing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from claudecli.client import Client, ClientOptions, MessageView, Secret
from claudecli.config import resolve_settings
from claudecli.conversations import Store
from claudecli.emulator import Emulator
from claudecli.tools.builtin import Root, builtin_tool
from claudecli.tools.loop import ToolLoop, make_replan
from claudecli.tools.process import Processes
from claudecli.tools.rules import Policy
from claudecli.tools.toolbox import Toolbox
from claudecli.tools.transcript import Transcript
from claudecli.turn import TurnOptions, plan_turn

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(ROOT / ".venv" / "bin" / "claudecli")]
TODAY = date(2026, 12, 1)
TARGET_MS = 20.0


def script(emu: Emulator, rounds: int) -> None:
    for _ in range(rounds - 1):
        emu.enqueue({"tool": ["list_dir"], "tool_input": {"path": "."}, "text": "looking"})
    emu.enqueue({"text": "done"})


def run_loop(emu: Emulator, work: Path, rounds: int, record: bool) -> tuple[float, list[Any]]:
    toolbox = Toolbox([builtin_tool("list_dir", 30)], root=Root.of(work), env={"PATH": "/usr/bin"})
    options = TurnOptions(prompt="list it", tools=toolbox.definitions())
    resolved = resolve_settings({"model": "claude-sonnet-5-5"}, {}, None)
    plan = plan_turn(options, resolved, today=TODAY)
    replan = make_replan(options, plan, resolved, today=TODAY)
    store = Store.open(work.parent / f"store-{time.monotonic_ns()}.db") if record else None
    transcript = (
        Transcript(store, conversation_id=None, profile=None, title="bench") if store else None
    )
    client_options = ClientOptions(api_key=Secret("k"), base_url=emu.url, max_retries=0)
    with Client(client_options) as client:
        loop = ToolLoop(client, plan, replan, toolbox, Policy(), lambda call: None,
                        max_turns=rounds, transcript=transcript)  # fmt: skip
        started = time.perf_counter()
        for _ in loop:
            pass
        elapsed = time.perf_counter() - started
    assert loop.outcome == "done", loop.outcome
    if store is not None:
        store.close()
    return elapsed, [r["body"] for r in emu.requests]


def replay(emu: Emulator, bodies: list[Any]) -> float:
    """The API's share: the same bodies, the same replies, through the same client."""
    emu.reset()
    script(emu, len(bodies))
    client_options = ClientOptions(api_key=Secret("k"), base_url=emu.url, max_retries=0)
    with Client(client_options) as client:
        started = time.perf_counter()
        for body in bodies:
            stream = client.stream_message(body)
            for _ in stream:
                pass
            MessageView.of(stream.message())
        return time.perf_counter() - started


def tools_alone(work: Path, rounds: int) -> float:
    from claudecli.client import ToolUseBlock

    toolbox = Toolbox([builtin_tool("list_dir", 30)], root=Root.of(work), env={"PATH": "/usr/bin"})
    processes = Processes()
    started = time.perf_counter()
    for n in range(rounds - 1):
        use = ToolUseBlock(f"toolu_{n}", "list_dir", {"path": "."})
        toolbox.run(toolbox.prepare(use), processes)
    return time.perf_counter() - started


def overhead(rounds: int, record: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
        work = Path(tmp) / "work"
        work.mkdir()
        for name in ("a.txt", "b.txt", "sub"):
            (work / name).touch()
        script(emu, rounds)
        loop_s, bodies = run_loop(emu, work, rounds, record)
        api_s = replay(emu, bodies)
        tool_s = tools_alone(work, rounds)
    per_round = (loop_s - api_s - tool_s) / rounds * 1000
    return {"loop_ms": loop_s * 1000, "api_ms": api_s * 1000, "tool_ms": tool_s * 1000,
            "overhead_ms_per_round": per_round}  # fmt: skip


def startup(args: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*CLI, *args], capture_output=True, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def mcp_imported(args: list[str]) -> bool:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "claudecli", *args],
                          capture_output=True, text=True, check=False)  # fmt: skip
    return any(line.split("|")[-1].strip().startswith("mcp") for line in done.stderr.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    for record in (False, True):
        results = [overhead(args.rounds, record) for _ in range(3)]
        best = min(results, key=lambda r: r["overhead_ms_per_round"])
        ms = statistics.median(r["overhead_ms_per_round"] for r in results)
        verdict = "PASS" if ms <= TARGET_MS else "MISS"
        label = "with the store" if record else "no store"
        print(f"overhead per round trip ({label}, {args.rounds} rounds, median of 3): "
              f"{ms:.2f} ms  [target <= {TARGET_MS:g} ms] {verdict}  "
              f"(one run: loop {best['loop_ms']:.0f} ms = api {best['api_ms']:.0f} ms + tool "
              f"{best['tool_ms']:.1f} ms + ours)")  # fmt: skip
    ask_ms = startup(["ask", "--help"], args.runs)
    tools_ms = startup(["tools", "run", "--help"], args.runs)
    verdict = "PASS" if tools_ms <= ask_ms * 1.10 else "MISS"
    print(f"start-up (median of {args.runs}): ask --help {ask_ms:.0f} ms, tools run --help "
          f"{tools_ms:.0f} ms  [target: within 10 %] {verdict}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        dry = ["tools", "run", "--builtin", "read_file", "--root", tmp, "--dry-run", "hi"]
        help_mcp, dry_mcp = mcp_imported(["tools", "run", "--help"]), mcp_imported(dry)
    verdict = "PASS" if not (help_mcp or dry_mcp) else "MISS"
    print(f"MCP SDK imported: tools run --help {help_mcp}, a dry run without MCP {dry_mcp}  "
          f"{verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
