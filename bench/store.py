"""Conversation store benchmarks (issue 11): recording overhead, `history list`, `search`, RSS.

    .venv/bin/python bench/store.py               # builds the 10,000-conversation store once
    .venv/bin/python bench/store.py --rebuild     # build it again
    .venv/bin/python bench/store.py --runs 20

Targets: recording adds <= 5 ms to an ask-like turn and no measurable CPU per streamed token;
`history list` over 10,000 conversations and `search` over 100,000 messages <= 0.2 s each;
continuing a 200-turn conversation <= 60 MB peak RSS. The big store is kept in
$TMPDIR/claudecli-bench-store (about 60 MB) so reruns skip the build.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claudecli.conversations import Store

ROOT = Path(__file__).resolve().parents[1]
MODEL = "claude-sonnet-4-5"
CONVERSATIONS = 10_000
MESSAGES_EACH = 10  # 100,000 messages
RARE = "quokkalicious"
BIG = Path(tempfile.gettempdir()) / "claudecli-bench-store" / "conversations.db"


def text(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}


def reply(value: str, usage: dict[str, int] | None = None) -> dict[str, Any]:
    usage = usage or {"input_tokens": 1200, "output_tokens": 400, "cache_read_input_tokens": 900}
    return {"role": "assistant", "model": MODEL, "content": [text(value)], "usage": usage}


def median_ms(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def verdict(value: float, target: float) -> str:
    return f"{'PASS' if value <= target else 'MISS'} ({value / target:.2f} of the target)"


# --- 1. recording -------------------------------------------------------------------------------


def ask_like_turn(path: Path, tokens: int, attachment: bytes | None) -> None:
    """What `ask` adds: open, a conversation, the user turn, a reply streamed token by token."""
    import base64

    with Store.open(path) as store:
        conv = store.new_conversation(
            model=MODEL, system=None, profile=None, settings={}, title="q"
        )
        content = [text("summarize this")]
        if attachment is not None:
            data = base64.b64encode(attachment).decode("ascii")
            source = {"type": "base64", "media_type": "application/pdf", "data": data}
            content.insert(0, {"type": "document", "source": source})
        store.add_user_turn(conv, content)
        recorder = store.start_reply(conv, model=MODEL)
        partial = reply("")
        for _ in range(tokens):
            recorder.update(partial)
        recorder.update(partial, block_done=True)
        recorder.finish(reply("word " * tokens), request_id="req_1", cost_usd=None, timings=None)


def bench_recording(runs: int) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "conversations.db"
        Store.open(path).close()
        plain = median_ms(lambda: ask_like_turn(path, 500, None), runs)
        pdf = os.urandom(1_000_000)
        with_pdf = median_ms(lambda: ask_like_turn(path, 500, pdf), runs)
        per_token = update_cost_ns(path)
    return [
        f"recording one ask-like turn (open, user turn, 500 tokens, finish): {plain:.2f} ms"
        f"  target <= 5 ms: {verdict(plain, 5)}",
        f"  the same with a 1 MB PDF attached (hash, blob): {with_pdf:.2f} ms",
        f"  update() per streamed token when no write is due: {per_token:.0f} ns"
        f" (a 1,000-token answer: {per_token * 1000 / 1e6:.3f} ms)",
    ]


def update_cost_ns(path: Path) -> float:
    with Store.open(path) as store:
        conv = store.new_conversation(
            model=MODEL, system=None, profile=None, settings={}, title="q"
        )
        store.add_user_turn(conv, [text("q")])
        recorder = store.start_reply(conv, model=MODEL)
        partial, count = reply("x"), 200_000
        started = time.perf_counter_ns()
        for _ in range(count):
            recorder.update(partial)
        return (time.perf_counter_ns() - started) / count


# --- 2. the big store: list and search ------------------------------------------------------


def vocabulary() -> list[str]:
    rng = random.Random(11)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(5000)]


def build(path: Path) -> None:
    """10,000 conversations of 10 messages (5 exchanges) each, in one transaction per 1,000."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    words, rng = vocabulary(), random.Random(7)
    started = time.perf_counter()
    with Store.open(path, clock=lambda: 1_700_000_000.0 + rng.random() * 86_400 * 365) as store:
        for batch in range(CONVERSATIONS // 1000):
            store._db.execute("BEGIN IMMEDIATE")
            for n in range(1000):
                fill(store, words, rng, batch * 1000 + n)
            store._db.execute("COMMIT")
    print(f"built {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def fill(store: Store, words: list[str], rng: random.Random, index: int) -> None:
    import json

    now = store.clock()
    conv = f"{index:013d}"
    store._db.execute(
        "INSERT INTO conversation(id, title, model, settings_json, created, updated)"
        " VALUES (?, ?, ?, '{}', ?, ?)",
        (conv, " ".join(rng.choices(words, k=6)), MODEL, now, now),
    )
    for seq in range(1, MESSAGES_EACH + 1):
        body = " ".join(rng.choices(words, k=60)) + (f" {RARE}" if index % 1000 == 0 else "")
        role = "user" if seq % 2 else "assistant"
        store._db.execute(
            "INSERT INTO message(conv_id, seq, role, content_json, text, input_tokens,"
            " output_tokens, cost_usd, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (conv, seq, role, json.dumps([text(body)]), body, 1000, 300, 0.0075, now),
        )


def history_list(path: Path, limit: int | None) -> None:
    with Store.open(path) as store:
        store.list_conversations(limit=limit)
        store.count_conversations()
        store.size_bytes()


def search(path: Path, words: str) -> int:
    with Store.open(path) as store:
        return len(store.search(words))


def cli_ms(*args: str, runs: int) -> float:
    env = {**os.environ, "CLAUDECLI_HOME": str(BIG.parent.parent / "claudecli-bench-home")}
    home = Path(env["CLAUDECLI_HOME"]) / "data"
    home.mkdir(parents=True, exist_ok=True)
    link = home / "conversations.db"
    if not link.exists():
        link.symlink_to(BIG)
    binary = str(Path(sys.executable).with_name("claudecli"))

    def once() -> None:
        subprocess.run([binary, *args], env=env, capture_output=True, check=True)

    return median_ms(once, runs)


def bench_big(runs: int, rebuild: bool) -> list[str]:
    if rebuild or not BIG.exists():
        build(BIG)
    common = vocabulary()[42]
    listed = median_ms(lambda: history_list(BIG, 20), runs)
    listed_all = median_ms(lambda: history_list(BIG, None), max(runs // 4, 1))
    rare = median_ms(lambda: search(BIG, RARE), runs)
    frequent = median_ms(lambda: search(BIG, common), runs)
    two = median_ms(lambda: search(BIG, f"{common} {vocabulary()[7]}"), runs)
    return [
        f"history list, 10,000 conversations (20 shown, count, size): {listed:.1f} ms"
        f"  target <= 200 ms: {verdict(listed, 200)}",
        f"  history list --limit 0 (all 10,000 rows): {listed_all:.1f} ms",
        f"search over 100,000 messages, a rare word: {rare:.1f} ms  target <= 200 ms: "
        f"{verdict(rare, 200)}",
        f"  a common word (~{common!r}): {frequent:.1f} ms  {verdict(frequent, 200)}",
        f"  two common words: {two:.1f} ms  {verdict(two, 200)}",
        f"  the installed binary, wall time incl. start-up: `history list` "
        f"{cli_ms('history', 'list', runs=max(runs // 4, 3)):.0f} ms, `history search` "
        f"{cli_ms('history', 'search', RARE, runs=max(runs // 4, 3)):.0f} ms",
    ]


# --- 3. peak RSS continuing a 200-turn conversation ---------------------------------------


RSS_CHILD = """
import resource, sys
from pathlib import Path
from claudecli.conversations import Store, history_for_api
with Store.open(Path(sys.argv[1])) as store:
    history = history_for_api(store.messages(store.latest_id()))
print(len(history), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


BASELINE_CHILD = """
import resource, claudecli.conversations
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def bench_rss() -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "conversations.db"
        with Store.open(path) as store:
            conv = store.new_conversation(
                model=MODEL, system=None, profile=None, settings={}, title="t"
            )
            for n in range(200):
                store.add_user_turn(conv, [text(f"question {n} " + "lorem ipsum " * 200)])
                recorder = store.start_reply(conv, model=MODEL)
                recorder.finish(
                    reply("answer " * 500), request_id=None, cost_usd=None, timings=None
                )
        done = subprocess.run(
            [sys.executable, "-c", RSS_CHILD, str(path)], capture_output=True, text=True, check=True
        )
        turns, rss = done.stdout.split()
        baseline = subprocess.run(
            [sys.executable, "-c", BASELINE_CHILD], capture_output=True, text=True, check=True
        ).stdout.strip()
    return [
        f"peak RSS loading a 200-turn conversation for the API ({turns} messages): {rss} MB"
        f" (the interpreter with the store imported: {baseline} MB)  target <= 60 MB: "
        f"{verdict(float(rss), 60)}"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    options = parser.parse_args()
    lines = bench_recording(options.runs) + bench_big(options.runs, options.rebuild) + bench_rss()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
