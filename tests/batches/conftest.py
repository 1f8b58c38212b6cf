"""Workflow-level helpers: a BatchDB in tmp, a client on the emulator, a submit shortcut."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claudecli.batches import BatchDB, Context, Recipe, SubmitPlan, SubmitReport, submit
from claudecli.client import Client, ClientOptions, Secret
from claudecli.config import resolve_settings
from claudecli.emulator import Emulator

TODAY = date(2026, 12, 1)
Submit = Callable[..., SubmitReport]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[BatchDB]:
    with BatchDB.open(tmp_path / "store" / "conversations.db") as store:
        yield store


def make_client(emulator: Emulator, **options: Any) -> Client:
    settings = {"api_key": Secret("sk-test"), "base_url": emulator.url, "max_retries": 0}
    return Client(ClientOptions(**{**settings, **options}), sleep=lambda _s: None)


def batch_posts(emulator: Emulator) -> list[dict[str, Any]]:
    return [
        r
        for r in emulator.requests
        if r["method"] == "POST" and str(r["path"]).split("?")[0].endswith("/v1/messages/batches")
    ]


@pytest.fixture
def events() -> list[str]:
    return []


@pytest.fixture
def run_submit(db: BatchDB, emulator: Emulator, tmp_path: Path, events: list[str]) -> Submit:
    """`run_submit(recipe, **SubmitPlan fields)` against the emulator, events collected."""

    def call(recipe: Recipe, *, dry: list[str] | None = None, **fields: Any) -> SubmitReport:
        fields.setdefault("job", "job1")
        fields.setdefault("out_dir", str(tmp_path / "out"))
        plan = SubmitPlan(recipe, **fields)
        ctx = Context(
            resolve_settings({}, {}, None),
            TODAY,
            lambda: make_client(emulator),
            events.append,
            dry_out=dry.append if dry is not None else None,
        )
        return submit(db, plan, ctx)

    return call


def files_recipe(*inputs: Path, prompt: str = "Summarize", **options: Any) -> Recipe:
    from claudecli.batches import options_json
    from claudecli.turn import TurnOptions

    return Recipe(
        "files",
        tuple(str(p) for p in inputs),
        prompt,
        options_json(TurnOptions(max_tokens=100, **options)),
    )
