"""`tools:` in config.yaml: approval rules for `tools run` (allow/ask/deny lists in the tools
file's syntax), checked with file positions, replaced list by list in a profile, shown by
`config show`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claudecli.config import parse_config, resolve_settings
from claudecli.errors import ConfigError

CONFIG = """\
tools:
  allow: [read_file, "run_command(git status)"]
  deny:
    - "run_command(rm *)"
profiles:
  work:
    tools:
      allow: [list_dir]
"""


def rules(profile: str | None = None) -> dict[str, tuple[str, ...]]:
    return dict(resolve_settings({}, {}, parse_config(CONFIG), profile).settings.tools)


def test_rules_are_read_and_a_profile_replaces_a_list_by_name() -> None:
    assert rules() == {
        "allow": ("read_file", "run_command(git status)"),
        "deny": ("run_command(rm *)",),
    }
    assert rules("work") == {"allow": ("list_dir",), "deny": ("run_command(rm *)",)}
    resolved = resolve_settings({}, {}, parse_config(CONFIG), "work")
    assert resolved.item_sources["tools"] == {
        "allow": "profile work (config.yaml:8)",
        "deny": "config.yaml:3",
    }
    assert resolve_settings({}, {}, parse_config("")).settings.tools == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tools: [read_file]", "config.yaml:1:8: tools must be a mapping of allow, ask and deny"),
        (
            "tools: {alow: [x]}",
            "config.yaml:1:15: tools: unknown key 'alow' (did you mean 'allow'?)",
        ),
        (
            "tools: {allow: x}",
            "config.yaml:1:16: tools.allow must be a list of tool rules, got string",
        ),
        ("tools: {deny: [a, 'run_command(']}", "config.yaml:1:19: tools.deny[1]: 'run_command(':"),
        ("tools: {ask: [a, 3]}", "config.yaml:1:18: tools.ask[1] must be a string, got integer"),
        ("tools: {ask: ['(ls)']}", "config.yaml:1:15: tools.ask[0]: '(ls)': a rule is a tool name"),
    ],
)
def test_a_bad_rule_is_one_error_naming_the_place(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(message), str(caught.value)


def test_a_profile_rule_is_checked_too() -> None:
    with pytest.raises(ConfigError, match=r"^config\.yaml:3:20: profiles\.p\.tools\.deny\[0\]"):
        parse_config("profiles:\n  p:\n    tools: {deny: ['x(']}\n")


def test_config_show_lists_the_rules_with_their_source(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    env = {**os.environ, "CLAUDECLI_CONFIG": str(config)}
    binary = str(Path(sys.executable).with_name("claudecli"))
    done = subprocess.run([binary, "config", "show", "--json"], capture_output=True, text=True,
                          env=env, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["tools.allow"] == {
        "value": "read_file, run_command(git status)",
        "source": "config.yaml:2",
    }
    assert shown["tools.deny"]["value"] == "run_command(rm *)"
    text = subprocess.run([binary, "config", "show"], capture_output=True, text=True, env=env,
                          timeout=60, check=False).stdout  # fmt: skip
    assert "tools.deny" in text and "run_command(rm *)" in text
