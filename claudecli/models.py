"""The model catalogue: `GET /v1/models`, cached on disk for a day.

`ask` and `chat` read the cache with `cached_model_info()` — no network — to pick a default
`max_tokens`, to know which `thinking` types a model accepts, and to warn about a deprecated or
retired model. `claudecli models` and `count-tokens` call `load_models()`, which refetches when the
cache is missing, expired, corrupt, from another API base URL, or when asked to.

The cache file (`cache_dir()/models.json`, mode 0600, written atomically) holds
`{"version": 1, "fetched_at": <unix time>, "source": <base URL or null>, "models": [ModelInfo…]}`.
A cache that cannot be read or parsed is treated as missing: never a crash. When a refetch fails
but an older copy exists, the older copy is returned with a `note` saying so.

Standard library only at import time; the client is imported when a fetch happens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Protocol, TypeGuard

from claudecli.errors import ClaudecliError, ConfigError
from claudecli.paths import atomic_write, cache_dir
from claudecli.pricing import base_model_id

__all__ = [
    "CACHE_FILE_NAME",
    "DEFAULT_MAX_AGE",
    "CachedModels",
    "ModelList",
    "ModelSource",
    "cached_model_info",
    "capability_flags",
    "context_window",
    "deprecation_warning",
    "find_model",
    "load_models",
    "max_output_tokens",
    "models_cache_path",
    "read_models_cache",
    "resolve_alias",
    "thinking_types",
    "write_models_cache",
]

CACHE_FILE_NAME: Final = "models.json"
CACHE_VERSION: Final = 1
DEFAULT_MAX_AGE: Final = 86_400.0  # one day, in seconds
CLOCK_SKEW: Final = 300.0  # a fetch time this far in the future means the clock moved: refetch
MAX_ALIAS_DEPTH: Final = 16

ModelInfo = dict[str, Any]


class ModelSource(Protocol):
    """What `load_models` needs from a client: `claudecli.client.Client` satisfies it."""

    def iter_models(self) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class CachedModels:
    """The parsed cache file."""

    models: list[ModelInfo]
    fetched_at: float
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ModelList:
    """What `load_models` returns: the models, when they were fetched, and how we got them."""

    models: list[ModelInfo]
    fetched_at: float
    from_cache: bool
    note: str | None = None  # e.g. "could not refresh …; using the list from …"


# --- the cache file -------------------------------------------------------------------------


def models_cache_path() -> Path:
    """`cache_dir()/models.json`."""
    return cache_dir() / CACHE_FILE_NAME


def read_models_cache(*, source: str | None = None) -> CachedModels | None:
    """The cache, or None when it is missing, unreadable, corrupt or for another `source`."""
    try:
        text = models_cache_path().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    cached = _parse_cache(text)
    if cached is None or not _same_source(cached.source, source):
        return None
    return cached


def write_models_cache(
    models: list[ModelInfo], fetched_at: float, *, source: str | None = None
) -> None:
    """Replace the cache (0600, atomic); raises OSError."""
    payload = {
        "version": CACHE_VERSION,
        "fetched_at": fetched_at,
        "source": _normal_source(source),
        "models": models,
    }
    atomic_write(models_cache_path(), json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


def _parse_cache(text: str) -> CachedModels | None:
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION:
        return None
    fetched_at, models, source = raw.get("fetched_at"), raw.get("models"), raw.get("source")
    if not _is_number(fetched_at) or not _is_model_list(models):
        return None
    if source is not None and not isinstance(source, str):
        return None
    return CachedModels(models=models, fetched_at=float(fetched_at), source=source)


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_model_list(value: object) -> TypeGuard[list[ModelInfo]]:
    if not isinstance(value, list):
        return False
    return all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in value)


def _normal_source(source: str | None) -> str | None:
    return source.rstrip("/") if source else None


def _same_source(cached: str | None, wanted: str | None) -> bool:
    """A cache from another base URL (say, the emulator) does not answer for this one."""
    return wanted is None or _normal_source(cached) == _normal_source(wanted)


def _is_fresh(cached: CachedModels, now: float, max_age: float) -> bool:
    age = now - cached.fetched_at
    return -CLOCK_SKEW <= age < max_age


# --- loading --------------------------------------------------------------------------------


def load_models(
    client_factory: Callable[[], ModelSource],
    *,
    refresh: bool = False,
    max_age: float = DEFAULT_MAX_AGE,
    now: Callable[[], float] = time.time,
    source: str | None = None,
) -> ModelList:
    """The model list: from the cache when it is fresh, else fetched (and cached).

    `client_factory` is called only when a fetch is needed. A failed fetch raises, unless an
    older cache exists: then that is returned with a `note`. `source` (the API base URL) keeps
    caches of different endpoints apart.
    """
    cached = read_models_cache(source=source)
    if cached is not None and not refresh and _is_fresh(cached, now(), max_age):
        return ModelList(cached.models, cached.fetched_at, from_cache=True)
    try:
        models = _fetch(client_factory)
    except _fetch_errors() as exc:
        if cached is None:
            raise
        return ModelList(cached.models, cached.fetched_at, True, _stale_note(exc, cached, now()))
    fetched_at = now()
    note = _save(models, fetched_at, source)
    return ModelList(models, fetched_at, from_cache=False, note=note)


def _fetch(client_factory: Callable[[], ModelSource]) -> list[ModelInfo]:
    models = [dict(item) for item in client_factory().iter_models()]
    return [item for item in models if isinstance(item.get("id"), str)]


def _fetch_errors() -> tuple[type[Exception], ...]:
    from claudecli.client import ClaudeError

    return (ClaudeError, ClaudecliError)


def _save(models: list[ModelInfo], fetched_at: float, source: str | None) -> str | None:
    try:
        write_models_cache(models, fetched_at, source=source)
    except OSError as exc:
        return f"could not save the model list to {models_cache_path()}: {exc.strerror or exc}"
    return None


def _stale_note(exc: Exception, cached: CachedModels, now: float) -> str:
    return (
        f"could not refresh the model list ({exc}); "
        f"using the copy from {_describe_age(now - cached.fetched_at)}"
    )


def _describe_age(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(int(seconds // 60), 0)} min ago"
    if seconds < 2 * 86_400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86_400)} days ago"


# --- lookups --------------------------------------------------------------------------------


def cached_model_info(model_id: str, *, source: str | None = None) -> ModelInfo | None:
    """The cached ModelInfo for `model_id` (any cache age), without touching the network."""
    cached = read_models_cache(source=source)
    return None if cached is None else find_model(cached.models, model_id)


def find_model(models: Iterable[Mapping[str, Any]], model_id: str) -> ModelInfo | None:
    """Exact id first, else the newest snapshot sharing the base id (dates are ignored)."""
    listed = [dict(item) for item in models]
    for item in listed:
        if item.get("id") == model_id:
            return item
    base = base_model_id(model_id)
    same = [item for item in listed if base_model_id(str(item.get("id"))) == base]
    return max(same, key=lambda item: str(item.get("id"))) if same else None


def resolve_alias(name: str, aliases: Mapping[str, str]) -> str:
    """Follow `model_aliases` (an alias may name another alias); ConfigError on a cycle."""
    seen = [name]
    current = name
    while current in aliases:
        current = aliases[current]
        if current in seen or len(seen) > MAX_ALIAS_DEPTH:
            chain = " → ".join([*seen, current])
            raise ConfigError(f"model_aliases: the alias {name!r} loops ({chain})")
        seen.append(current)
    return current


def context_window(info: Mapping[str, Any] | None) -> int | None:
    """`max_input_tokens`, when known."""
    return _positive_int(info, "max_input_tokens")


def max_output_tokens(info: Mapping[str, Any] | None) -> int | None:
    """`max_tokens`: the largest `max_tokens` the model takes (ask's default ceiling)."""
    return _positive_int(info, "max_tokens")


def thinking_types(info: Mapping[str, Any] | None) -> frozenset[str]:
    """The `thinking.type` values the model accepts: adaptive, enabled, disabled, between_tools."""
    thinking = _path(info, "capabilities", "thinking", "types")
    if not isinstance(thinking, Mapping):
        return frozenset()
    return frozenset(name for name, value in thinking.items() if _supported(value))


def capability_flags(info: Mapping[str, Any] | None) -> list[str]:
    """Short names of what the model supports: pdf, images, structured, citations, batch, …"""
    flags = [label for key, label in _FLAG_LABELS if _supported(_path(info, "capabilities", key))]
    effort = _path(info, "capabilities", "effort")
    if _supported(effort) and isinstance(effort, Mapping):
        levels = [level for level in _EFFORTS if _supported(effort.get(level))]
        flags.append("effort" + (f" ({'/'.join(levels)})" if levels else ""))
    return flags


_FLAG_LABELS: Final = (
    ("pdf_input", "pdf"),
    ("image_input", "images"),
    ("structured_outputs", "structured"),
    ("citations", "citations"),
    ("batch", "batch"),
    ("server_tools", "server tools"),
)
_EFFORTS: Final = ("low", "medium", "high", "xhigh", "max")


def deprecation_warning(info: Mapping[str, Any], today: date) -> str | None:
    """A one-line warning for a deprecated or retired model, or None for an active one.

    `lifecycle` is the signal: a past `retires_at` on a deprecated model means retirement is
    overdue, not that it happened.
    """
    model = str(info.get("id") or "this model")
    lifecycle = info.get("lifecycle")
    retires = _date(info.get("retires_at"))
    if lifecycle == "retired":
        when = f" on {retires.isoformat()}" if retires else ""
        return (
            f"{model} was retired{when}: requests naming it fail; `claudecli models` lists others"
        )
    if lifecycle != "deprecated":
        return None
    if retires is None:
        return f"{model} is deprecated; `claudecli models` lists current models"
    if retires <= today:
        return f"{model} is deprecated and overdue for retirement ({retires.isoformat()})"
    days = (retires - today).days
    return f"{model} is deprecated and retires on {retires.isoformat()} (in {days} days)"


# --- JSON helpers ---------------------------------------------------------------------------


def _path(node: Mapping[str, Any] | None, *keys: str) -> Any:
    current: Any = node
    for key in keys:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _supported(value: object) -> bool:
    """`{"supported": true}` (or a bare `true`, as some proxies send)."""
    if isinstance(value, Mapping):
        return value.get("supported") is True
    return value is True


def _positive_int(info: Mapping[str, Any] | None, key: str) -> int | None:
    value = None if info is None else info.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _date(value: object) -> date | None:
    """The date part of an RFC 3339 string; None when absent or malformed."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
