"""`claudecli chat` as a user drives it: the installed binary in a real terminal (tmux) against
the emulator. Waits are for what the screen shows, never for a fixed time."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claudecli.conversations import Store, store_path
from claudecli.emulator import Emulator
from claudecli.paths import config_file
from claudecli.pricing import format_usd
from tests.cli.helpers import cli_env, command, message_requests, run

pytestmark = pytest.mark.slow

STALL = "#emu tokens=400 fault=stall after=8 seconds=30"
RUN = "./run"
STATUS = re.compile(r"^status:(\d+) *$", re.MULTILINE)


class Pane:
    """One tmux window running bash; `chat(...)` starts `claudecli chat ARGS` in it."""

    def __init__(self, base: list[str], folder: Path) -> None:
        self.base = base
        self.folder = folder

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "chat", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "chat", "-l", text)
        self.keys("Enter")

    def paste(self, text: str) -> None:
        self.tmux("set-buffer", "-b", "p", text)
        self.tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", "chat")

    def screen(self, history: int = 500) -> str:
        return self.tmux("capture-pane", "-t", "chat", "-p", "-J", "-S", f"-{history}")

    def wait(self, ready: Callable[[str], bool], *, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"not on screen within {timeout} s:\n{screen}")
            time.sleep(0.1)

    def wait_for(self, text: str, *, count: int = 1, timeout: float = 15) -> str:
        return self.wait(lambda screen: screen.count(text) >= count, timeout=timeout)

    def current(self) -> str:
        """The screen since the last chat started (its scrollback included)."""
        screen = self.screen()
        screen = screen[screen.rfind(RUN) :]
        earlier = screen.rfind("\nclaude> ")  # the compact view of a continued conversation
        return screen if earlier < 0 else screen[screen.index("\n", earlier + 1) :]

    def prompts(self) -> int:
        return len(re.findall(r"^you>", self.current(), re.MULTILINE))

    def prompting(self, before: int = 0) -> bool:
        """A new `you>` prompt is up and taking keys: its toolbar (drawn only while a prompt
        runs) is the screen's last line. Keys typed earlier would be flushed as type-ahead."""
        lines = self.screen().rstrip().splitlines()
        return self.prompts() > before and bool(lines) and " · context " in lines[-1]

    def chat(self, *args: str) -> None:
        script = self.folder / "run"
        script.write_text(f"#!/bin/sh\nexec {shlex.join([*command(), 'chat', *args])}\n")
        script.chmod(0o755)
        self.type(f'{RUN}; echo "status:$?"')
        self.wait(lambda screen: self.prompting())

    def answered(self, before: int, *, timeout: float = 15) -> str:
        """Wait until a new prompt follows the answer (`before`: prompts on screen then)."""
        self.wait(lambda screen: self.prompting(before), timeout=timeout)
        return self.current()

    def send(self, text: str) -> str:
        before = self.prompts()
        self.type(text)
        return self.answered(before)

    def status(self, timeout: float = 15) -> int:
        self.wait(lambda screen: STATUS.search(self.current()) is not None, timeout=timeout)
        found = STATUS.search(self.current())
        assert found is not None
        return int(found.group(1))


@pytest.fixture
def pane(tmp_path: Path, emulator: Emulator) -> Iterator[Pane]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install -y tmux)")
    base = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    env = cli_env(emulator.url, TERM="xterm-256color", EDITOR="false")
    env.pop("PROMPT_TOOLKIT_NO_CPR", None)
    shell = "env PS1='$ ' bash --norc --noprofile"
    session = ["new-session", "-d", "-s", "chat", "-x", "100", "-y", "30", "-c", str(tmp_path)]
    subprocess.run([*base, *session, shell], env=env, check=True, timeout=10)
    try:
        yield Pane(base, tmp_path)
    finally:
        subprocess.run([*base, "kill-server"], capture_output=True, timeout=10, check=False)


def stored() -> tuple[Store, str]:
    store = Store.open(store_path(os.environ))
    latest = store.latest_id()
    assert latest is not None
    return store, latest


def texts(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (m["role"], " ".join(b.get("text", b["type"]) for b in m["content"]))
        for m in body["messages"]
    ]


