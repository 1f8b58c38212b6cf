"""config.yaml: schema validation with positions, YAML 1.1 traps, unsafe tags, warnings."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from claudecli.config import (
    ConfigFile,
    default_config_text,
    load_config,
    parse_config,
    resolve_settings,
    yaml_file as config_module,
)
from claudecli.errors import ConfigError, InputError

SECRET = "sk-ant-test-0123456789abcdefWXYZ"
NAMED = Path("config.yaml")


def parse(text: str) -> ConfigFile:
    return parse_config(text, path=NAMED)


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(text)
    return str(caught.value)


def values(config: ConfigFile) -> dict[str, object]:
    return {name: entry.value for name, entry in config.settings.items()}


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


# -- loading ---------------------------------------------------------------------------------


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.yaml")
    assert config.exists is False
    assert config.settings == {} and config.profiles == {} and config.warnings == ()


def test_default_location_is_used(hermetic_env: Path) -> None:
    target = hermetic_env / ".config" / "claudecli" / "config.yaml"
    target.parent.mkdir(parents=True)
    write(target, "model: claude-opus-5-5\n")
    config = load_config()
    assert config.path == target
    assert values(config) == {"model": "claude-opus-5-5"}


def test_every_setting_round_trips(tmp_path: Path) -> None:
    text = """\
