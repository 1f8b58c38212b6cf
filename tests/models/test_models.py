"""The models cache: fresh, missing, expired, corrupt, refetch failures, and offline lookups."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from claudecli.client.errors import APIConnectionError, APIStatusError
from claudecli.errors import ConfigError
from claudecli.models import (
    DEFAULT_MAX_AGE,
    ModelSource,
    cached_model_info,
    capability_flags,
    context_window,
    deprecation_warning,
    find_model,
    load_models,
    max_output_tokens,
    models_cache_path,
    read_models_cache,
    resolve_alias,
    thinking_types,
    write_models_cache,
)

T0 = 1_800_000_000.0


def model_info(model_id: str, **extra: Any) -> dict[str, Any]:
    info: dict[str, Any] = {
        "type": "model",
        "id": model_id,
        "display_name": model_id.replace("-", " ").title(),
        "created_at": "2026-10-07T00:00:00Z",
        "lifecycle": "active",
        "deprecated_at": None,
        "retires_at": None,
        "max_input_tokens": 200_000,
        "max_tokens": 64_000,
        "capabilities": {
            "pdf_input": {"supported": True},
            "image_input": {"supported": True},
            "structured_outputs": {"supported": False},
            "thinking": {
                "supported": True,
                "types": {
                    "adaptive": {"supported": True},
                    "enabled": {"supported": False},
                    "disabled": {"supported": True},
                    "between_tools": {"supported": False},
                },
            },
            "effort": {
                "supported": True,
                "low": {"supported": True},
                "medium": {"supported": True},
                "high": {"supported": True},
                "max": {"supported": False},
            },
        },
    }
    info.update(extra)
    return info


CATALOG = [model_info("claude-haiku-4-5-20251001"), model_info("claude-opus-5-5")]


class FakeClient:
    def __init__(self, models: list[dict[str, Any]] | None = None, error: Exception | None = None):
        self.models = CATALOG if models is None else models
        self.error = error
        self.calls = 0

    def iter_models(self) -> Iterator[dict[str, Any]]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        yield from self.models


class Factory:
    """A client factory that counts how often a client was needed."""

    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.made = 0

    def __call__(self) -> ModelSource:
        self.made += 1
        return self.client


def never() -> ModelSource:
    raise AssertionError("the network must not be used")


def clock(value: float) -> Any:
    return lambda: value


def write_raw(content: bytes | str) -> Path:
    path = models_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


class TestLoadModels:
    def test_missing_cache_fetches_and_writes_a_private_file(self) -> None:
        factory = Factory(FakeClient())
        result = load_models(factory, now=clock(T0))
        assert [m["id"] for m in result.models] == [m["id"] for m in CATALOG]
        assert not result.from_cache and result.note is None and result.fetched_at == T0
        path = models_cache_path()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        saved = json.loads(path.read_text())
        assert saved["version"] == 1 and saved["fetched_at"] == T0
        assert saved["models"] == CATALOG

    def test_cache_lives_under_the_xdg_cache_dir(self, hermetic_env: Path) -> None:
        assert models_cache_path() == Path(os.environ["XDG_CACHE_HOME"]) / "claudecli/models.json"

    def test_fresh_cache_needs_no_client(self) -> None:
        write_models_cache(CATALOG, T0)
        result = load_models(never, now=clock(T0 + DEFAULT_MAX_AGE - 1))
        assert result.from_cache and result.models == CATALOG and result.fetched_at == T0

    def test_expired_cache_is_refetched(self) -> None:
        write_models_cache([model_info("claude-old-1")], T0)
        factory = Factory(FakeClient())
        result = load_models(factory, now=clock(T0 + DEFAULT_MAX_AGE + 1))
        assert factory.made == 1 and not result.from_cache
        assert read_models_cache() is not None
        cached = read_models_cache()
        assert cached is not None and cached.models == CATALOG

    def test_custom_max_age(self) -> None:
        write_models_cache(CATALOG, T0)
        factory = Factory(FakeClient())
        load_models(factory, max_age=10, now=clock(T0 + 11))
        assert factory.made == 1

    def test_refresh_refetches_a_fresh_cache(self) -> None:
        write_models_cache([model_info("claude-old-1")], T0)
        factory = Factory(FakeClient())
        result = load_models(factory, refresh=True, now=clock(T0 + 1))
        assert factory.made == 1 and result.models == CATALOG

    def test_timestamp_far_in_the_future_is_refetched(self) -> None:
        write_models_cache(CATALOG, T0 + 3600)
        factory = Factory(FakeClient())
        load_models(factory, now=clock(T0))
        assert factory.made == 1

    @pytest.mark.parametrize(
        "content",
        [
            "",
            "{not json",
            "[]",
            "null",
            '{"version": 2, "fetched_at": 1, "models": []}',
            '{"version": 1, "fetched_at": "yesterday", "models": []}',
            '{"version": 1, "fetched_at": true, "models": []}',
            '{"version": 1, "fetched_at": 1, "models": {"id": "x"}}',
            '{"version": 1, "fetched_at": 1, "models": [{"name": "no id"}]}',
            '{"version": 1, "fetched_at": 1, "models": [], "source": 7}',
            b"\xff\xfe\x00garbage",
        ],
    )
    def test_corrupt_cache_is_refetched_never_a_crash(self, content: str | bytes) -> None:
        write_raw(content)
        factory = Factory(FakeClient())
        result = load_models(factory, now=clock(T0))
        assert factory.made == 1 and result.models == CATALOG and result.note is None
        assert json.loads(models_cache_path().read_text())["models"] == CATALOG

    def test_cache_path_that_is_a_directory_is_survived(self) -> None:
        models_cache_path().mkdir(parents=True)
        result = load_models(Factory(FakeClient()), now=clock(T0))
        assert result.models == CATALOG
        assert result.note is not None and "could not save" in result.note

    def test_failed_refetch_falls_back_to_the_stale_cache_with_a_note(self) -> None:
        write_models_cache(CATALOG, T0)
        error = APIConnectionError("cannot connect to http://127.0.0.1:9")
        result = load_models(Factory(FakeClient(error=error)), now=clock(T0 + 3 * 86_400))
        assert result.from_cache and result.models == CATALOG
        assert result.note is not None
        assert "could not refresh the model list" in result.note
        assert "cannot connect" in result.note and "3 days ago" in result.note

    def test_failed_fetch_without_a_cache_raises(self) -> None:
        error = APIStatusError("rate limited", status_code=429)
        with pytest.raises(APIStatusError):
            load_models(Factory(FakeClient(error=error)), now=clock(T0))

    def test_failed_fetch_with_a_corrupt_cache_raises_the_fetch_error(self) -> None:
        write_raw("{oops")
        error = APIConnectionError("offline")
        with pytest.raises(APIConnectionError):
            load_models(Factory(FakeClient(error=error)), now=clock(T0))

    def test_cache_of_another_base_url_is_not_used(self) -> None:
        write_models_cache([model_info("emulated")], T0, source="http://127.0.0.1:1234/")
        factory = Factory(FakeClient())
        result = load_models(factory, now=clock(T0), source="https://api.anthropic.com")
        assert factory.made == 1 and result.models == CATALOG
        same = load_models(never, now=clock(T0 + 1), source="https://api.anthropic.com/")
        assert same.from_cache

    def test_models_without_an_id_are_dropped(self) -> None:
        result = load_models(Factory(FakeClient([{"display_name": "x"}, *CATALOG])), now=clock(T0))
        assert result.models == CATALOG


class TestOfflineLookup:
    def test_no_cache_means_no_info(self) -> None:
        assert cached_model_info("claude-opus-5-5") is None

    def test_corrupt_cache_means_no_info(self) -> None:
        write_raw("\x00")
        assert cached_model_info("claude-opus-5-5") is None

    def test_stale_cache_still_answers(self) -> None:
        write_models_cache(CATALOG, 0.0)
        info = cached_model_info("claude-opus-5-5")
        assert info is not None and info["id"] == "claude-opus-5-5"

    def test_undated_name_finds_the_dated_snapshot_and_back(self) -> None:
        write_models_cache(CATALOG, T0)
        info = cached_model_info("claude-haiku-4-5")
        assert info is not None and info["id"] == "claude-haiku-4-5-20251001"
        write_models_cache([model_info("claude-haiku-4-5")], T0)
        info = cached_model_info("claude-haiku-4-5-20251001")
        assert info is not None and info["id"] == "claude-haiku-4-5"

    def test_exact_id_wins_and_newest_snapshot_next(self) -> None:
        models = [model_info("claude-x-1-20250101"), model_info("claude-x-1-20260101")]
        found = find_model(models, "claude-x-1")
        assert found is not None and found["id"] == "claude-x-1-20260101"
        found = find_model(models, "claude-x-1-20250101")
        assert found is not None and found["id"] == "claude-x-1-20250101"
        assert find_model(models, "claude-y-1") is None

    def test_source_filter(self) -> None:
        write_models_cache(CATALOG, T0, source="http://emu")
        assert cached_model_info("claude-opus-5-5", source="https://api.anthropic.com") is None
        assert cached_model_info("claude-opus-5-5", source="http://emu/") is not None


class TestInfoHelpers:
    def test_limits(self) -> None:
        info = model_info("m")
        assert context_window(info) == 200_000
        assert max_output_tokens(info) == 64_000
        assert context_window(None) is None
        assert max_output_tokens({"max_tokens": True}) is None
        assert max_output_tokens({"max_tokens": 0}) is None

    def test_thinking_types(self) -> None:
        assert thinking_types(model_info("m")) == {"adaptive", "disabled"}
        assert thinking_types({"capabilities": {"thinking": {"types": "bad"}}}) == frozenset()
        assert thinking_types(None) == frozenset()

    def test_capability_flags(self) -> None:
        assert capability_flags(model_info("m")) == ["pdf", "images", "effort (low/medium/high)"]
        assert capability_flags({}) == []


class TestAliases:
    def test_plain_name_is_kept(self) -> None:
        assert resolve_alias("claude-opus-5-5", {"haiku": "claude-haiku-5-5"}) == "claude-opus-5-5"

    def test_alias_and_chain(self) -> None:
        aliases = {"fast": "haiku", "haiku": "claude-haiku-5-5"}
        assert resolve_alias("haiku", aliases) == "claude-haiku-5-5"
        assert resolve_alias("fast", aliases) == "claude-haiku-5-5"

    def test_cycle_is_a_config_error(self) -> None:
        with pytest.raises(ConfigError, match="loops"):
            resolve_alias("a", {"a": "b", "b": "a"})
        with pytest.raises(ConfigError):
            resolve_alias("self", {"self": "self"})


class TestDeprecation:
    TODAY = date(2026, 11, 21)

    def test_active_model(self) -> None:
        assert deprecation_warning(model_info("m"), self.TODAY) is None

    def test_deprecated_with_a_future_retirement(self) -> None:
        info = model_info(
            "claude-sonnet-4-5",
            lifecycle="deprecated",
            deprecated_at="2026-08-01T00:00:00Z",
            retires_at="2026-11-30T00:00:00Z",
        )
        assert deprecation_warning(info, self.TODAY) == (
            "claude-sonnet-4-5 is deprecated and retires on 2026-11-30 (in 9 days)"
        )

    def test_deprecated_and_overdue(self) -> None:
        info = model_info("m", lifecycle="deprecated", retires_at="2026-06-15T00:00:00Z")
        warning = deprecation_warning(info, self.TODAY)
        assert warning == "m is deprecated and overdue for retirement (2026-06-15)"

    def test_deprecated_without_a_date(self) -> None:
        info = model_info("m", lifecycle="deprecated", retires_at="not a date")
        warning = deprecation_warning(info, self.TODAY)
        assert warning is not None and warning.startswith("m is deprecated;")

    def test_retired(self) -> None:
        info = model_info("m", lifecycle="retired", retires_at="2026-02-19T00:00:00Z")
        warning = deprecation_warning(info, self.TODAY)
        assert warning is not None
        assert warning.startswith("m was retired on 2026-02-19: requests naming it fail")