def test_three_turns_carry_the_history_and_the_toolbar_adds_up(
    pane: Pane, emulator: Emulator
) -> None:
    assert run(["models"], url=emulator.url).rc == 0  # the models cache knows the window
    pane.chat()
    pane.send("one")
    pane.send("two")
    screen = pane.send("three")
    bodies = [r["body"] for r in message_requests(emulator)]
    assert texts(bodies[2]) == [
        ("user", "one"),
        ("assistant", "Echo: one"),
        ("user", "two"),
        ("assistant", "Echo: two"),
        ("user", "three"),
    ]
    store, conv = stored()
    with store:
        replies = [m for m in store.messages(conv) if m.role == "assistant"]
    usage = replies[-1].usage or {}
    context = sum(
        usage.get(key, 0)
        for key in (
            "input_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
            "output_tokens",
        )
    )
    cost = sum(r.cost_usd or 0 for r in replies)
    toolbar = screen.rstrip().splitlines()[-1]
    assert toolbar.startswith(" claude-sonnet-5-5 · context "), screen
    assert f"context {context:,} (" in toolbar and "% of " in toolbar, toolbar
    assert f" · {format_usd(cost)} · " in toolbar, toolbar
    read, written = (
        usage.get("cache_read_input_tokens", 0),
        usage.get("cache_creation_input_tokens", 0),
    )
    assert f"cache read {read:,} / written {written:,}" in toolbar, toolbar
    pane.keys("C-d")
    assert pane.status() == 0


def test_multi_line_input_and_paste(pane: Pane, emulator: Emulator) -> None:
    pane.chat()
    before = pane.prompts()
    pane.tmux("send-keys", "-t", "chat", "-l", "first line")
    pane.keys("Escape", "Enter")
    pane.type("second line")
    pane.answered(before)
    pane.paste("pasted 1\npasted 2\npasted 3")
    pane.type(" end")
    pane.answered(before + 1)
    before = pane.prompts()
    for line in ('"""', "fenced a", "", "fenced b", '"""'):
        pane.type(line)
    pane.answered(before)
    sent = [texts(r["body"])[-1][1] for r in message_requests(emulator)]
    assert sent == [
        "first line\nsecond line",
        "pasted 1\npasted 2\npasted 3 end",
        "fenced a\n\nfenced b",
    ]


