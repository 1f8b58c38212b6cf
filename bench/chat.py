"""`claudecli chat` against the emulator, in a real pty: prompt shown cold, per-turn cost, RSS.

    .venv/bin/python bench/chat.py [--turns 200] [--runs 5]

* prompt: seconds from spawning `claudecli chat` to the first `you>` on the pty (cold: a new
  process each run; target <= 0.35 s), median of `--runs`.
* turn: wall time per turn over `--turns` short turns typed into one chat (the emulator answers
  at once, so this is claudecli's own cost: prompt, plan, store, render), first and last 20.
* overhead: in-process time of what chat adds to `ask`'s turn at a history of `--turns`
  exchanges (next_options + plan_turn + recording + after_turn), median; target <= 10 ms.
* rss: the chat process's peak RSS (VmHWM) after `--turns` turns; target <= 70 MB.
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from claudecli.emulator import Emulator

BIN = shutil.which("claudecli", path=str(Path(sys.executable).parent)) or "claudecli"


def spawn(env: dict[str, str]) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(BIN, [BIN, "chat"], env)
    return pid, fd


def read_until(fd: int, marker: bytes, count: int, buffer: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while buffer.count(marker) < count:
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            raise TimeoutError(f"no {marker!r} #{count} within {timeout} s")
        buffer += os.read(fd, 65536)
        buffer += b""
        if b"\x1b[6n" in buffer[-64:]:  # answer the cursor position request like a terminal
            os.write(fd, b"\x1b[1;1R")


def stop(pid: int, fd: int) -> None:
    os.write(fd, b"\x04")
    os.waitpid(pid, 0)
    os.close(fd)


def prompt_seconds(env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        pid, fd = spawn(env)
        read_until(fd, b"you>", 1, bytearray())
        times.append(time.monotonic() - started)
        stop(pid, fd)
    return times


def turns(env: dict[str, str], count: int) -> tuple[list[float], int]:
    pid, fd = spawn(env)
    buffer = bytearray()
    read_until(fd, b"you>", 1, buffer)
    times = []
    for turn in range(count):
        started = time.monotonic()
        os.write(fd, f"turn {turn}\r".encode())
        answer = f"Echo: turn {turn}".encode()
        read_until(fd, answer, 1, buffer)
        del buffer[: buffer.index(answer)]  # then the next prompt, after the answer
        read_until(fd, b"you>", 1, buffer)
        buffer.clear()
        times.append(time.monotonic() - started)
    status = Path(f"/proc/{pid}/status").read_text()
    hwm = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    stop(pid, fd)
    return times, hwm


def overhead(history: int) -> float:
    """What chat adds per turn, in process, at a history of `history` exchanges (ms)."""
    from claudecli.chat import ChatSession
    from claudecli.config import resolve_settings
    from claudecli.conversations import Store
    from claudecli.turn import TurnOptions, plan_turn
    from claudecli.turn.record import start_recording

    resolved = resolve_settings({}, {}, None)
    reply = {"content": [{"type": "text", "text": "x" * 400}], "usage": {"input_tokens": 1}}
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "c.db") as store:
        session = ChatSession(TurnOptions(), store=store)
        samples = []
        for turn in range(history + 20):
            started = time.perf_counter()
            plan = plan_turn(session.next_options(f"q{turn}"), resolved, today=date(2030, 1, 1))
            recording = start_recording(
                store, plan, conversation_id=session.conversation_id, profile=None, title="b"
            )
            assert recording.reply is not None
            recording.reply.finish(reply, request_id=None, cost_usd=None, timings=None)
            session.after_turn(
                plan, reply, status="complete", conversation_id=recording.conversation_id
            )
            samples.append(time.perf_counter() - started)
        return statistics.median(samples[-20:]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with Emulator() as emulator, tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": "bench"}
        env |= {"CLAUDECLI_HOME": home, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
        cold = prompt_seconds(env, args.runs)
        print(
            f"prompt shown (cold): median {statistics.median(cold):.3f} s, "
            f"min {min(cold):.3f} s over {args.runs} runs (target <= 0.35 s)"
        )
        times, hwm = turns(env, args.turns)
        print(
            f"turn (typed, answered, prompt back): first 20 median "
            f"{statistics.median(times[:20]) * 1000:.1f} ms, last 20 median "
            f"{statistics.median(times[-20:]) * 1000:.1f} ms over {args.turns} turns"
        )
        print(f"peak RSS after {args.turns} turns: {hwm / 1024:.1f} MB (target <= 70 MB)")
    print(
        f"chat's own per-turn work at {args.turns} exchanges (plan + store + session): "
        f"median {overhead(args.turns):.2f} ms (target <= 10 ms beyond ask)"
    )


if __name__ == "__main__":
    main()
