"""resolve_settings: flag > environment > profile > file > default, with provenance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claudecli.config import (
    ConfigFile,
    ResolvedSettings,
    Settings,
    load_settings,
    parse_config,
    resolve_settings,
)
from claudecli.errors import ConfigError, UsageError
from claudecli.render.settings_view import config_show_rows

SECRET = "sk-ant-test-0123456789abcdefWXYZ"
LAYERS = ("default", "file", "profile", "env", "flag")


def parse(text: str) -> ConfigFile:
    return parse_config(text, path=Path("config.yaml"))


def resolve(
    text: str = "",
    env: dict[str, str] | None = None,
    flags: dict[str, object] | None = None,
    profile: str | None = None,
) -> ResolvedSettings:
    return resolve_settings(flags or {}, env or {}, parse(text), profile)


# One row per setting: (field, file text, profile text, env var, env value, flag value,
# then the value each layer yields, lowest first).
CASES = [
    (
        "model",
        "model: file-model",
        "model: profile-model",
        ("ANTHROPIC_MODEL", "env-model"),
        "flag-model",
        ("claude-sonnet-5-5", "file-model", "profile-model", "env-model", "flag-model"),
    ),
    (
        "max_tokens",
        "max_tokens: 100",
        "max_tokens: 200",
        ("CLAUDECLI_MAX_TOKENS", "300"),
        400,
        (None, 100, 200, 300, 400),
    ),
    (
        "base_url",
        "base_url: https://file.example",
        "base_url: https://profile.example",
        ("ANTHROPIC_BASE_URL", "https://env.example/"),
        "https://flag.example",
        (
            "https://api.anthropic.com",
            "https://file.example",
            "https://profile.example",
            "https://env.example",
            "https://flag.example",
        ),
    ),
    (
        "idle_timeout",
        "idle_timeout: 10",
        "idle_timeout: 20",
        ("CLAUDECLI_IDLE_TIMEOUT", "30.5"),
        40,
        (600.0, 10.0, 20.0, 30.5, 40.0),
    ),
    (
        "thinking",
        "thinking: off",
        "thinking: 2048",
        ("CLAUDECLI_THINKING", "adaptive"),
        "4096",
        ("adaptive", "off", 2048, "adaptive", 4096),
    ),
    (
        "betas",
        "betas: [a]",
        "betas: [b]",
        ("CLAUDECLI_BETAS", "c, d"),
        ["e"],
        ((), ("a",), ("b",), ("c", "d"), ("e",)),
    ),
    (
        "cache",
        "cache: false",
        "cache: true",
        ("CLAUDECLI_CACHE", "off"),
        True,
        (True, False, True, False, True),
    ),
    (
        "api_key_cmd",
        "api_key_cmd: [file-cmd]",
        "api_key_cmd: profile-cmd --x",
        ("CLAUDECLI_API_KEY_CMD", "env-cmd 'a b'"),
        ["flag-cmd"],
        (None, ("file-cmd",), ("profile-cmd", "--x"), ("env-cmd", "a b"), ("flag-cmd",)),
    ),
    (
        "total_timeout",
        "total_timeout: 50",
        "total_timeout: 60",
        ("CLAUDECLI_TOTAL_TIMEOUT", "none"),
        70.0,
        (None, 50.0, 60.0, None, 70.0),
    ),
    (
        "color",
        "color: always",
        "color: never",
        ("NO_COLOR", "1"),
        "auto",
        ("auto", "always", "never", "never", "auto"),
    ),
]


def build(case: tuple[Any, ...], top: str) -> tuple[str, dict[str, str], dict[str, object]]:
    field, file_text, profile_text, (var, env_value), flag_value, _ = case
    depth = LAYERS.index(top)
    text = f"{file_text}\n" if depth >= 1 else ""
    text += f"profiles:\n  work:\n    {profile_text}\n" if depth >= 2 else "profiles:\n  work: {}\n"
    env: dict[str, str] = {var: env_value} if depth >= 3 else {}
    flags: dict[str, object] = {field: flag_value} if depth >= 4 else {}
    return text, env, flags


EXPECTED_SOURCE = {
    "default": "default",
    "file": "config.yaml:1",
    "profile": "profile work (config.yaml:4)",
    "env": "env {var}",
    "flag": "flag --{option}",
}


@pytest.mark.parametrize("top", LAYERS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_layer_overrides_the_one_below(case: tuple[Any, ...], top: str) -> None:
    field = str(case[0])
    var = case[3][0]
    expected = case[5][LAYERS.index(top)]
    text, env, flags = build(case, top)
    resolved = resolve(text, env, flags, profile="work")
    assert getattr(resolved.settings, field) == expected
    source = EXPECTED_SOURCE[top].format(var=var, option=field.replace("_", "-"))
    assert resolved.source(field) == source


def test_profile_values_in_a_merged_block_keep_their_own_line() -> None:
    resolved = resolve(
        "model: a\nprofiles:\n  work:\n    cache: false\n    model: b\n", profile="work"
    )
    assert resolved.source("model") == "profile work (config.yaml:5)"
    assert resolved.source("cache") == "profile work (config.yaml:4)"


def test_claudecli_env_beats_anthropic_env() -> None:
    env = {"ANTHROPIC_MODEL": "a", "CLAUDECLI_MODEL": "c"}
    resolved = resolve(env=env)
    assert resolved.settings.model == "c"
    assert resolved.source("model") == "env CLAUDECLI_MODEL"


def test_empty_env_values_count_as_unset() -> None:
    resolved = resolve("model: m\n", env={"ANTHROPIC_MODEL": "", "CLAUDECLI_MODEL": ""})
    assert resolved.source("model") == "config.yaml:1"


def test_flags_given_as_none_are_ignored() -> None:
    resolved = resolve("model: m\n", flags={"model": None, "max_tokens": None})
    assert resolved.source("model") == "config.yaml:1"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"NO_COLOR": "1"}, ("never", "env NO_COLOR")),
        ({"FORCE_COLOR": "0"}, ("always", "env FORCE_COLOR")),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, ("never", "env NO_COLOR")),
        ({"NO_COLOR": "1", "CLAUDECLI_COLOR": "always"}, ("always", "env CLAUDECLI_COLOR")),
        ({"NO_COLOR": ""}, ("auto", "default")),
    ],
)
def test_color_environment(env: dict[str, str], expected: tuple[str, str]) -> None:
    resolved = resolve(env=env)
    assert (resolved.settings.color, resolved.source("color")) == expected


# -- mappings merge key by key ---------------------------------------------------------------


def test_headers_merge_across_layers_with_per_key_sources() -> None:
    text = (
        "headers:\n  X-File: f\n  X-Shared: file\n"
        "profiles:\n  work:\n    headers:\n      x-shared: profile\n"
    )
    env = {"ANTHROPIC_CUSTOM_HEADERS": "X-Env: e\nnot a header line\n\nX-Flagged: env"}
    resolved = resolve(text, env, {"headers": {"x-flagged": "flag"}}, profile="work")
    assert dict(resolved.settings.headers) == {
        "X-File": "f",
        "x-shared": "profile",
        "X-Env": "e",
        "x-flagged": "flag",
    }
    assert dict(resolved.item_sources["headers"]) == {
        "X-File": "config.yaml:2",
        "x-shared": "profile work (config.yaml:7)",
        "X-Env": "env ANTHROPIC_CUSTOM_HEADERS",
        "x-flagged": "flag --headers",
    }


def test_model_aliases_extend_the_defaults() -> None:
    resolved = resolve("model: fast\nmodel_aliases:\n  fast: claude-haiku-5-5\n  opus: my-opus\n")
    settings = resolved.settings
    assert settings.resolve_model() == "claude-haiku-5-5"
    assert settings.resolve_model("opus") == "my-opus"
    assert settings.resolve_model("sonnet") == "claude-sonnet-5-5"
    assert settings.resolve_model("claude-opus-4-8") == "claude-opus-4-8"
    assert resolved.item_sources["model_aliases"]["sonnet"] == "default"
    assert resolved.item_sources["model_aliases"]["opus"] == "config.yaml:4"


# -- profile selection -----------------------------------------------------------------------

PROFILES = """\
default_profile: home
profiles:
  home:
    model: home-model
  work:
    model: work-model
