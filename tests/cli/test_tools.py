"""`claudecli tools run` end to end: the installed binary against the emulator's scripts."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from claudecli.emulator import Emulator
from tests.cli.helpers import Result, cli_env, command, message_requests, run

MCP_SERVER = str(Path(__file__).parents[1] / "tools" / "mcp_server.py")


def calls(*names: str, tool_input: dict[str, Any] | None = None, text: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"tool": list(names)}
    if tool_input is not None:
        item["tool_input"] = tool_input
    if text:
        item["text"] = text
    return item


def tools_run(emulator: Emulator, tmp_path: Path, *args: str, **kwargs: Any) -> Result:
    """Run in tmp_path/work as the root (tmp_path also holds the test's home)."""
    root = tmp_path / "work"
    root.mkdir(exist_ok=True)
    return run(["tools", "run", "--root", str(root), *args], url=emulator.url, **kwargs)


def results_in(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in body["messages"][-1]["content"] if b["type"] == "tool_result"]


def write_tools(tmp_path: Path, text: str) -> str:
    path = tmp_path / "tools.yaml"
    path.write_text(text)
    return str(path)


def test_two_tools_three_turns_pair_each_tool_use_with_its_result(
    emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "notes.txt").write_text("alpha beta\n")
    tools = write_tools(
        tmp_path,
        "tools:\n  - name: count\n    command: [wc, -w, '{path}']\n    permission: allow\n"
        "    input_schema: {type: object, properties: {path: {type: string}}, required: [path]}\n",
    )
    emulator.enqueue(calls("read_file", tool_input={"path": "notes.txt"}))
    emulator.enqueue(calls("count", tool_input={"path": "notes.txt"}))
    emulator.enqueue({"text": "Two words."})
    result = tools_run(emulator, tmp_path, "--tools", tools, "--builtin", "read_file", "count it")
    assert result.rc == 0, result
    assert result.text.endswith("Two words.\n")
    bodies = [request["body"] for request in message_requests(emulator)]
    assert [len(body["messages"]) for body in bodies] == [1, 3, 5]
    assert [t["name"] for t in bodies[0]["tools"]] == ["count", "read_file"]
    for body in bodies[1:]:
        [use] = [b for b in body["messages"][-2]["content"] if b["type"] == "tool_use"]
        [answer] = results_in(body)
        assert answer["tool_use_id"] == use["id"] and "is_error" not in answer
    assert results_in(bodies[1])[0]["content"] == "alpha beta\n"
    assert results_in(bodies[2])[0]["content"] == "2 notes.txt\n"
    assert "result · read_file" in result.err and "result · count" in result.err


def test_parallel_calls_are_answered_together_in_order(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "work" / "a").mkdir(parents=True)
    emulator.enqueue(calls("list_dir", "search_files", tool_input={"path": ".", "pattern": "x"}))
    emulator.enqueue({"text": "ok"})
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir,search_files", "look")
    assert result.rc == 0, result
    _, second = message_requests(emulator)
    uses = [b["id"] for b in second["body"]["messages"][1]["content"] if b["type"] == "tool_use"]
    answers = results_in(second["body"])
    assert [a["tool_use_id"] for a in answers] == uses and len(uses) == 2
    assert answers[0]["content"] == "a/" and answers[1]["content"] == "(no matches)"


def test_an_invalid_input_goes_back_as_an_error_and_nothing_runs(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("read_file", tool_input={"path": 42}))
    emulator.enqueue({"text": "sorry"})
    result = tools_run(emulator, tmp_path, "--builtin", "read_file", "read")
    assert result.rc == 0, result
    [answer] = results_in(message_requests(emulator)[1]["body"])
    assert answer["is_error"] is True
    assert answer["content"].startswith("invalid input for read_file at /path: 42 is not of type")


@pytest.mark.parametrize("path", ["../secret.txt", "ABSOLUTE", "link.txt"])
def test_path_escapes_are_refused(emulator: Emulator, tmp_path: Path, path: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (root / "link.txt").symlink_to(secret)
    wanted = str(secret) if path == "ABSOLUTE" else path
    emulator.enqueue(calls("read_file", tool_input={"path": wanted}))
    emulator.enqueue({"text": "ok"})
    result = run(["tools", "run", "--root", str(root), "--builtin", "read_file", "read"],
                 url=emulator.url)  # fmt: skip
    assert result.rc == 0, result
    [answer] = results_in(message_requests(emulator)[1]["body"])
    assert answer["is_error"] is True and "TOP SECRET" not in json.dumps(answer)
    assert "outside the root" in answer["content"] or "absolute paths" in answer["content"]


def test_without_a_terminal_asking_is_denied_and_never_hangs(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("write_file", tool_input={"path": "x.txt", "content": "y"}))
    emulator.enqueue({"text": "ok"})
    result = tools_run(
        emulator, tmp_path, "--builtin", "write_file", "write", stdin=b"", timeout=15
    )
    assert result.rc == 0, result
    [answer] = results_in(message_requests(emulator)[1]["body"])
    assert answer["is_error"] and "no terminal" in answer["content"]
    assert "--allow write_file" in answer["content"] and not (tmp_path / "work" / "x.txt").exists()


def test_allow_and_yes_let_it_run_and_deny_wins(emulator: Emulator, tmp_path: Path) -> None:
    for _ in range(2):
        emulator.enqueue(calls("run_command", tool_input={"argv": ["echo", "hi"]}))
        emulator.enqueue({"text": "ok"})
    allowed = tools_run(emulator, tmp_path, "--builtin", "run_command",
                        "--allow", "run_command(echo)", "go")  # fmt: skip
    assert allowed.rc == 0, allowed
    denied = tools_run(emulator, tmp_path, "--builtin", "run_command", "--yes",
                       "--deny", "run_command(echo *)", "go")  # fmt: skip
    assert denied.rc == 0, denied
    answers = [results_in(r["body"])[0] for r in message_requests(emulator)[1::2]]
    assert answers[0]["content"] == "hi\n"
    assert "denied by the user's rules" in answers[1]["content"]


def test_rules_from_settings_rank_below_the_flags_and_a_settings_deny_wins(
    emulator: Emulator, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "tools:\n  allow: [write_file]\n  ask: [list_dir]\n  deny: ['run_command(rm *)']\n"
    )
    env = cli_env(emulator.url, CLAUDECLI_CONFIG=str(config))
    emulator.enqueue(calls("write_file", tool_input={"path": "x.txt", "content": "y"}))
    emulator.enqueue({"text": "ok"})
    written = tools_run(emulator, tmp_path, "--builtin", "write_file", "write", env=env)
    assert written.rc == 0, written
    assert (tmp_path / "work" / "x.txt").read_text() == "y"  # allowed by the settings, no terminal
    emulator.enqueue(calls("list_dir", tool_input={}))
    emulator.enqueue({"text": "ok"})
    listed = tools_run(emulator, tmp_path, "--builtin", "list_dir", "--allow", "list_dir", "ls",
                       env=env)  # fmt: skip
    assert listed.rc == 0, listed
    emulator.enqueue(calls("run_command", tool_input={"argv": ["rm", "x.txt"]}))
    emulator.enqueue({"text": "ok"})
    removed = tools_run(emulator, tmp_path, "--builtin", "run_command", "--yes",
                        "--allow", "run_command", "rm", env=env)  # fmt: skip
    assert removed.rc == 0, removed
    answers = [results_in(r["body"])[0] for r in message_requests(emulator)[1::2]]
    assert "is_error" not in answers[0] and "is_error" not in answers[1]  # the flag beat `ask`
    assert "denied by the user's rules" in answers[2]["content"]
    assert (tmp_path / "work" / "x.txt").exists()


def test_a_bad_rule_in_settings_is_one_line_with_its_position(
    emulator: Emulator, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("tools:\n  deny: ['run_command(rm']\n")
    env = cli_env(emulator.url, CLAUDECLI_CONFIG=str(config))
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir", "go", env=env)
    assert result.rc == 3, result
    assert result.err.startswith("claudecli: error: config.yaml:2:10: tools.deny[0]: ")
    assert len(result.err.strip().splitlines()) == 1 and emulator.requests == []


def test_a_command_timeout_kills_it_and_says_so(emulator: Emulator, tmp_path: Path) -> None:
    tools = write_tools(
        tmp_path,
        "tools:\n  - name: hang\n    command: [sh, -c, 'sleep 60 & sleep 60']\n"
        "    timeout: 0.5\n    permission: allow\n",
    )
    emulator.enqueue(calls("hang", tool_input={}))
    emulator.enqueue({"text": "ok"})
    result = tools_run(emulator, tmp_path, "--tools", tools, "wait", timeout=15)
    assert result.rc == 0, result
    [answer] = results_in(message_requests(emulator)[1]["body"])
    assert answer["is_error"] and "timed out after 0.5 s" in answer["content"]


def test_ten_megabytes_of_output_are_truncated(emulator: Emulator, tmp_path: Path) -> None:
    script = "import sys; sys.stdout.write('y' * 10_485_760)"
    tools = write_tools(
        tmp_path,
        f'tools:\n  - name: flood\n    command: [{sys.executable}, -c, "{script}"]\n'
        "    permission: allow\n",
    )
    emulator.enqueue(calls("flood", tool_input={}))
    emulator.enqueue({"text": "ok"})
    result = tools_run(emulator, tmp_path, "--tools", tools, "flood")
    assert result.rc == 0, result
    [answer] = results_in(message_requests(emulator)[1]["body"])
    assert len(answer["content"]) < 110_000
    assert answer["content"].endswith(
        "[output truncated: 10.0 MB in all, showing the first 100 KB]"
    )


def test_max_turns_exits_9_and_keeps_the_transcript(emulator: Emulator, tmp_path: Path) -> None:
    for _ in range(3):
        emulator.enqueue(calls("list_dir", tool_input={}))
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir", "--max-turns", "2", "loop")
    assert result.rc == 9, result
    assert len(message_requests(emulator)) == 2
    assert "claudecli: error: --max-turns 2 reached" in result.err
    assert "continue with --conversation" in result.err
    emulator.enqueue({"text": "finally"})
    resumed = run(["ask", "-c", "go on"], url=emulator.url)
    assert resumed.rc == 0, resumed
    history = message_requests(emulator)[-1]["body"]["messages"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant", "user"]


def test_json_is_the_whole_transcript_and_dry_run_the_first_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("list_dir", tool_input={}))
    emulator.enqueue({"text": "done"})
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir", "--json", "go")
    assert result.rc == 0, result
    document = json.loads(result.text)
    assert [m["role"] for m in document["messages"]] == ["user", "assistant", "user", "assistant"]
    assert document["stop_reason"] == "end_turn" and document["claudecli"]["requests"] == 2
    dry = tools_run(emulator, tmp_path, "--builtin", "list_dir", "--tool-choice", "list_dir",
                    "--dry-run", "go")  # fmt: skip
    assert dry.rc == 0, dry
    body = json.loads(dry.text)
    assert body["tool_choice"] == {"type": "tool", "name": "list_dir"}
    assert body["tools"][0]["name"] == "list_dir"


def test_a_pipe_gets_only_the_final_answer_and_stderr_the_turns_before_it(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("list_dir", tool_input={}, text="Let me look first."))
    emulator.enqueue(calls("list_dir", tool_input={"path": "."}, text="One more look."))
    emulator.enqueue({"text": "Two looks: done."})
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir", "look")
    assert result.rc == 0, result
    assert result.text == "Two looks: done.\n"
    first, second = result.err.index("Let me look first."), result.err.index("One more look.")
    assert first < result.err.index("list_dir", first) < second  # each before its tool panel
    assert "\x1b[" not in result.err and "Two looks" not in result.err
    assert "Let me look first.\n[tool · list_dir]" in result.err
    for _ in range(2):
        emulator.enqueue(calls("list_dir", tool_input={}, text="Let me look first."))
        emulator.enqueue({"text": "done"})
    document = json.loads(
        tools_run(emulator, tmp_path, "--builtin", "list_dir", "--json", "go").text
    )
    replies = [m["content"] for m in document["messages"] if m["role"] == "assistant"]
    said = [b["text"] for content in replies for b in content if b["type"] == "text"]
    assert said == ["Let me look first.", "done"]  # --json keeps the whole transcript
    events = tools_run(emulator, tmp_path, "--builtin", "list_dir", "--stream-json", "go").text
    deltas = [json.loads(line).get("delta", {}) for line in events.splitlines()]
    assert "".join(d.get("text", "") for d in deltas) == "Let me look first.done"


def test_a_forced_colour_pipe_also_gets_only_the_answer(emulator: Emulator, tmp_path: Path) -> None:
    emulator.enqueue(calls("list_dir", tool_input={}, text="Let me look first."))
    emulator.enqueue({"text": "Looked: done."})
    env = cli_env(emulator.url, FORCE_COLOR="1")
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir", "look", env=env)
    assert result.rc == 0, result
    assert result.text.strip() == "Looked: done."  # rich blocks, no tool panel, no earlier turn
    assert "Let me look first." in result.err and "result · list_dir" in result.err


def test_a_final_turn_cut_short_keeps_its_partial_answer_on_the_pipe(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("list_dir", tool_input={}, text="Looking."))
    emulator.enqueue({"text": "The partial answer", "fault": "stall", "after": 4, "seconds": 30})
    result = tools_run(emulator, tmp_path, "--builtin", "list_dir", "--timeout", "3", "go")
    assert result.rc == 7, result
    assert result.text.startswith("The partial") and "Looking." in result.err
    assert "the answer was cut short" in result.err


def test_on_a_terminal_every_turn_shows_on_stdout(emulator: Emulator, tmp_path: Path) -> None:
    emulator.enqueue(calls("list_dir", tool_input={}, text="Let me look first."))
    emulator.enqueue({"text": "Looked: done."})
    controller, terminal = pty.openpty()
    env = cli_env(emulator.url, TERM="dumb")
    args = ["tools", "run", "--root", str(tmp_path), "--builtin", "list_dir", "look"]
    proc = subprocess.Popen([*command(), *args], stdin=subprocess.DEVNULL, stdout=terminal,
                            stderr=subprocess.PIPE, env=env)  # fmt: skip
    os.close(terminal)
    screen = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 20)
        assert ready, screen
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process is done with it
            break
        if not chunk:
            break
        screen += chunk
    _, err = proc.communicate(timeout=20)
    os.close(controller)
    assert proc.returncode == 0, err
    assert b"Let me look first." in screen and b"Looked: done." in screen
    assert screen.index(b"Let me look first.") < screen.index(b"Looked: done.")


def test_on_a_terminal_stderr_the_turns_before_the_answer_are_dim(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.enqueue(calls("list_dir", tool_input={}, text="Let me look first."))
    emulator.enqueue({"text": "Looked: done."})
    env = cli_env(emulator.url, TERM="xterm-256color")
    term = Terminal(["tools", "run", "--root", str(tmp_path), "--builtin", "list_dir", "go"], env)
    term.expect("\x1b[2mLet me look first.")
    rc, out = term.wait()
    assert rc == 0 and out == b"Looked: done.\n", (rc, out)


def test_a_bad_tools_file_is_one_line_with_its_position(emulator: Emulator, tmp_path: Path) -> None:
    tools = write_tools(tmp_path, "tools:\n  - name: x\n    command: [x]\n    timeout: soon\n")
    result = tools_run(emulator, tmp_path, "--tools", tools, "go")
    assert result.rc == 3, result
    assert result.err.strip().startswith("claudecli: error: tools.yaml:4:14: tools[0].timeout:")
    assert len(result.err.strip().splitlines()) == 1 and emulator.requests == []


def test_an_mcp_server_is_listed_and_called(emulator: Emulator, tmp_path: Path) -> None:
    tools = write_tools(
        tmp_path,
        f"tools:\n  - name: calc\n    mcp: [{sys.executable}, {MCP_SERVER}]\n"
        "    permission: allow\n",
    )
    emulator.enqueue(calls("mcp__calc__add", tool_input={"a": 2, "b": 40}))
    emulator.enqueue({"text": "42"})
    result = tools_run(emulator, tmp_path, "--tools", tools, "add", timeout=60)
    assert result.rc == 0, result
    first, second = message_requests(emulator)
    assert {t["name"] for t in first["body"]["tools"]} == {"mcp__calc__add", "mcp__calc__fail"}
    assert results_in(second["body"])[0]["content"] == "42"


# --- approval on a terminal ---------------------------------------------------------------


class Terminal:
    """The binary with stdin and stderr on a pty (so it can ask), stdout piped."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.controller, terminal = pty.openpty()
        self.proc = subprocess.Popen(
            [*command(), *args], stdin=terminal, stderr=terminal, stdout=subprocess.PIPE, env=env
        )
        os.close(terminal)
        self.screen = b""

    def expect(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.screen:
            left = deadline - time.monotonic()
            assert left > 0, f"{text!r} not shown; screen: {self.screen!r}"
            ready, _, _ = select.select([self.controller], [], [], left)
            if ready:
                try:
                    self.screen += os.read(self.controller, 65536)
                except OSError:
                    break
        assert text.encode() in self.screen, self.screen
        self.screen = self.screen[self.screen.index(text.encode()) + len(text) :]

    def answer(self, line: str) -> None:
        os.write(self.controller, line.encode() + b"\n")

    def wait(self) -> tuple[int, bytes]:
        out, _ = self.proc.communicate(timeout=20)
        os.close(self.controller)
        return self.proc.returncode, out


def test_approval_yes_no_always_on_a_terminal(emulator: Emulator, tmp_path: Path) -> None:
    for _ in range(4):
        emulator.enqueue(calls("run_command", tool_input={"argv": ["echo", "hi\x1b[2J"]}))
    emulator.enqueue({"text": "done"})
    env = cli_env(emulator.url, TERM="dumb")
    term = Terminal(
        ["tools", "run", "--root", str(tmp_path), "--builtin", "run_command", "go"], env
    )
    term.expect("approve tool run_command?")
    term.expect('argv:  ["echo", "hi\\u001b[2J"]')  # the escape is shown, not obeyed
    term.expect("or type a reason to refuse: ")
    term.answer("y")
    term.expect("or type a reason to refuse: ")
    term.answer("use printf instead")
    term.expect("or type a reason to refuse: ")
    term.answer("always")
    rc, out = term.wait()  # the fourth call ran without asking
    assert rc == 0 and out.endswith(b"done\n"), (rc, out)
    answers = [results_in(r["body"])[0] for r in message_requests(emulator)[1:]]
    assert answers[0]["content"] == "hi\x1b[2J\n" and "is_error" not in answers[0]
    assert answers[1]["content"].endswith(": use printf instead") and answers[1]["is_error"]
    assert answers[2]["content"] == answers[3]["content"] == "hi\x1b[2J\n"
