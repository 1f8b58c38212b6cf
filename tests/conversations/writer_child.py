"""A child process that writes to a store (run by test_durability.py with the venv's python).

writer_child.py loop PATH          new conversation; turns forever, one line per commit
writer_child.py many PATH CONV N   wait for PATH.go, then N exchanges on CONV; "done"
writer_child.py open PATH          open and write one turn; the StoreError line, exit 3
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

from claudecli.conversations import Store, StoreError

MODEL = "claude-sonnet-4-5"


def text(value: str) -> dict[str, str]:
    return {"type": "text", "text": value}


def reply(value: str) -> dict[str, object]:
    usage = {"input_tokens": 10, "output_tokens": 5}
    return {"role": "assistant", "model": MODEL, "content": [text(value)], "usage": usage}


def new(store: Store) -> str:
    return store.new_conversation(model=MODEL, system=None, profile=None, settings={}, title="t")


def loop(store: Store) -> None:
    conv = new(store)
    print(f"conv {conv}", flush=True)
    for n in itertools.count(1):
        store.add_user_turn(conv, [text(f"question {n}")])
        print(f"user {n}", flush=True)
        recorder = store.start_reply(conv, model=MODEL)
        recorder.update(reply(f"partial {n}"), block_done=True)
        print(f"partial {n}", flush=True)
        recorder.finish(reply(f"answer {n}"), request_id=None, cost_usd=None, timings=None)
        print(f"reply {n}", flush=True)


def many(store: Store, path: Path, conv: str, count: int) -> None:
    print("ready", flush=True)
    while not Path(f"{path}.go").exists():
        time.sleep(0.005)
    for n in range(count):
        store.add_user_turn(conv, [text(f"q {n}")])
        recorder = store.start_reply(conv, model=MODEL)
        recorder.finish(reply(f"a {n}"), request_id=None, cost_usd=None, timings=None)
    print("done", flush=True)


def main(mode: str, path: Path, *rest: str) -> int:
    try:
        with Store.open(path) as store:
            if mode == "loop":
                loop(store)
            elif mode == "many":
                many(store, path, rest[0], int(rest[1]))
            else:
                new(store)
    except StoreError as error:
        print(error, flush=True)
        return 3
    print("opened", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), *sys.argv[3:]))
