"""`claudecli models` end to end, and its cache as the binary sees it."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from claudecli.emulator import Emulator
from claudecli.models import models_cache_path, read_models_cache, write_models_cache
from tests.cli_tokens.conftest import Done, Run, as_json, requests_to

pytestmark = pytest.mark.slow


def model_fetches(emulator: Emulator) -> int:
    return len(requests_to(emulator, "/v1/models"))


def test_table_lists_current_models_with_aliases_prices_and_limits(cli: Run) -> None:
    done = cli("models")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["model", "name", "context"]
    haiku = next(line for line in lines if line.startswith("claude-haiku-5-5 (haiku)"))
    assert "Claude Haiku 5.5" in haiku
    assert " 1M " in haiku and " 128K " in haiku
    assert "adaptive" in haiku and "pdf images structured" in haiku
    assert haiku.rstrip().endswith("0.10/0.50")
    old = next(line for line in lines if line.startswith("claude-haiku-4-5 "))
    assert " 200K " in old and " 64K " in old and "enabled" in old
    # deprecated models are hidden unless --all
    assert not any(line.startswith("claude-sonnet-4-5") for line in lines)
    assert "--all" in done.stderr


@pytest.mark.parametrize(
    ("day", "status", "warning"),
    [
        (date(2026, 11, 1), "deprecated, retires 2026-11-30", "retires on 2026-11-30 (in 29 days)"),
        (date(2026, 12, 6), "deprecated, overdue since 2026-11-30", "overdue for retirement"),
    ],
)
def test_all_shows_deprecation_by_the_injected_clock(
    cli_at: Callable[..., Done], day: date, status: str, warning: str
) -> None:
    done = cli_at(day, "models", "--all")
    assert done.returncode == 0, done.stderr
    sonnet = next(line for line in done.stdout.splitlines() if line.startswith("claude-sonnet-4-5"))
    assert sonnet.rstrip().endswith(status)
    document = json.loads(cli_at(day, "models", "--json", "claude-sonnet-4-5").stdout)
    assert warning in document["claudecli"]["warning"]


def test_json(cli: Run) -> None:
    done = cli("models", "--json", "--all")
    assert done.returncode == 0, done.stderr
    data = as_json(done.stdout)
    assert set(data) == {"models", "fetched_at", "from_cache", "prices_checked"}
    assert data["from_cache"] is False
    by_id = {model["id"]: model for model in data["models"]}
    haiku = by_id["claude-haiku-5-5"]
    assert haiku["max_input_tokens"] == 1_000_000 and haiku["max_tokens"] == 128_000
    assert haiku["capabilities"]["thinking"]["types"]["adaptive"] == {"supported": True}
    extras = haiku["claudecli"]
    assert extras["aliases"] == ["haiku"]
    assert extras["price_usd_per_mtok"]["input"] == 0.10
    assert extras["price_usd_per_mtok"]["basis"] == "doc"
    assert extras["warning"] is None
    assert "deprecated" in by_id["claude-sonnet-4-5"]["claudecli"]["warning"]


def test_one_model_by_alias(cli: Run) -> None:
    done = cli("models", "sonnet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["model:", "claude-sonnet-5-5"]
    assert "context window: 1,000,000" in done.stdout
    assert "aliases:        sonnet" in done.stdout


def test_one_model_by_dated_id(cli: Run) -> None:
    done = cli("models", "--json", "claude-haiku-4-5-20251001")
    assert done.returncode == 0, done.stderr
    assert as_json(done.stdout)["id"] == "claude-haiku-4-5"


def test_unknown_model_is_bad_input(cli: Run) -> None:
    done = cli("models", "claude-nope-1")
    assert done.returncode == 3
    assert "no such model" in done.stderr


def test_second_run_uses_the_cache_and_refresh_refetches(cli: Run, emulator: Emulator) -> None:
    assert cli("models").returncode == 0
    assert model_fetches(emulator) == 1
    path = models_cache_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = cli("models", "--json")
    assert as_json(second.stdout)["from_cache"] is True
    assert model_fetches(emulator) == 1
    assert cli("models", "--refresh").returncode == 0
    assert model_fetches(emulator) == 2


def test_expired_cache_is_refetched(cli: Run, emulator: Emulator) -> None:
    write_models_cache([{"id": "claude-stale-1"}], time.time() - 2 * 86_400, source=emulator.url)
    done = cli("models", "--json")
    assert done.returncode == 0, done.stderr
    assert model_fetches(emulator) == 1
    assert "claude-stale-1" not in done.stdout
    cached = read_models_cache()
    assert cached is not None and any(m["id"] == "claude-opus-5-5" for m in cached.models)


@pytest.mark.parametrize("content", [b"", b"{", b'{"version": 1}', b"\x00\xff binary"])
def test_corrupt_cache_is_refetched(cli: Run, emulator: Emulator, content: bytes) -> None:
    path = models_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    done = cli("models")
    assert done.returncode == 0, done.stderr
    assert model_fetches(emulator) == 1
    assert json.loads(path.read_text())["version"] == 1


def test_cache_of_another_endpoint_is_ignored(cli: Run, emulator: Emulator) -> None:
    write_models_cache([{"id": "claude-elsewhere-1"}], time.time(), source="https://other.test")
    done = cli("models")
    assert model_fetches(emulator) == 1
    assert "claude-elsewhere-1" not in done.stdout


def test_refetch_failure_uses_the_stale_cache_with_a_warning(cli: Run, emulator: Emulator) -> None:
    stale = [{"id": "claude-haiku-5-5", "display_name": "Old Haiku", "lifecycle": "active"}]
    write_models_cache(stale, time.time() - 3 * 86_400, source=emulator.url)
    emulator.enqueue({"path": "/v1/models*", "status": 503, "should_retry": False})
    done = cli("models")
    assert done.returncode == 0, done.stderr
    assert "Old Haiku" in done.stdout
    assert "warning: could not refresh the model list" in done.stderr
    assert "3 days ago" in done.stderr


def test_fetch_failure_without_a_cache_uses_the_exit_code_table(
    cli: Run, emulator: Emulator
) -> None:
    emulator.enqueue({"path": "/v1/models*", "status": 503, "should_retry": False})
    done = cli("models")
    assert done.returncode == 6
    assert done.stderr.startswith("claudecli: error: ")


def test_cache_feeds_asks_default_max_tokens(cli: Run, emulator: Emulator) -> None:
    """After `models`, `ask --dry-run` takes max_tokens from the cache with no request."""
    assert cli("models").returncode == 0
    fetched = model_fetches(emulator)
    done = cli("ask", "--dry-run", "-m", "claude-haiku-4-5", "--thinking", "off", "hi")
    assert done.returncode == 0, done.stderr
    assert as_json(done.stdout)["max_tokens"] == 64_000
    assert model_fetches(emulator) == fetched


def test_unreadable_cache_dir_is_not_fatal(cli: Run, hermetic_env: Path) -> None:
    models_cache_path().parent.parent.chmod(0o500)  # XDG cache home: cannot create claudecli/
    try:
        done = cli("models")
    finally:
        models_cache_path().parent.parent.chmod(0o700)
    assert done.returncode == 0, done.stderr
    assert "claude-opus-5-5" in done.stdout
    if os.geteuid() != 0:  # root ignores the mode
        assert "could not save the model list" in done.stderr
