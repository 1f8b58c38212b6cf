"""The layer contract covers the whole package, and it really holds.

`pyproject.toml` declares one import-linter `layers` contract (exhaustive: a new top-level
module fails lint-imports until it is placed) and one `protected` contract per third-party
library (only its owner may import it). These tests fail when a top-level module or package of
claudecli is missing from the layers, when a library we import has no owner, and when a
deliberate violation is *not* caught.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "claudecli"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def layer_contract() -> dict[str, Any]:
    [layers] = [c for c in contracts() if c["type"] == "layers"]
    return layers


def declared_layer_names() -> set[str]:
    names: set[str] = set()
    for layer in layer_contract()["layers"]:
        names.update(part.strip() for part in layer.replace("|", ":").split(":"))
    return names | set(layer_contract().get("exhaustive_ignores", ()))


def top_level_modules() -> set[str]:
    found = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    found |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    return found


def test_every_top_level_module_is_in_the_layer_contract() -> None:
    contract = layer_contract()
    assert contract["containers"] == ["claudecli"] and contract["exhaustive"] is True
    missing = top_level_modules() - declared_layer_names()
    assert not missing, f"place these in the layers contract in pyproject.toml: {missing}"


def test_every_declared_dependency_that_we_import_has_one_owner() -> None:
    owned = {m for c in contracts() if c["type"] == "protected" for m in c["protected_modules"]}
    imported = {"rich", "markdown_it", "typer", "yaml", "keyring", "httpx2"}
    imported |= {"pypdf", "jsonschema", "platformdirs"}
    assert imported <= owned, imported - owned


def test_prompt_toolkit_is_forbidden_to_every_module_but_repl() -> None:
    [contract] = [c for c in contracts() if c.get("forbidden_modules") == ["prompt_toolkit"]]
    named = {name.removeprefix("claudecli.") for name in contract["source_modules"]}
    assert named == top_level_modules() - {"repl"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("claudecli/cli/_scratch_violation.py", "import yaml\n"),
        ("claudecli/render/_scratch_violation.py", "import claudecli.cli\n"),
        ("claudecli/request/_scratch_violation.py", "import httpx2\n"),
        ("claudecli/client/_scratch_violation.py", "import claudecli.turn\n"),
    ],
)
def test_a_deliberate_violation_breaks_the_contract(module: str, line: str) -> None:
    scratch = ROOT / module
    scratch.write_text(f'"""A deliberate layer violation (test_layers)."""\n\n{line}')
    try:
        done = subprocess.run(
            [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
        )
    finally:
        scratch.unlink()
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout and "_scratch_violation" in done.stdout


def test_code_outside_the_client_imports_only_its_public_names() -> None:
    import grimp

    graph = grimp.build_graph("claudecli")
    inside = {"claudecli.client", *graph.find_descendants("claudecli.client")}
    reaching_in = sorted(
        (importer, imported)
        for imported in inside - {"claudecli.client"}
        for importer in graph.find_modules_that_directly_import(imported)
        if importer not in inside
    )
    assert reaching_in == [], "import these from claudecli.client (its __init__ exports them)"