def test_ctrl_c_mid_answer_keeps_the_partial_and_the_chat_goes_on(
    pane: Pane, emulator: Emulator
) -> None:
    pane.chat()
    before = pane.prompts()
    pane.type(STALL)
    pane.wait_for("Section 1")
    pane.keys("C-c")
    screen = pane.answered(before, timeout=5)  # at once, not after the 30 s stall
    assert "(interrupted: the partial answer is kept)" in screen
    pane.send("go on")
    last = message_requests(emulator)[-1]["body"]
    roles = [m["role"] for m in last["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert last["messages"][1]["content"][0]["text"].startswith("## Section 1")
    assert "Echo: go on" in pane.screen()
    store, conv = stored()
    with store:
        statuses = [(m.role, m.status) for m in store.messages(conv)]
    assert statuses == [
        ("user", "complete"),
        ("assistant", "interrupted"),
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    pane.keys("C-c")
    pane.wait_for("Ctrl-C again or Ctrl-D quits")
    pane.keys("C-c")
    assert pane.status() == 0


def test_an_api_error_is_one_line_and_the_prompt_comes_back(pane: Pane) -> None:
    pane.chat()
    screen = pane.send('#emu status=400 message="prompt is too long: 210000 tokens > 200000"')
    assert "prompt is too long" in screen and "/undo drops the last exchange" in screen
    assert "Traceback" not in screen
    assert "the last exchange is undone" in pane.send("/undo")  # as the hint says
    assert "Echo: fine" in pane.send("fine")


def test_slash_commands(pane: Pane, emulator: Emulator, tmp_path: Path) -> None:
    config = config_file(os.environ)
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("roles:\n  terse:\n    system: Be terse.\n    effort: low\n")
    (tmp_path / "notes.txt").write_text("some notes\n")
    pane.chat("--role", "terse")
    assert "/undo" in pane.send("/help")
    assert "unknown command /bogus" in pane.send("/bogus")
    assert "attached notes.txt (text" in pane.send(f"/attach {tmp_path / 'notes.txt'}")
    pane.send("/model haiku")
    pane.send("/effort high")
    pane.send("/prefill {")
    refused = pane.send("first?")  # 5.x models take no prefill: refused before sending
    assert "claudecli: error: --prefill" in refused and message_requests(emulator) == []
    assert "prefill removed" in pane.send("/prefill")
    pane.send("first")
    body = message_requests(emulator)[-1]["body"]
    assert body["model"] == "claude-haiku-5-5" and body["output_config"] == {"effort": "high"}
    assert body["system"][0]["text"] == "Be terse."
    assert '<file name="notes.txt">' in texts(body)[0][1]
    pane.send("/system Be kind.")
    pane.send("second")
    pane.send("/undo")
    pane.send("third")
    body = message_requests(emulator)[-1]["body"]
    assert body["system"][0]["text"] == "Be kind."
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert texts(body)[-1] == ("user", "third")
    requests = len(message_requests(emulator))
    pane.send("/retry")
    assert len(message_requests(emulator)) == requests + 1
    assert message_requests(emulator)[-1]["body"]["messages"] == body["messages"]
    assert "tokens · " in pane.send("/tokens")
    assert "no clipboard tool found" in pane.send("/copy")
    assert "the editor failed" in pane.send("/edit")  # EDITOR=false
    pane.send("/title Named by hand")
    out = tmp_path / "chat.md"
    assert f"exported 7 turns to {out}" in pane.send(f"/export {out}")
    assert out.read_text().startswith("# Named by hand")
    assert "[undone]" in out.read_text()
    pane.send("/new")
    pane.send("fresh")
    assert texts(message_requests(emulator)[-1]["body"]) == [("user", "fresh")]
    pane.type("/quit")
    assert pane.status() == 0


def test_resize_mid_answer_leaves_no_duplicated_line(pane: Pane) -> None:
    pane.chat()
    before = pane.prompts()
    words = " ".join(f"word{i:03d}" for i in range(120))
    pane.type(f'#emu text="{words}" fault=stall after=40 seconds=3')
    pane.wait_for("word020", count=2)  # the input line, then the answer
    pane.tmux("resize-window", "-t", "chat", "-x", "60", "-y", "30")
    answer = pane.answered(before, timeout=20).rsplit("seconds=3", 1)[1]  # after the input
    assert answer.count("word119") == 1 and answer.count("word000") == 1, answer
    lines = [line.strip() for line in answer.splitlines() if "word" in line]
    assert len(lines) == len(set(lines)), answer  # no row drawn twice


def test_continue_after_kill_9(pane: Pane, emulator: Emulator) -> None:
    pane.chat()
    pane.send("remember me")
    pane.type(STALL)
    pane.wait_for("Section 1")
    pids = pane.tmux("list-panes", "-t", "chat", "-F", "#{pane_pid}").split()
    children = subprocess.run(
        ["pgrep", "-P", pids[0]], capture_output=True, text=True, check=False
    ).stdout.split()
    for child in children:
        os.kill(int(child), signal.SIGKILL)
    assert pane.status() == 137
    pane.chat("-c")
    screen = pane.screen()
    assert "you> remember me" in screen and "claude> Echo: remember me" in screen
    assert "(interrupted)" in screen  # the killed reply was settled as interrupted on reading
    pane.send("/undo")  # else the stalling directive would be sent again with the next line
    pane.send("and now?")
    assert texts(message_requests(emulator)[-1]["body"]) == [
        ("user", "remember me"),
        ("assistant", "Echo: remember me"),
        ("user", "and now?"),
    ]


def test_a_pipe_on_stdin_is_refused_at_once(emulator: Emulator) -> None:
    result = run(["chat"], url=emulator.url, stdin=b"hello\n")
    assert result.rc == 2, result
    assert result.err.splitlines() == [
        "claudecli: error: chat needs a terminal on stdin; in a script or a pipe use "
        "`claudecli ask -c` (it continues the last conversation)"
    ]
    assert message_requests(emulator) == []
