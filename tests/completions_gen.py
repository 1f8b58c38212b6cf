"""Generate `completions/` from the installed `claudecli` binary (`make completions`).

    python -m tests.completions_gen          # write claudecli.bash, _claudecli, claudecli.fish
    python -m tests.completions_gen --check  # exit 1 if the committed files are out of date

Each script is what `claudecli completion <shell>` prints (`claudecli.cli.completion.
completion_script`, the one source): Typer's script, the same as `_CLAUDECLI_COMPLETE=
source_<shell> claudecli` gives, with leading blank lines dropped (zsh's compinit reads `#compdef`
from the first line of a file in `$fpath`) and a "do not edit" comment added. The scripts are
shims: at <TAB> they run `claudecli` again with `_CLAUDECLI_COMPLETE=complete_<shell>`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from claudecli.cli.completion import normalise

__all__ = ["FILES", "OUT_DIR", "generate", "normalise", "stale", "write"]

REPO: Final = Path(__file__).resolve().parents[1]
OUT_DIR: Final = REPO / "completions"
BINARY: Final = Path(sys.executable).with_name("claudecli")
FILES: Final[Mapping[str, str]] = {
    "bash": "claudecli.bash",
    "zsh": "_claudecli",
    "fish": "claudecli.fish",
}


def generate(shell: str, binary: Path = BINARY) -> str:
    """The completion script for `shell`, as it should be committed: `claudecli completion`."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/")}
    done = subprocess.run(
        [str(binary), "completion", shell],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{binary} gave no {shell} script: {done.stderr.strip()}")
    return done.stdout


def stale(out_dir: Path = OUT_DIR, binary: Path = BINARY) -> list[str]:
    """The committed files that differ from what the binary generates now."""
    return [
        name for shell, name in FILES.items() if _read(out_dir / name) != generate(shell, binary)
    ]


def write(out_dir: Path = OUT_DIR, binary: Path = BINARY) -> list[Path]:
    out_dir.mkdir(exist_ok=True)
    written = []
    for shell, name in FILES.items():
        target = out_dir / name
        target.write_text(generate(shell, binary), encoding="utf-8")
        written.append(target)
    return written


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.completions_gen")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on drift")
    args = parser.parse_args(argv)
    if args.check:
        drift = stale()
        for name in drift:
            print(f"completions/{name} is out of date: run `make completions`", file=sys.stderr)
        return 1 if drift else 0
    for path in write():
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
