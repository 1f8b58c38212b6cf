"""`ask` records every turn and continues conversations: the installed binary against the
emulator, with the request log as the proof of what was sent back."""

from __future__ import annotations

import base64
import json
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from claudecli.conversations import Store, StoredMessage
from claudecli.emulator import Emulator
from tests.cli.conftest import Ask
from tests.cli.helpers import (
    cli_env,
    command,
    interrupt,
    message_requests,
    read_until_output,
    run,
    run_many,
    start,
)
from tests.request import media

pytestmark = pytest.mark.slow

STALLED = {"tokens": 400, "fault": "stall", "after": 8, "seconds": 20}


def store_file(home: Path) -> Path:
    return home / ".local" / "share" / "claudecli" / "conversations.db"


def stored(home: Path) -> list[StoredMessage]:
    """Every message of every conversation, through the store's own API."""
    with Store.open(store_file(home)) as store:
        ids = [c.id for c in store.list_conversations(limit=None)]
        return [m for conv in ids for m in store.messages(conv)]


def sent_messages(emulator: Emulator, index: int = -1) -> list[dict[str, Any]]:
    return list(message_requests(emulator)[index]["body"]["messages"])


def test_a_continued_chain_sends_the_whole_history_verbatim(ask: Ask, emulator: Emulator) -> None:
    first = ask("--json", "-s", "Be terse.", "-m", "claude-haiku-5-5", "first question")
    second = ask("--json", "-c", "second question")
    third = ask("--json", "--usage", "-c", "third question")
    assert (first.rc, second.rc, third.rc) == (0, 0, 0), (first, second, third)
    answers = [json.loads(result.out) for result in (first, second, third)]
    ids = {answer["claudecli"]["conversation_id"] for answer in answers}
    assert len(ids) == 1  # one conversation, carried under the claudecli key
    history = sent_messages(emulator)
    assert [m["role"] for m in history] == ["user", "assistant"] * 2 + ["user"]
    assert history[1]["content"] == answers[0]["content"]  # verbatim
    assert history[3]["content"] == answers[1]["content"]
    assert history[4]["content"][-1]["text"] == "third question"
    body = message_requests(emulator)[-1]["body"]
    assert body["model"] == "claude-haiku-5-5"  # the model carried over
    assert body["system"][0]["text"] == "Be terse."  # and the system prompt
    assert answers[2]["usage"]["cache_read_input_tokens"] > 0  # the history came from the cache
    assert "cache saved" in third.err


def test_conversation_by_prefix_and_flags_override_what_carries_over(
    ask: Ask, emulator: Emulator
) -> None:
    first = json.loads(ask("--json", "-s", "Old system.", "one").out)
    ask("--json", "another conversation")
    prefix = first["claudecli"]["conversation_id"][:-2]  # ids made in one second share a head
    result = ask("--conversation", prefix, "-m", "claude-opus-5-5", "-s", "New system.", "two")
    assert result.rc == 0, result
    body = message_requests(emulator)[-1]["body"]
    assert body["model"] == "claude-opus-5-5" and body["system"][0]["text"] == "New system."
    assert body["messages"][0]["content"][-1]["text"] == "one"


def test_continue_without_any_conversation_is_a_usage_error(ask: Ask) -> None:
    result = ask("-c", "hello")
    assert result.rc == 2 and "no conversation yet" in result.err, result


