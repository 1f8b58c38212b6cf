"""Saved roles (`roles:` in config.yaml): parsed, checked with positions, merged by profile,
applied by `--role` under the flags, and listed by `config show`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claudecli.cli.options import turn_options
from claudecli.config import parse_config, resolve_settings
from claudecli.errors import ConfigError, UsageError

CONFIG = """\
roles:
  reviewer:
    system: You are a terse code reviewer.
    model: opus
    thinking: 2048
    effort: high
    cache: [system, prompt]
    cache_ttl: 1h
  plain:
profiles:
  work:
    roles:
      extra: {effort: low, cache: false}
      plain: {model: haiku}
"""


def roles(profile: str | None = None) -> dict[str, dict[str, object]]:
    resolved = resolve_settings({}, {}, parse_config(CONFIG), profile)
    return {name: dict(role) for name, role in resolved.settings.roles.items()}


def test_roles_are_parsed_and_checked() -> None:
    assert roles()["reviewer"] == {
        "system": "You are a terse code reviewer.",
        "model": "opus",
        "thinking": 2048,
        "effort": "high",
        "cache": ("system", "prompt"),
        "cache_ttl": "1h",
    }
    assert roles()["plain"] == {}


def test_a_profile_adds_and_replaces_roles_by_name() -> None:
    merged = roles("work")
    assert merged["extra"] == {"effort": "low", "cache": ("off",)}
    assert merged["plain"] == {"model": "haiku"}
    assert "reviewer" in merged


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("roles: {x: {sytem: a}}", "config.yaml:1:12: roles.x: unknown role setting 'sytem' (did"),
        ("roles: {x: {cache: [nope]}}", "roles.x.cache must be true, false or cache modes"),
        ("roles: {x: {thinking: 5}}", "roles.x.thinking budget must be ≥ 1024 tokens, got 5"),
        ("roles: {x: {effort: huge}}", "roles.x.effort must be one of low, medium, high"),
        ("roles: [a]", "config.yaml:1:8: roles must be a mapping of role names"),
        ("roles: {x: 3}", "roles.x must be a mapping of role settings, got integer"),
    ],
)
def test_a_bad_role_is_one_error_naming_the_place(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"^config\.yaml:1:") as caught:
        parse_config(text)
    assert message in str(caught.value)


def test_role_fills_what_the_flags_leave_unset() -> None:
    defined = resolve_settings({}, {}, parse_config(CONFIG)).settings.roles
    options = turn_options({"role": "reviewer", "prompt": ["hi"]}, None, defined)
    assert (options.system, options.model, options.thinking) == (
        "You are a terse code reviewer.",
        "opus",
        "2048",
    )
    assert (options.effort, options.cache, options.cache_ttl) == (
        "high",
        ("system", "prompt"),
        "1h",
    )
    flags = {"role": "reviewer", "model": "haiku", "system": "Be kind.", "cache": ["auto"]}
    options = turn_options(flags, None, defined)
    assert (options.model, options.system, options.cache) == ("haiku", "Be kind.", ("auto",))
    options = turn_options({"role": "reviewer", "system_file": "s.txt"}, None, defined)
    assert (options.system, options.system_file) == (None, "s.txt")  # the file replaces it


def test_an_unknown_role_names_the_defined_ones() -> None:
    defined = resolve_settings({}, {}, parse_config(CONFIG)).settings.roles
    with pytest.raises(
        UsageError, match=r"^--role: unknown role 'nope'; defined: plain, reviewer$"
    ):
        turn_options({"role": "nope"}, None, defined)
    with pytest.raises(UsageError, match=r"defined: none \(add `roles:` to config.yaml\)"):
        turn_options({"role": "nope"}, None, {})


def _claudecli(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAUDECLI_CONFIG": str(config)}
    binary = Path(sys.executable).with_name("claudecli")
    return subprocess.run(
        [str(binary), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_ask_role_and_config_show(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    done = _claudecli("ask", "--dry-run", "--role", "reviewer", "hi", config=config)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["model"] == "claude-opus-5-5"
    assert body["system"][0]["text"] == "You are a terse code reviewer."
    assert body["output_config"] == {"effort": "high"}
    shown = _claudecli("config", "show", config=config)
    assert "roles.reviewer" in shown.stdout and "model=opus" in shown.stdout, shown.stdout
    assert "system='You are a terse code reviewer.'" in shown.stdout
    bad = _claudecli("ask", "--dry-run", "--role", "nope", "hi", config=config)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "claudecli: error: --role: unknown role 'nope'; defined: plain, reviewer"
    ]