model: claude-opus-5-5
max_tokens: 1_000
thinking: 4096
effort: high
cache: false
cache_ttl: 1h
max_retries: 0
retry_max_wait: 30
connect_timeout: 2.5
idle_timeout: 120
no_content_timeout: null
total_timeout: 900
base_url: https://gateway.example.com/anthropic/
auth_header: x-api-key
api_version: "2023-06-01"
betas: [files-api-2025-04-14, context-1m-2025-08-07]
headers: {X-Team: research}
model_aliases: {fast: claude-haiku-5-5}
api_key_cmd: pass show "anthropic/api key"
use_keyring: false
color: never
"""
    config = load_config(write(tmp_path / "config.yaml", text))
    assert config.warnings == ()
    assert values(config) == {
        "model": "claude-opus-5-5",
        "max_tokens": 1000,
        "thinking": 4096,
        "effort": "high",
        "cache": False,
        "cache_ttl": "1h",
        "max_retries": 0,
        "retry_max_wait": 30.0,
        "connect_timeout": 2.5,
        "idle_timeout": 120.0,
        "no_content_timeout": None,
        "total_timeout": 900.0,
        "base_url": "https://gateway.example.com/anthropic",
        "auth_header": "x-api-key",
        "api_version": "2023-06-01",
        "betas": ("files-api-2025-04-14", "context-1m-2025-08-07"),
        "headers": {"X-Team": "research"},
        "model_aliases": {"fast": "claude-haiku-5-5"},
        "api_key_cmd": ("pass", "show", "anthropic/api key"),
        "use_keyring": False,
        "color": "never",
    }


def test_lines_are_recorded(tmp_path: Path) -> None:
    config = parse("\nmodel: x\nheaders:\n  A: b\n  C: d\n")
    assert config.settings["model"].line == 2
    assert config.settings["headers"].line == 3
    assert dict(config.settings["headers"].item_lines) == {"A": 4, "C": 5}


def test_empty_and_comment_only_files_are_empty() -> None:
    assert parse("").settings == {}
    assert parse("# nothing here\n").settings == {}


def test_bom_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "config.yaml"
    target.write_bytes(b"\xef\xbb\xbfmodel: x\n")
    assert values(load_config(target)) == {"model": "x"}


def test_dev_null_is_an_empty_config() -> None:
    assert load_config(os.devnull).settings == {}


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        load_config(tmp_path)


def test_non_utf8_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "config.yaml"
    target.write_bytes(b"model: caf\xe9\n")
    with pytest.raises(ConfigError, match=r"config.yaml: not UTF-8 text \(bad byte at offset 10\)"):
        load_config(target)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "config.yaml"
    target.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    with pytest.raises(ConfigError, match="larger than"):
        load_config(target)


def test_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "config.yaml", "model: x\n")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(config_module, "open", denied, raising=False)
    with pytest.raises(ConfigError, match=r"^cannot read .*config\.yaml: Permission denied$"):
        load_config(target)


def test_config_error_is_an_input_error() -> None:
    assert issubclass(ConfigError, InputError)


# -- syntax and unsafe tags ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("model: x\nbetas: [a, b\n", r"^config\.yaml:3:1: expected ',' or '\]'"),
        ("model: [x\n  y: z\n", r"^config\.yaml:2:4: "),
        ("a: b\n c: d\n", r"^config\.yaml:2:3: mapping values are not allowed here"),
        ("model: 'open\n", r"^config\.yaml:2:1: found unexpected end of stream"),
        ("model: a\x00b\n", r"^config\.yaml:1:9: special characters are not allowed"),
        ("model:\tx\n", r"^config\.yaml:1:7: found character '\\t' that cannot start any token"),
        (
            "model: x\n---\nmodel: y\n",
            r"^config\.yaml:2:1: expected a single document in the stream, "
            r"but found another document$",
        ),
        ("model: *nowhere\n", r"^config\.yaml:1:8: found undefined alias"),
    ],
)
def test_syntax_errors_have_line_and_column(text: str, expected: str) -> None:
    assert re.search(expected, error_of(text))


@pytest.mark.parametrize(
    "text",
    [
        "model: !!python/object/apply:os.system ['echo pwned']\n",
        "model: !!python/name:os.system\n",
        "profiles:\n  work:\n    headers: !!python/object:collections.OrderedDict {}\n",
        "x-anchor: !!python/object/new:subprocess.Popen [[touch, /tmp/pwned]]\n",
        "!!python/tuple [a, b]\n",
    ],
)
def test_python_tags_are_rejected(text: str) -> None:
    message = error_of(text)
    assert re.match(r"^config\.yaml:\d+:\d+: !!python/\S+ tags are not allowed", message)


def test_non_standard_tags_are_rejected() -> None:
    assert "unsupported YAML tag !secret" in error_of("model: !secret x\n")


def test_deep_nesting_is_a_config_error() -> None:
    assert error_of("[" * 20000) == "config.yaml: nested too deeply"


# -- types and YAML 1.1 traps ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "\n\nmodel: no\n",
            "config.yaml:3:8: model must be a string, got boolean "
            "(YAML reads `no` as false; quote it)",
        ),
        (
            "model: 3.5\n",
            "config.yaml:1:8: model must be a string, got number "
            "(YAML reads `3.5` as a number; quote it)",
        ),
        (
            "api_version: 2026-10-21\n",
            "config.yaml:1:14: api_version must be a string, got date "
            "(YAML reads `2026-10-21` as date; quote it)",
        ),
        (
            "betas: [a, on]\n",
            "config.yaml:1:12: betas[1] must be a string, got boolean "
            "(YAML reads `on` as true; quote it)",
        ),
        (
            "headers:\n  X-Retry: 3\n",
            "config.yaml:2:12: headers.X-Retry must be a string, got integer "
            "(YAML reads `3` as a number; quote it)",
        ),
        ("model:\n", "config.yaml:1:7: model must be a string, got null (the value is empty)"),
        (
            "model: ~\n",
            "config.yaml:1:8: model must be a string, got null (YAML reads `~` as null; quote it)",
        ),
        ("cache: 'yes'\n", "config.yaml:1:8: cache must be true or false, got string"),
        ("max_tokens: '100'\n", "config.yaml:1:13: max_tokens must be an integer ≥ 1, got string"),
        ("max_tokens: 0\n", "config.yaml:1:13: max_tokens must be an integer ≥ 1, got 0"),
        ("max_tokens: 1.5\n", "config.yaml:1:13: max_tokens must be an integer ≥ 1, got number"),
        ("idle_timeout: 0\n", "config.yaml:1:15: idle_timeout must be a number > 0, got 0"),
        ("idle_timeout: .inf\n", "config.yaml:1:15: idle_timeout must be a finite number, got inf"),
        ("max_retries: -1\n", "config.yaml:1:14: max_retries must be an integer ≥ 0, got -1"),
        (
            "effort: hihg\n",
            "config.yaml:1:9: effort must be one of low, medium, high, xhigh, max, "
            "got 'hihg' (did you mean 'high'?)",
        ),
        ("thinking: 512\n", "config.yaml:1:11: thinking budget must be ≥ 1024 tokens, got 512"),
        (
            "thinking: yes\n",
            "config.yaml:1:11: thinking must be 'adaptive', 'off' or a token budget ≥ 1024, "
            "got boolean (YAML reads `yes` as true; quote it)",
        ),
        ("betas: {a: b}\n", "config.yaml:1:8: betas must be a list of strings, got mapping"),
        ("betas: [[a]]\n", "config.yaml:1:9: betas[0] must be a string, got list"),
        (
            "headers: [a]\n",
            "config.yaml:1:10: headers must be a mapping of strings to strings, got list",
        ),
        (
            "headers:\n  'Bad Name': x\n",
            "config.yaml:2:15: headers: 'Bad Name' is not a valid header name",
        ),
        (
            "base_url: ftp://example.com\n",
            "config.yaml:1:11: base_url must be an http(s) URL, got 'ftp://example.com'",
        ),
        (
            "base_url: api.anthropic.com\n",
            "config.yaml:1:11: base_url must be an http(s) URL, got 'api.anthropic.com'",
        ),
        (
            "api_key_cmd: []\n",
            "config.yaml:1:14: api_key_cmd must not be empty (use null for no command)",
        ),
        (
            "api_key_cmd: pass 'show\n",
            "config.yaml:1:14: api_key_cmd is not a valid command line (No closing quotation)",
        ),
        ("max_tokens: !!int abc\n", "config.yaml:1:13: invalid int value 'abc'"),
        (
            "profiles:\n  work:\n    model: off\n",
            "config.yaml:3:12: profiles.work.model must be a string, got boolean "
            "(YAML reads `off` as false; quote it)",
        ),
    ],
)
def test_type_errors_name_the_position(text: str, expected: str) -> None:
    assert error_of(text) == expected


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ('model: "no"\n', "model", "no"),
        ("model: !!str 3.5\n", "model", "3.5"),
        ("thinking: off\n", "thinking", "off"),
        ("thinking: adaptive\n", "thinking", "adaptive"),
        ("thinking: 2048\n", "thinking", 2048),
        ("max_tokens: 0x400\n", "max_tokens", 1024),
        ("max_tokens: null\n", "max_tokens", None),
        ("retry_max_wait: 10\n", "retry_max_wait", 10.0),
        ("betas: a, b\n", "betas", ("a", "b")),
        ("betas:\n", "betas", ()),
        ("headers:\n  # nothing yet\n", "headers", {}),
        ("api_key_cmd: [op, read, 'op://v/i/f']\n", "api_key_cmd", ("op", "read", "op://v/i/f")),
        ("api_key_cmd: null\n", "api_key_cmd", None),
        ("cache: on\n", "cache", True),
    ],
)
def test_accepted_values(text: str, field: str, expected: object) -> None:
    assert values(parse(text))[field] == expected


def test_big_integers_are_reported_not_raised() -> None:
    message = error_of("max_tokens: " + "9" * 5000 + "\n")
    assert message.startswith("config.yaml:1:13: invalid int value '999")
    assert len(message) < 120


# -- structure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "config.yaml:1:1: the top level must be a mapping, got list"),
        ("just text\n", "config.yaml:1:1: the top level must be a mapping, got string"),
        ("profiles: [a]\n", "config.yaml:1:11: profiles must be a mapping, got list"),
        (
            "profiles:\n  work: 3\n",
            "config.yaml:2:9: profile 'work' must be a mapping, got integer",
        ),
        (
            "default_profile: wrok\nprofiles:\n  work: {}\n",
            "config.yaml:1:18: default_profile 'wrok' is not defined under profiles "
            "(did you mean 'work'?)",
        ),
        (
            "default_profile: no\n",
            "config.yaml:1:18: default_profile must be a profile name, got boolean "
            "(YAML reads `no` as false; quote it)",
        ),
        ("profiles:\n  w: &w\n    <<: *w\n", "config.yaml:2:6: recursive merge (<<)"),
        (
            "x-base: &b [1]\nprofiles:\n  w:\n    <<: *b\n",
            "config.yaml:1:13: << can only merge mappings",
        ),
    ],
)
def test_structure_errors(text: str, expected: str) -> None:
    assert error_of(text) == expected


def test_profiles_are_read_with_lines() -> None:
    config = parse("profiles:\n  work:\n    model: m\n  empty:\n")
    assert set(config.profiles) == {"work", "empty"}
    assert config.profiles["work"].line == 2
    assert config.profiles["work"].settings["model"].line == 3
    assert config.profiles["empty"].settings == {}


def test_merge_keys_share_settings_between_profiles() -> None:
    text = """\
