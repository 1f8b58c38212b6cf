"""`tools run` on Bedrock and Vertex AI: the installed binary against the emulator's cloud
routes, a scripted tool_use -> tool_result -> answer loop; every request of the loop goes
through the provider's route (SigV4-signed on Bedrock, an OAuth token on Vertex) and the tool's
result goes back there paired with its call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claudecli.emulator import Emulator
from tests.cli import cloud_env
from tests.cli.cloud_env import AWS_SECRET, SESSION
from tests.cli.helpers import Result, run

aws, gcp = cloud_env.aws, cloud_env.gcp  # the fixtures
BEDROCK_ROUTE = "/model/us.anthropic.claude-sonnet-5-5-v1/invoke-with-response-stream"


def read_loop(emulator: Emulator, tmp_path: Path, provider: str, env: dict[str, str],
              model: str) -> Result:  # fmt: skip
    root = tmp_path / "work"
    root.mkdir()
    (root / "notes.txt").write_text("the cloud notes\n")
    emulator.enqueue({"tool": "read_file", "tool_input": {"path": "notes.txt"}, "text": "Reading."})
    emulator.enqueue({"text": "The notes say: the cloud notes."})
    args = ["--provider", provider, "tools", "run", "--root", str(root), "--builtin", "read_file"]
    return run([*args, "-m", model, "read the notes"], url=None, env=env)


def loop_requests(emulator: Emulator) -> list[dict[str, Any]]:
    return [r for r in emulator.requests if r["method"] == "POST" and r["path"] != "/token"]


def assert_paired(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert [tool["name"] for tool in first["body"]["tools"]] == ["read_file"]
    messages = second["body"]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    [use] = [b for b in messages[1]["content"] if b["type"] == "tool_use"]
    [answer] = messages[2]["content"]
    assert answer["type"] == "tool_result" and answer["tool_use_id"] == use["id"]
    assert answer["content"] == "the cloud notes\n" and "is_error" not in answer


def test_tools_run_on_bedrock(emulator: Emulator, aws: dict[str, str], tmp_path: Path) -> None:
    result = read_loop(emulator, tmp_path, "bedrock", aws, "sonnet")
    assert result.rc == 0, result
    assert result.text == "The notes say: the cloud notes.\n"
    first, second = loop_requests(emulator)
    for sent in (first, second):
        assert sent["path"] == BEDROCK_ROUTE
        assert sent["headers"]["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKID")
        assert sent["body"]["anthropic_version"] == "2026-10-21" and "model" not in sent["body"]
    assert_paired(first, second)
    assert AWS_SECRET not in result.err and SESSION not in result.err


def test_tools_run_on_vertex(emulator: Emulator, gcp: dict[str, str], tmp_path: Path) -> None:
    result = read_loop(emulator, tmp_path, "vertex", gcp, "claude-sonnet-4-5")
    assert result.rc == 0, result
    assert result.text == "The notes say: the cloud notes.\n"
    first, second = loop_requests(emulator)
    for sent in (first, second):
        assert "/publishers/anthropic/models/claude-sonnet-4-5@" in sent["path"]
        assert sent["path"].endswith(":streamRawPredict")
        assert sent["headers"]["authorization"].startswith("Bearer ")
    assert_paired(first, second)