"""


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        ("work", {"CLAUDECLI_PROFILE": "home"}, ("work", "flag --profile", "work-model")),
        (None, {"CLAUDECLI_PROFILE": "work"}, ("work", "env CLAUDECLI_PROFILE", "work-model")),
        (None, {}, ("home", "config.yaml:1", "home-model")),
        ("default", {}, ("default", "flag --profile", "claude-sonnet-5-5")),
    ],
)
def test_profile_selection(
    flag: str | None, env: dict[str, str], expected: tuple[str, str, str]
) -> None:
    resolved = resolve(PROFILES, env, profile=flag)
    actual = (resolved.settings.profile, resolved.source("profile"), resolved.settings.model)
    assert actual == expected


def test_profile_may_come_in_flags_too() -> None:
    resolved = resolve(PROFILES, flags={"profile": "work"})
    assert resolved.settings.profile == "work"
    assert resolved.source("profile") == "flag --profile"


def test_a_profile_named_default_applies_when_none_is_selected() -> None:
    resolved = resolve("profiles:\n  default:\n    model: d\n")
    assert resolved.settings.profile == "default"
    assert resolved.settings.model == "d"
    assert resolved.source("model") == "profile default (config.yaml:3)"


def test_no_profiles_at_all() -> None:
    resolved = resolve("model: m\n")
    assert (resolved.settings.profile, resolved.source("profile")) == ("default", "default")


def test_unknown_profile_from_the_flag_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        resolve(PROFILES, profile="wrok")
    assert str(caught.value) == (
        "flag --profile: unknown profile 'wrok' (did you mean 'work'?); "
        "config.yaml defines: home, work"
    )


def test_unknown_profile_from_the_environment_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError, match=r"^env CLAUDECLI_PROFILE: unknown profile 'x': config\.yaml defines no"
    ):
        resolve("model: m\n", {"CLAUDECLI_PROFILE": "x"})


def test_undefined_profile_can_be_allowed_for_auth_login() -> None:
    resolved = resolve_settings({}, {}, parse(PROFILES), "new", allow_undefined_profile=True)
    assert resolved.settings.profile == "new"
    assert resolved.settings.model == "claude-sonnet-5-5"


# -- bad values from the environment and flags -----------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"CLAUDECLI_MAX_TOKENS": "lots"},
            "env CLAUDECLI_MAX_TOKENS: must be an integer, got 'lots'",
        ),
        (
            {"CLAUDECLI_MAX_TOKENS": "0"},
            "env CLAUDECLI_MAX_TOKENS: max_tokens must be an integer ≥ 1, got 0",
        ),
        (
            {"CLAUDECLI_CACHE": "maybe"},
            "env CLAUDECLI_CACHE: must be true or false (1/0, yes/no, on/off), got 'maybe'",
        ),
        (
            {"CLAUDECLI_IDLE_TIMEOUT": "soon"},
            "env CLAUDECLI_IDLE_TIMEOUT: must be a number, got 'soon'",
        ),
        (
            {"ANTHROPIC_BASE_URL": "localhost:8080"},
            "env ANTHROPIC_BASE_URL: base_url must be an http(s) URL, got 'localhost:8080'",
        ),
        (
            {"CLAUDECLI_EFFORT": "hgih"},
            "env CLAUDECLI_EFFORT: effort must be one of low, medium, high, xhigh, max, "
            "got 'hgih' (did you mean 'high'?)",
        ),
        (
            {"CLAUDECLI_THINKING": "100"},
            "env CLAUDECLI_THINKING: thinking budget must be ≥ 1024 tokens, got 100",
        ),
        (
            {"ANTHROPIC_CUSTOM_HEADERS": "Bad Name: x"},
            "env ANTHROPIC_CUSTOM_HEADERS: headers: 'Bad Name' is not a valid header name",
        ),
    ],
)
def test_bad_environment_values(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve(env=env)
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"max_tokens": 0}, "--max-tokens: max_tokens must be an integer ≥ 1, got 0"),
        (
            {"thinking": "sometimes"},
            "--thinking: thinking must be 'adaptive', 'off' or a token budget ≥ 1024, "
            "got 'sometimes'",
        ),
        ({"color": "blue"}, "--color: color must be one of auto, always, never, got 'blue'"),
    ],
)
def test_bad_flag_values_are_usage_errors(flags: dict[str, object], expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve(flags=flags)
    assert str(caught.value) == expected


def test_unknown_flag_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown setting 'modle'"):
        resolve(flags={"modle": "x"})


# -- warnings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://gateway.example.com", True),
        ("http://localhost:8080", False),
        ("http://127.0.0.1:9", False),
        ("https://gateway.example.com", False),
    ],
)
def test_plain_http_base_url_warns(url: str, warned: bool) -> None:
    resolved = resolve(env={"ANTHROPIC_BASE_URL": url})
    assert bool(resolved.warnings) is warned
    if warned:
        assert resolved.warnings[0] == (
            f"base_url {url} (env ANTHROPIC_BASE_URL) is not https: "
            "the API key would travel unencrypted"
        )


def test_file_warnings_are_passed_on() -> None:
    resolved = resolve("modle: x\n")
    assert resolved.warnings == (
        "config.yaml:1:1: unknown setting 'modle' (did you mean 'model'?); ignored",
    )


# -- config show -----------------------------------------------------------------------------


def test_show_rows_cover_every_field_in_order() -> None:
    rows = config_show_rows(resolve())
    names = [row[0] for row in rows]
    assert names[:3] == ["profile", "model", "max_tokens"]
    assert ("max_tokens", "auto", "default") in rows
    assert ("headers", "(none)", "default") in rows
    assert ("model_aliases.opus", "claude-opus-5-5", "default") in rows
    assert ("idle_timeout", "600", "default") in rows
    assert ("cache", "true", "default") in rows


def test_show_rows_mask_secrets() -> None:
    text = f"""\
