"""Which modules a claudecli run imports, read from `python -X importtime`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping


def imported_modules(argv: list[str], env: Mapping[str, str] | None = None) -> set[str]:
    """Full dotted names of every module `python -X importtime ARGV...` imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
