"""The command line: the only package that imports typer and maps exceptions to exit codes.

`main()` answers `--version` before importing anything heavy; everything else goes through the
Typer app built in `claudecli.cli.app`, whose command modules import their dependencies lazily.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claudecli.cli.context import Environment


def main(argv: list[str] | None = None, environment: Environment | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        from claudecli import __version__

        sys.stdout.write(f"claudecli {__version__}\n")
        return
    from claudecli.cli.app import run

    run(args, environment)
