"""Value completers for shell completion: model ids and profile names.

They run inside `_CLAUDECLI_COMPLETE=complete_<shell> claudecli …`, once per <TAB>, so they
import only the standard library at module level and never raise (a traceback would end up in
the user's command line). Model ids come from the local models cache (`claudecli.models`, which
imports the standard library and platformdirs only: no HTTP client, no Rich); profile names
come from the config file, read only when it exists. Plain strings, no help texts: Typer renders
help texts for zsh and fish through Rich, which would cost more than the rest of the run.

`completion_script(shell)` is the one source of the scripts: `claudecli completion SHELL` prints
it and `make completions` (tests/completions_gen.py) commits it to completions/.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["SHELLS", "complete_model", "complete_profile", "completion_script", "normalise"]

SHELLS = ("bash", "zsh", "fish")
NOTE = "# claudecli shell completion (`claudecli completion SHELL`); do not edit."


def completion_script(shell: str) -> str:
    """The completion script for bash, zsh or fish: it calls `claudecli` back at each <TAB>."""
    from typer._completion_shared import get_completion_script

    script = get_completion_script(
        prog_name="claudecli", complete_var="_CLAUDECLI_COMPLETE", shell=shell
    )
    return normalise(script)


def normalise(script: str) -> str:
    """Typer's script with the note added after `#compdef` (zsh reads that from line 1)."""
    lines = script.strip("\n").splitlines()
    at = 1 if lines and lines[0].startswith("#compdef") else 0
    lines.insert(at, NOTE)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def complete_model(incomplete: str) -> list[str]:
    """Model ids from the models cache (retired ones left out) and the built-in aliases."""
    try:
        candidates = [*_cached_model_ids(), *_builtin_aliases()]
    except Exception:  # completion must never fail loudly
        return []
    return _matching(candidates, incomplete)


def complete_profile(incomplete: str) -> list[str]:
    """Profile names defined in the config file, plus "default"."""
    try:
        candidates = [*_config_profiles(), "default"]
    except Exception:  # a broken config file completes nothing rather than a traceback
        candidates = ["default"]
    return _matching(candidates, incomplete)


def _matching(candidates: Iterable[str], incomplete: str) -> list[str]:
    """Unique candidates starting with `incomplete`, sorted."""
    return sorted({name for name in candidates if name.startswith(incomplete)})


def _cached_model_ids() -> list[str]:
    from claudecli.models import read_models_cache

    cached = read_models_cache()
    if cached is None:
        return []
    return [str(info["id"]) for info in cached.models if info.get("lifecycle") != "retired"]


def _builtin_aliases() -> list[str]:
    from claudecli.config import DEFAULT_MODEL_ALIASES

    return list(DEFAULT_MODEL_ALIASES)


def _config_profiles() -> list[str]:
    from claudecli.config import load_config
    from claudecli.paths import config_file

    path = config_file()
    if not path.is_file():
        return []
    return list(load_config(path).profiles)
