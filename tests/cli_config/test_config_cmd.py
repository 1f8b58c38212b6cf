"""`claudecli config show | path | edit` through the installed binary."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from claudecli.paths import config_file
from tests.cli_config.conftest import KEY, Run, one_error_line

pytestmark = pytest.mark.slow

CONFIG = """\
model: claude-haiku-5-5
max_retries: 4
headers:
  X-Team: research
  Authorization: Bearer sk-ant-api03-in-a-header-0000-abcd
default_profile: work
profiles:
  work:
    base_url: https://gateway.example.com/anthropic
    max_tokens: 2000
"""


def table(stdout: str) -> dict[str, tuple[str, str]]:
    """`config show` rows: key -> (value, source); the header row is checked and dropped."""
    lines = stdout.splitlines()
    assert lines[0].split() == ["key", "value", "source"]
    rows = {}
    for line in lines[1:]:
        key, value, source = (part.strip() for part in line.split("  ") if part.strip())
        rows[key] = (value, source)
    return rows


def test_show_gives_every_value_with_its_source(
    cli: Run, write_config: Callable[[str], Path]
) -> None:
    write_config(CONFIG)
    done = cli("config", "show", env={"CLAUDECLI_MAX_RETRIES": "7"})
    assert done.returncode == 0, done.stderr
    rows = table(done.stdout)
    assert rows["profile"] == ("work", "config.yaml:6")
    assert rows["model"] == ("claude-haiku-5-5", "config.yaml:1")
    assert rows["max_tokens"] == ("2000", "profile work (config.yaml:10)")
    assert rows["base_url"] == (
        "https://gateway.example.com/anthropic",
        "profile work (config.yaml:9)",
    )
    assert rows["max_retries"] == ("7", "env CLAUDECLI_MAX_RETRIES")
    assert rows["cache_ttl"] == ("5m", "default")
    assert rows["headers.X-Team"] == ("research", "config.yaml:4")
    assert "config file:" in done.stderr


def test_show_masks_secrets(app_cli: Run, write_config: Callable[[str], Path]) -> None:
    write_config(CONFIG)
    done = app_cli("config", "show")
    assert "sk-ant-api03-in-a-header" not in done.stdout + done.stderr
    assert table(done.stdout)["headers.Authorization"][0] == "…abcd"


def test_show_says_which_provider_and_key_source_win_never_the_key(app_cli: Run) -> None:
    done = app_cli("config", "show", env={"ANTHROPIC_API_KEY": KEY})
    assert "claudecli: provider anthropic, key from environment ANTHROPIC_API_KEY" in done.stderr
    assert KEY not in done.stdout + done.stderr
    bedrock = app_cli(
        "--provider",
        "bedrock",
        "config",
        "show",
        env={
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "s3cr3t-value",
            "AWS_REGION": "us-east-1",
        },
    )
    assert "claudecli: provider bedrock, key from AWS credential chain" in bedrock.stderr
    assert "s3cr3t-value" not in bedrock.stdout + bedrock.stderr
    no_region = app_cli("--provider", "bedrock", "config", "show", env={"AWS_REGION": ""})
    assert no_region.returncode == 0, no_region.stderr
    assert "claudecli: provider bedrock, key from nowhere: " in no_region.stderr


def test_root_profile_flag_and_env_select_the_profile(
    app_cli: Run, write_config: Callable[[str], Path]
) -> None:
    write_config(CONFIG.replace("default_profile: work\n", ""))
    plain = table(app_cli("config", "show").stdout)
    assert plain["profile"] == ("default", "default")
    assert plain["base_url"][1] == "default"
    flagged = table(app_cli("--profile", "work", "config", "show").stdout)
    assert flagged["profile"] == ("work", "flag --profile")
    assert flagged["max_tokens"] == ("2000", "profile work (config.yaml:9)")
    from_env = table(app_cli("config", "show", env={"CLAUDECLI_PROFILE": "work"}).stdout)
    assert from_env["profile"][0] == "work"


def test_show_json(app_cli: Run, write_config: Callable[[str], Path]) -> None:
    write_config(CONFIG)
    done = app_cli("config", "show", "--json", env={"ANTHROPIC_BASE_URL": "http://127.0.0.1:9"})
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert all(set(item) == {"value", "source"} for item in data.values())
    assert data["max_retries"] == {"value": 4, "source": "config.yaml:2"}
    assert data["max_tokens"] == {"value": 2000, "source": "profile work (config.yaml:10)"}
    assert data["cache"] == {"value": True, "source": "default"}
    assert data["total_timeout"] == {"value": None, "source": "default"}
    assert data["betas"] == {"value": [], "source": "default"}
    assert data["base_url"] == {"value": "http://127.0.0.1:9", "source": "env ANTHROPIC_BASE_URL"}
    assert data["headers.Authorization"]["value"] == "…abcd"
    assert "sk-ant-api03-in-a-header" not in done.stdout


def test_show_warnings_go_to_stderr(app_cli: Run, write_config: Callable[[str], Path]) -> None:
    write_config("modle: claude-haiku-5-5\napi_key: " + KEY + "\n")
    done = app_cli("config", "show")
    assert done.returncode == 0, done.stderr
    assert "unknown setting 'modle' (did you mean 'model'?)" in done.stderr
    assert "api_key is ignored" in done.stderr
    assert KEY not in done.stdout + done.stderr
    assert "warning" not in done.stdout


def test_key_in_a_readable_config_file_warns(
    app_cli: Run, write_config: Callable[[str], Path]
) -> None:
    path = write_config(f"api_key_cmd: [echo, {KEY}]\n")
    path.chmod(0o644)
    done = app_cli("config", "show")
    assert done.returncode == 0, done.stderr
    assert "readable by others (0644)" in done.stderr and "chmod 600" in done.stderr
    assert KEY not in done.stdout + done.stderr
    path.chmod(0o600)
    assert "readable by others" not in app_cli("config", "show").stderr


def test_show_with_an_invalid_file_is_one_line_exit_3(
    app_cli: Run, write_config: Callable[[str], Path]
) -> None:
    write_config("max_retries: lots\n")
    done = app_cli("config", "show")
    assert done.returncode == 3
    assert "config.yaml:1:14" in one_error_line(done.stderr)
    assert done.stdout == ""


def test_path_prints_the_config_file(app_cli: Run, hermetic_env: Path) -> None:
    done = app_cli("config", "path")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{hermetic_env}/.config/claudecli/config.yaml\n"
    custom = app_cli("config", "path", env={"CLAUDECLI_CONFIG": "/tmp/elsewhere.yaml"})
    assert custom.stdout == "/tmp/elsewhere.yaml\n"


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["config", "path"], ["config", "--help"], ["auth", "--help"]],
)
def test_a_broken_config_never_stops_help_version_or_path(
    cli: Run, write_config: Callable[[str], Path], args: list[str]
) -> None:
    write_config("model: [unclosed\n")
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout


def test_a_broken_config_is_reported_by_commands_that_need_it(
    app_cli: Run, write_config: Callable[[str], Path]
) -> None:
    write_config("model: [unclosed\n")
    done = app_cli("config", "show")
    assert done.returncode == 3
    assert one_error_line(done.stderr).startswith("claudecli: error: config.yaml:2:1:")


# --- edit -----------------------------------------------------------------------------------


def editor_script(tmp_path: Path, body: str) -> str:
    """An "editor" that runs `body` (sh) with the file as $1; returns the $EDITOR value."""
    script = tmp_path / "fake editor.sh"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return f"'{script}' --wait"


def test_edit_creates_the_template_privately(cli: Run, hermetic_env: Path) -> None:
    done = cli("config", "edit", env={"VISUAL": "", "EDITOR": "true"})
    assert done.returncode == 0, done.stderr
    path = config_file()
    assert path.read_text().startswith("# claudecli configuration.")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "created" in done.stdout and "valid (0 profiles)" in done.stdout


def test_edit_runs_visual_before_editor_with_arguments(app_cli: Run, tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    visual = editor_script(tmp_path, f'printf "%s|" "$@" > "{seen}"')
    done = app_cli("config", "edit", env={"VISUAL": visual, "EDITOR": "false"})
    assert done.returncode == 0, done.stderr
    assert seen.read_text() == f"--wait|{config_file()}|"


def test_edit_keeps_an_invalid_file_and_exits_3(app_cli: Run, tmp_path: Path) -> None:
    editor = editor_script(tmp_path, 'printf "model: claude-haiku-5-5\\nmax_tokens: -1\\n" > "$2"')
    done = app_cli("config", "edit", env={"VISUAL": "", "EDITOR": editor})
    assert done.returncode == 3
    line = one_error_line(done.stderr)
    assert "config.yaml:2:13: max_tokens must be an integer ≥ 1" in line
    assert "the file was kept" in line
    assert config_file().read_text() == "model: claude-haiku-5-5\nmax_tokens: -1\n"


def test_edit_reports_warnings_and_profiles(
    app_cli: Run, tmp_path: Path, write_config: Callable[[str], Path]
) -> None:
    write_config("profiles:\n  a: {}\n  b: {}\nmodle: x\n")
    done = app_cli("config", "edit", env={"VISUAL": "", "EDITOR": "true"})
    assert done.returncode == 0, done.stderr
    assert "valid (2 profiles)" in done.stdout
    assert "unknown setting 'modle'" in done.stderr
    assert "created" not in done.stdout


def test_edit_with_a_missing_editor(app_cli: Run) -> None:
    done = app_cli("config", "edit", env={"VISUAL": "", "EDITOR": "no-such-editor-xyz"})
    assert done.returncode == 3
    assert "editor 'no-such-editor-xyz' not found" in one_error_line(done.stderr)


def test_edit_with_a_failing_editor(app_cli: Run) -> None:
    done = app_cli("config", "edit", env={"VISUAL": "", "EDITOR": "false"})
    assert done.returncode == 1
    assert "exited with status 1" in one_error_line(done.stderr)


def test_edit_defaults_to_vi(app_cli: Run, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "vi-ran"
    fake = bin_dir / "vi"
    fake.write_text(f'#!/bin/sh\necho "$1" > "{marker}"\n')
    fake.chmod(0o755)
    path_var = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    done = app_cli("config", "edit", env={"PATH": path_var, "EDITOR": "", "VISUAL": ""})
    assert done.returncode == 0, done.stderr
    assert marker.read_text().strip() == str(config_file())