@pytest.mark.parametrize(
    ("sig", "rc"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_a_signal_mid_stream_keeps_the_partial_reply_and_the_chain_goes_on(
    emulator: Emulator, hermetic_env: Path, sig: signal.Signals, rc: int
) -> None:
    emulator.enqueue(STALLED)  # queued, not in the prompt: the continuation must not stall
    result = interrupt(start(["ask", "a long answer please"], url=emulator.url), sig)
    assert result.rc == rc, result
    [reply] = [m for m in stored(hermetic_env) if m.role == "assistant"]
    assert reply.status == "interrupted"
    partial = "".join(block.get("text", "") for block in reply.content)
    # what was shown is kept (the store may hold a delta more: the signal can land between the
    # accumulator and the renderer)
    assert result.text.strip() and partial.startswith(result.text.strip())
    again = run(["ask", "-c", "go on"], url=emulator.url)
    assert again.rc == 0, again
    history = sent_messages(emulator)
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[1]["content"][-1]["text"] == history[1]["content"][-1]["text"].rstrip()


def test_kill_9_mid_reply_loses_no_turn(emulator: Emulator, hermetic_env: Path) -> None:
    assert run(["ask", "a first, complete turn"], url=emulator.url).rc == 0
    # a web search, its result and a text block all finish (each end is flushed), then the
    # stream stalls before message_delta: kill -9 there
    emulator.enqueue({"server_tool": "web_search", "fault": "stall", "after": 12, "seconds": 20})
    proc = start(["ask", "-c", "go"], url=emulator.url)  # "Echo: go": one text delta
    shown = read_until_output(proc)
    while b"Echo: go" not in shown:  # the text block is on screen, its end flushed with it
        shown += read_until_output(proc)
    time.sleep(0.3)
    proc.kill()
    proc.communicate(timeout=5)
    messages = stored(hermetic_env)
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]
    kinds = [block["type"] for block in messages[-1].content]
    assert kinds == ["server_tool_use", "web_search_tool_result", "text"], kinds
    assert messages[-1].status == "interrupted"
    again = run(["ask", "-c", "still there?"], url=emulator.url)
    assert again.rc == 0, again
    sent = sent_messages(emulator)
    assert [m["role"] for m in sent] == ["user", "assistant"] * 2 + ["user"]
    assert [block["type"] for block in sent[3]["content"]] == kinds  # sent back verbatim


def test_a_corrupt_store_is_one_line_and_exit_3_never_reset(
    ask: Ask, emulator: Emulator, hermetic_env: Path
) -> None:
    path = store_file(hermetic_env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database, but somebody's data" * 100)
    before = path.read_bytes()
    result = ask("hello")
    assert result.rc == 3, result
    lines = result.err.splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "corrupt" in lines[0]
    assert path.read_bytes() == before and message_requests(emulator) == []


def test_a_read_only_store_still_prints_the_answer(emulator: Emulator, hermetic_env: Path) -> None:
    assert run(["ask", "a first turn"], url=emulator.url).rc == 0  # the store exists
    directory = store_file(hermetic_env).parent
    argv = [*command(), "ask", "-c", "hello again"]
    if os.geteuid() != 0:
        directory.chmod(0o500)
        try:
            done = subprocess.run(argv, capture_output=True, env=cli_env(emulator.url), timeout=20)
        finally:
            directory.chmod(0o700)
    else:  # root writes through permissions: a read-only bind mount in a private namespace
        where = shlex.quote(str(directory))
        script = f"mount --bind {where} {where} && mount -o remount,bind,ro {where} || exit 99"
        script += f"; exec {shlex.join(argv)}"
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", script],
            capture_output=True,
            env=cli_env(emulator.url),
            timeout=20,
        )
        if done.returncode == 99:
            pytest.skip("root without a way to mount a read-only directory")
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert done.stdout.decode().startswith("Echo: hello again")
    assert "not recorded" in err and "read-only" in err.lower(), err


def test_a_full_disk_store_still_prints_the_answer(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    """The data dir on /dev/full is not possible; a store path that is a directory is the
    same class of failure (the store cannot be written), and root cannot bypass it."""
    home = tmp_path / "claudecli-home"
    (home / "data" / "conversations.db").mkdir(parents=True)
    result = ask("hello", env=cli_env(emulator.url, CLAUDECLI_HOME=str(home)))
    assert result.rc == 0 and result.text.startswith("Echo: hello"), result
    assert "not recorded" in result.err and "conversations.db" in result.err


def test_two_writers_at_once_both_succeed(emulator: Emulator, hermetic_env: Path) -> None:
    assert run(["ask", "base turn"], url=emulator.url).rc == 0
    calls = [(["ask", "-c", f"parallel {n}"], {"url": emulator.url}) for n in range(4)]
    results = run_many(calls)
    assert [r.rc for r in results] == [0] * 4, results
    assert len(stored(hermetic_env)) == 2 + 4 * 2


def test_no_history_and_dry_run_record_nothing(
    ask: Ask, emulator: Emulator, hermetic_env: Path, tmp_path: Path
) -> None:
    assert ask("--no-history", "hello").rc == 0
    assert ask("--dry-run", "hello").rc == 0
    config = tmp_path / "config.yaml"
    config.write_text("history: false\n")
    assert ask("hello", env=cli_env(emulator.url, CLAUDECLI_CONFIG=str(config))).rc == 0
    assert not store_file(hermetic_env).exists()


def test_attachments_kept_by_reference_say_when_the_file_changed(
    ask: Ask, emulator: Emulator, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("keep_attachments: reference\n")
    env = cli_env(emulator.url, CLAUDECLI_CONFIG=str(config))
    picture = tmp_path / "chart.png"
    picture.write_bytes(media.png(8, 8))
    assert ask("-a", str(picture), "describe it", env=env).rc == 0
    again = ask("-c", "more detail", env=env)
    assert again.rc == 0, again
    image = sent_messages(emulator)[0]["content"][0]
    assert image["source"]["data"] == base64.b64encode(media.png(8, 8)).decode()  # same bytes
    picture.write_bytes(media.png(9, 9))
    changed = ask("-c", "and now?", env=env)
    assert changed.rc == 3, changed
    assert changed.err.splitlines() == [
        f"claudecli: error: {picture}: an attachment of this conversation changed since it was sent"
    ]


def test_config_path_shows_the_store(emulator: Emulator, hermetic_env: Path) -> None:
    done = run(["config", "path", "store"], url=emulator.url)
    assert done.rc == 0 and done.text.strip() == str(store_file(hermetic_env))
    both = run(["config", "path", "all"], url=emulator.url).text.splitlines()
    assert both[1] == f"store: {store_file(hermetic_env)}" and both[0].startswith("config: ")