x-common: &common
  base_url: https://gw.example.com
  headers: {X-Team: a}
profiles:
  work:
    <<: *common
    model: m1
  other:
    <<: *common
    base_url: https://other.example.com
"""
    config = parse(text)
    assert config.warnings == ()
    work = {k: e.value for k, e in config.profiles["work"].settings.items()}
    other = {k: e.value for k, e in config.profiles["other"].settings.items()}
    assert work == {"base_url": "https://gw.example.com", "headers": {"X-Team": "a"}, "model": "m1"}
    assert other["base_url"] == "https://other.example.com"


def test_self_referencing_scratch_key_is_harmless() -> None:
    assert parse("x-a: &a {<<: *a}\nmodel: m\n").settings["model"].value == "m"


def test_exponential_aliases_stay_cheap() -> None:
    lines = ["x-0: &a0 {model: m}"]
    lines += [f"x-{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, 40)]
    lines.append("profiles: {p: {<<: *a39}}")
    config = parse("\n".join(lines) + "\n")
    assert config.profiles["p"].settings["model"].value == "m"


# -- warnings --------------------------------------------------------------------------------


def test_unknown_keys_warn_with_suggestions() -> None:
    config = parse(
        "max_token: 5\nprofiles:\n  work:\n    modle: x\n    profiles: {}\ncolour: never\n"
    )
    assert config.warnings == (
        "config.yaml:1:1: unknown setting 'max_token' (did you mean 'max_tokens'?); ignored",
        "config.yaml:4:5: unknown setting 'profiles.work.modle' (did you mean 'model'?); ignored",
        "config.yaml:5:5: unknown setting 'profiles.work.profiles'; ignored",
        "config.yaml:6:1: unknown setting 'colour' (did you mean 'color'?); ignored",
    )
    assert config.settings == {}


def test_scratch_keys_for_anchors_are_ignored() -> None:
    assert parse("x-defaults: &d {model: x}\n").warnings == ()


def test_key_in_config_warns_without_echoing_it() -> None:
    config = parse(f"api_key: {SECRET}\n")
    assert len(config.warnings) == 1
    assert "api_key is ignored" in config.warnings[0]
    assert "claudecli auth login" in config.warnings[0]
    assert SECRET not in repr(config)


def test_duplicate_keys_warn_and_the_last_wins() -> None:
    config = parse("model: a\nmodel: b\n")
    assert config.warnings == ("config.yaml:2:1: duplicate key 'model'; the last one wins",)
    assert values(config) == {"model": "b"}


def test_non_string_keys_warn() -> None:
    config = parse("yes: 1\n3: x\n")
    assert config.warnings == (
        "config.yaml:1:1: ignoring key 'yes': keys must be strings",
        "config.yaml:2:1: ignoring key '3': keys must be strings",
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"headers:\n  Authorization: Bearer {SECRET}\n", "headers.Authorization"),
        ("headers:\n  x-api-key: hunter2hunter2\n", "headers.x-api-key"),
        (f"api_key: {SECRET}\n", "api_key"),
        ("profiles:\n  w:\n    token: abcdefabcdef\n", "profiles.w.token"),
        (f"api_key_cmd: [echo, {SECRET}]\n", "api_key_cmd"),
    ],
)
def test_readable_file_with_a_secret_warns(tmp_path: Path, text: str, where: str) -> None:
    target = write(tmp_path / "config.yaml", text, mode=0o644)
    warnings = [w for w in load_config(target).warnings if "readable by others" in w]
    assert warnings == [
        f"config.yaml is readable by others (0644) and holds a secret ({where}); "
        f"run `chmod 600 {target}`"
    ]
    assert SECRET not in warnings[0]


def test_private_file_with_a_secret_does_not_warn(tmp_path: Path) -> None:
    target = write(tmp_path / "config.yaml", "headers:\n  Authorization: Bearer xyzxyzxyzxyz\n")
    assert load_config(target).warnings == ()


def test_readable_file_without_secrets_does_not_warn(tmp_path: Path) -> None:
    target = write(tmp_path / "config.yaml", "model: x\nheaders: {X-Team: a}\n", mode=0o644)
    assert load_config(target).warnings == ()


# -- the template ----------------------------------------------------------------------------


def test_default_template_is_valid_and_empty() -> None:
    config = parse(default_config_text())
    assert config.settings == {} and config.warnings == ()


def test_default_template_uncommented_is_valid() -> None:
    uncommented = re.sub(r"(?m)^# (?=[a-z_]+:|  )", "", default_config_text())
    config = parse(uncommented)
    assert config.warnings == ()
    assert "thinking" in config.settings and "work" in config.profiles
    resolved = resolve_settings({}, {}, config)
    assert resolved.settings.profile == "work"
    assert resolved.settings.api_key_cmd == ("op", "read", "op://Work/Anthropic/credential")
