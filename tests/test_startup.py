"""`--version`, `--help` and a dry run stay light: no network stack, no rich, no prompt_toolkit."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from tests import importtime

HEAVY = ("httpx2", "rich", "rich.markdown", "prompt_toolkit", "keyring", "pydantic", "anthropic")


def imported_modules(*args: str) -> set[str]:
    return importtime.imported_modules(["-m", "claudecli", *args])


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("ask", "--help"),
        ("count-tokens", "--help"),
        ("history", "--help"),
        ("history", "list", "--help"),
        ("chat", "--help"),
        ("batch", "--help"),
        ("batch", "submit", "--help"),
        ("tools", "run", "--help"),
    ],
)
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...]) -> None:
    modules = imported_modules(*args)
    assert modules, "no -X importtime output: the check itself is broken"
    assert not [m for m in modules if m.split(".")[0] in {h.split(".")[0] for h in HEAVY}]


def test_version_does_not_even_import_typer() -> None:
    modules = imported_modules("--version")
    assert "claudecli" in modules
    assert not [m for m in modules if m.startswith(("typer", "click"))]


def test_dry_run_builds_the_request_without_the_network_stack() -> None:
    modules = imported_modules("ask", "--dry-run", "hello")
    assert "claudecli.request.build" in modules
    assert not [m for m in modules if m.startswith(("httpx2", "rich", "prompt_toolkit"))]


def test_tools_run_help_and_a_dry_run_without_mcp_import_no_mcp_sdk(tmp_path: Path) -> None:
    """The MCP SDK (~0.6 s) is imported only when a tools file names an MCP server."""
    assert not [m for m in imported_modules("tools", "run", "--help") if m.startswith("mcp")]
    args = ("tools", "run", "--builtin", "read_file", "--root", str(tmp_path), "--dry-run", "hi")
    modules = imported_modules(*args)
    assert "claudecli.tools.toolbox" in modules
    assert not [m for m in modules if m.split(".")[0] in ("mcp", "httpx2", "rich")]


CLOUD_LIBRARIES = ("botocore", "boto3", "google")


@pytest.mark.parametrize(
    "args",
    [("--help",), ("ask", "--help"), ("--provider", "bedrock", "ask", "--help")],
)
def test_help_imports_no_cloud_library(args: tuple[str, ...]) -> None:
    modules = imported_modules(*args)
    assert modules
    assert not [m for m in modules if m.split(".")[0] in CLOUD_LIBRARIES]


def test_a_first_party_ask_imports_neither_botocore_nor_google_auth(emulator: Emulator) -> None:
    env = {"ANTHROPIC_BASE_URL": emulator.url, "ANTHROPIC_API_KEY": "sk-ant-test"}
    modules = importtime.imported_modules(["-m", "claudecli", "ask", "hello"], env)
    assert "claudecli.client.stream" in modules
    assert not [m for m in modules if m.split(".")[0] in CLOUD_LIBRARIES]
