"""Shell completion: committed scripts, value completion, import weight, --install-completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from claudecli.cli.completion import complete_model, complete_profile
from claudecli.models import write_models_cache
from tests import completions_gen, importtime
from tests.cli_config.conftest import BIN, Run

pytestmark = pytest.mark.slow

MODELS = [
    {"id": "claude-haiku-5-5", "type": "model"},
    {"id": "claude-sonnet-5-5", "type": "model"},
    {"id": "claude-opus-4-1", "type": "model", "lifecycle": "retired"},
    {"id": "claude-sonnet-4-5", "type": "model", "lifecycle": "deprecated"},
]
PROFILES = "profiles:\n  work: {}\n  litellm:\n    base_url: http://127.0.0.1:4000/anthropic\n"
HEAVY = ("httpx2", "rich", "prompt_toolkit", "anthropic", "keyring", "pypdf", "yaml")


@pytest.fixture
def models_cache() -> None:
    write_models_cache(MODELS, time.time(), source="https://api.anthropic.com")


def bash_complete(cli: Run, line: str) -> list[str]:
    """What `claudecli`'s bash completion offers for `line` (the cursor at its end)."""
    words = line.split(" ")
    env = {
        "_CLAUDECLI_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    done = cli(env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.split()


def zsh_complete(cli: Run, line: str) -> str:
    done = cli(env={"_CLAUDECLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line})
    assert done.returncode == 0, done.stderr
    return done.stdout


def fish_complete(cli: Run, line: str) -> list[str]:
    env = {
        "_CLAUDECLI_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": line,
    }
    done = cli(env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


# --- the committed scripts ------------------------------------------------------------------


def test_committed_scripts_match_the_installed_binary() -> None:
    drift = completions_gen.stale()
    assert drift == [], f"completions/{', '.join(drift)} out of date: run `make completions`"


def test_scripts_call_back_into_claudecli() -> None:
    out = completions_gen.OUT_DIR
    assert (out / "_claudecli").read_text().startswith("#compdef claudecli\n")
    for name in completions_gen.FILES.values():
        assert "_CLAUDECLI_COMPLETE=complete_" in (out / name).read_text()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_command_prints_the_committed_script(cli: Run, shell: str) -> None:
    done = cli("completion", shell)
    assert done.returncode == 0, done.stderr
    committed = completions_gen.OUT_DIR / completions_gen.FILES[shell]
    assert done.stdout == committed.read_text()
    source = cli(env={"_CLAUDECLI_COMPLETE": f"source_{shell}"})  # Typer's own way, same script
    assert completions_gen.normalise(source.stdout) == done.stdout


def test_the_completion_command_refuses_other_shells(cli: Run) -> None:
    done = cli("completion", "ksh")
    assert done.returncode == 2
    assert done.stderr.startswith("claudecli: error: ") and done.stderr.count("\n") == 1
    assert "'ksh' is not one of 'bash', 'zsh', 'fish'" in done.stderr


def test_the_completion_command_imports_nothing_heavy() -> None:
    names = {
        name.split(".")[0] for name in importtime.imported_modules([str(BIN), "completion", "zsh"])
    }
    assert "claudecli" in names
    assert names.isdisjoint(HEAVY)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_completes_in_bash(models_cache: None) -> None:
    """Source the committed script in a real bash and call its completion function."""
    script = completions_gen.OUT_DIR / "claudecli.bash"
    program = (
        f"source '{script}'\n"
        "COMP_WORDS=(claudecli ask --model claude-h); COMP_CWORD=3\n"
        "_claudecli_completion claudecli\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{BIN.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["claude-haiku-5-5"]


# --- value completion through the binary ----------------------------------------------------


def test_commands_complete(cli: Run) -> None:
    offered = bash_complete(cli, "claudecli ")
    assert {"ask", "count-tokens", "models", "config", "auth"} <= set(offered)
    assert bash_complete(cli, "claudecli auth s") == ["status"]


def test_model_ids_come_from_the_models_cache(cli: Run, models_cache: None) -> None:
    assert bash_complete(cli, "claudecli ask --model cl") == [
        "claude-haiku-5-5",
        "claude-sonnet-4-5",
        "claude-sonnet-5-5",
    ]
    assert bash_complete(cli, "claudecli ask -m claude-s") == [
        "claude-sonnet-4-5",
        "claude-sonnet-5-5",
    ]
    assert bash_complete(cli, "claudecli count-tokens --model ha") == ["haiku"]
    zsh = zsh_complete(cli, "claudecli ask --model claude-h")
    assert zsh.startswith("_arguments") and '"claude-haiku-5-5"' in zsh
    assert "sonnet" not in zsh
    assert fish_complete(cli, "claudecli ask --model claude-h") == ["claude-haiku-5-5"]


def test_model_completion_without_a_cache_offers_the_aliases(cli: Run) -> None:
    assert bash_complete(cli, "claudecli ask --model ") == ["haiku", "opus", "sonnet"]


def test_profile_names_come_from_the_config(cli: Run, write_config: Callable[[str], Path]) -> None:
    write_config(PROFILES)
    assert bash_complete(cli, "claudecli --profile ") == ["default", "litellm", "work"]
    assert bash_complete(cli, "claudecli --profile w") == ["work"]
    assert bash_complete(cli, "claudecli auth login --profile l") == ["litellm"]
    assert fish_complete(cli, "claudecli --profile li") == ["litellm"]


def test_a_broken_config_completes_quietly(cli: Run, write_config: Callable[[str], Path]) -> None:
    write_config("profiles: [unclosed\n")
    assert bash_complete(cli, "claudecli --profile ") == ["default"]


# --- import weight --------------------------------------------------------------------------


def imported_modules(env: dict[str, str]) -> set[str]:
    """Top-level packages a completion run imports (`python -X importtime`)."""
    names = {name.split(".")[0] for name in importtime.imported_modules([str(BIN)], env)}
    assert "claudecli" in names
    return names


@pytest.mark.parametrize(
    "env",
    [
        {
            "_CLAUDECLI_COMPLETE": "complete_bash",
            "COMP_WORDS": "claudecli ask --model cl",
            "COMP_CWORD": "3",
        },
        {"_CLAUDECLI_COMPLETE": "complete_bash", "COMP_WORDS": "claudecli a", "COMP_CWORD": "1"},
        {"_CLAUDECLI_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "claudecli ask -m cl"},
    ],
    ids=["bash-model", "bash-command", "zsh-model"],
)
def test_completion_imports_nothing_heavy(env: dict[str, str], models_cache: None) -> None:
    assert imported_modules(env).isdisjoint(HEAVY)


def test_profile_completion_reads_yaml_but_nothing_else_heavy(
    write_config: Callable[[str], Path],
) -> None:
    write_config(PROFILES)
    env = {
        "_CLAUDECLI_COMPLETE": "complete_bash",
        "COMP_WORDS": "claudecli --profile ",
        "COMP_CWORD": "2",
    }
    assert imported_modules(env).isdisjoint(set(HEAVY) - {"yaml"})


# --- the completer functions in-process -----------------------------------------------------


def test_completers_never_raise(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_config("\x00 not yaml")
    assert complete_profile("") == ["default"]
    monkeypatch.setenv("CLAUDECLI_HOME", str(tmp_path / "is-a-file"))
    (tmp_path / "is-a-file").write_text("")
    assert complete_model("cl") == []
    assert complete_model("") == ["haiku", "opus", "sonnet"]


def test_model_completer_skips_retired_models(models_cache: None) -> None:
    assert complete_model("claude-") == [
        "claude-haiku-5-5",
        "claude-sonnet-4-5",
        "claude-sonnet-5-5",
    ]


# --- --install-completion -------------------------------------------------------------------


def test_install_completion_for_bash(cli: Run, tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    env = {"HOME": str(home), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    done = cli("--install-completion", "bash", env=env)
    assert done.returncode == 0, done.stderr
    installed = home / ".bash_completions" / "claudecli.sh"
    assert str(installed) in done.stdout
    committed = (completions_gen.OUT_DIR / "claudecli.bash").read_text()
    assert completions_gen.normalise(installed.read_text()) == committed
    assert f"source '{installed}'" in (home / ".bashrc").read_text()