base_url: https://user:{SECRET}@gw.example.com
headers:
  Authorization: Bearer {SECRET}
  X-Api-Key: {SECRET}
  X-Note: {SECRET}
  X-Team: research
api_key_cmd: [echo, {SECRET}]
"""
    rows = config_show_rows(resolve(text))
    shown = {key: value for key, value, _ in rows}
    assert shown["headers.Authorization"] == "…WXYZ"
    assert shown["headers.X-Api-Key"] == "…WXYZ"
    assert shown["headers.X-Note"] == "…WXYZ"
    assert shown["headers.X-Team"] == "research"
    assert shown["api_key_cmd"] == "echo '…WXYZ'"
    assert shown["base_url"] == "https://user:…@gw.example.com"
    assert all(SECRET not in value for _, value, _ in rows)
    assert ("headers.X-Team", "research", "config.yaml:6") in rows


def test_load_settings_reads_the_configured_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "alt.yaml"
    target.write_text("model: from-alt\nprofiles:\n  w:\n    cache: false\n")
    monkeypatch.setenv("CLAUDECLI_CONFIG", str(target))
    resolved = load_settings({"max_tokens": 9}, profile="w")
    assert (resolved.settings.model, resolved.settings.cache, resolved.settings.max_tokens) == (
        "from-alt",
        False,
        9,
    )
    assert resolved.source("model") == "alt.yaml:1"
    assert resolved.config_path == target


def test_settings_are_frozen_and_hashable() -> None:
    settings = resolve("headers: {A: b}\n").settings
    with pytest.raises(AttributeError):
        settings.model = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.headers["B"] = "c"  # type: ignore[index]
    assert hash(settings) == hash(Settings(headers={"A": "b"}))
