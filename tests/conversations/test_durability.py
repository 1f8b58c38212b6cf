"""Process-level bad states: kill -9 mid-write, two writers at once, a held lock, read-only."""

from __future__ import annotations

import os
import shlex
import signal
import sqlite3
import stat
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from claudecli.conversations import Store, StoreError, history_for_api
from tests.conversations.helpers import new, text

CHILD = Path(__file__).with_name("writer_child.py")
ROOT = Path(__file__).resolve().parents[2]


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, text=True, env=env
    )


def read_lines(proc: subprocess.Popen[str], count: int) -> list[str]:
    assert proc.stdout is not None
    return [proc.stdout.readline().strip() for _ in range(count)]


@pytest.mark.slow
def test_kill_9_mid_reply_keeps_every_committed_turn(db_path: Path) -> None:
    with spawn("loop", str(db_path)) as proc:
        lines = read_lines(proc, 1 + 4 * 25 + 2)  # 25 whole turns, a user turn and a partial
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.stdout is not None
        lines += proc.stdout.read().splitlines()  # what was printed (committed) before the kill
    conv = lines[0].split()[1]
    with Store.open(db_path) as store:
        assert store._db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        stored = {(m.role, m.content[0]["text"]): m.status for m in store.messages(conv)}
        for line in lines[1:]:
            kind, n = line.split()
            answered = stored.get(("assistant", f"answer {n}"))
            if kind == "user":
                assert ("user", f"question {n}") in stored, line
            elif kind == "partial":
                assert answered or ("assistant", f"partial {n}") in stored, line
            else:
                assert answered == "complete", line
        history = history_for_api(store.messages(conv))
    roles = [turn["role"] for turn in history]
    assert roles == (["user", "assistant"] * len(roles))[: len(roles)] and len(roles) > 50


@pytest.mark.slow
def test_two_processes_writing_at_once_both_succeed(db_path: Path) -> None:
    with Store.open(db_path) as store:
        conv = new(store)
    with ExitStack() as stack:
        children = [stack.enter_context(spawn("many", str(db_path), conv, "150")) for _ in "ab"]
        assert [read_lines(child, 1) for child in children] == [["ready"], ["ready"]]
        Path(f"{db_path}.go").touch()
        assert [read_lines(child, 2) for child in children] == [["done", "opened"]] * 2
        assert [child.wait(timeout=30) for child in children] == [0, 0]
    with Store.open(db_path) as store:
        seqs = [m.seq for m in store.messages(conv)]
    assert seqs == list(range(1, 601))


def test_a_writer_waits_for_a_held_lock_then_succeeds(db_path: Path) -> None:
    with Store.open(db_path) as store:
        conv = new(store)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with spawn("many", str(db_path), conv, "1") as child:
        assert read_lines(child, 1) == ["ready"]
        Path(f"{db_path}.go").touch()
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                child.wait(timeout=0.5)  # blocked on the lock, not failed
        finally:
            holder.execute("COMMIT")
            holder.close()
        assert read_lines(child, 2) == ["done", "opened"] and child.wait(timeout=10) == 0


def test_a_lock_held_past_the_busy_timeout_is_one_line(db_path: Path) -> None:
    with Store.open(db_path, busy_timeout=0.05) as store:
        conv = new(store)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match=r"conversations\.db: .*locked"):
                store.add_user_turn(conv, [text("x")])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.add_user_turn(conv, [text("x")]) == 1


def run_read_only(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The child with `directory` read-only: chmod for a normal user; a read-only bind mount
    in a private mount namespace for root (whom permissions do not stop)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, str(CHILD), *args]
    if os.geteuid() != 0:
        directory.chmod(0o500)
        try:
            return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        finally:
            directory.chmod(0o700)
    where = shlex.quote(str(directory))
    mount = f"mount --bind {where} {where} && mount -o remount,bind,ro {where} || exit 99"
    script = f"{mount}; exec {shlex.join(argv)}"
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode == 99:
        pytest.skip("running as root without a way to mount a read-only directory")
    return done


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_directory_is_a_clear_line(db_path: Path, existing: bool) -> None:
    db_path.parent.mkdir(mode=0o700)
    if existing:
        with Store.open(db_path) as store:
            new(store)
    done = run_read_only(db_path.parent, "open", str(db_path))
    assert done.returncode == 3, done
    [line] = done.stdout.splitlines()
    assert line.startswith(f"{db_path}: cannot ") and (
        "read-only" in line.lower() or "Read-only" in line
    ), line


def test_an_existing_file_is_tightened_to_private_modes(db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o755)
    with Store.open(db_path) as store:
        new(store)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
