"""Layer resolution: flag > environment > profile > file > default, with provenance.

Precedence (``resolve_settings``, the only place that merges):
**flag > environment > selected profile > config.yaml top level > built-in default**.
Scalars and lists are replaced by the higher layer; mappings (`headers`, `model_aliases`) are
merged key by key, the higher layer winning per key. Every value keeps its source for
`config show`: "flag --model", "env ANTHROPIC_BASE_URL", "profile work (config.yaml:12)",
"config.yaml:3" or "default".

Environment (an empty value counts as unset; the first variable listed wins):

* `CLAUDECLI_<FIELD>` for every field except `headers`, `model_aliases`, `roles`, `tools`, e.g.
  `CLAUDECLI_MAX_TOKENS`, `CLAUDECLI_THINKING`, `CLAUDECLI_IDLE_TIMEOUT`. Lists are
  comma-separated (`CLAUDECLI_BETAS`), booleans are 1/0/true/false/yes/no/on/off, optional
  numbers accept "none", `CLAUDECLI_API_KEY_CMD` is shlex-split.
* `CLAUDECLI_MODEL`, then `ANTHROPIC_MODEL` → model.
* `CLAUDECLI_BASE_URL`, then `ANTHROPIC_BASE_URL` → base_url.
* `ANTHROPIC_CUSTOM_HEADERS` → headers (newline-separated `Name: value`, SDK semantics).
* `CLAUDECLI_COLOR`, then `NO_COLOR` (non-empty → never), then `FORCE_COLOR` (→ always).
* `CLAUDECLI_PROFILE` → profile (below `--profile`, above `default_profile:`).
* `CLAUDECLI_CONFIG` / `CLAUDECLI_HOME` → file locations (see `claudecli.paths`).

Entry points: `load_settings` (file + env + flags in one call), or `load_config` → `ConfigFile`,
then `resolve_settings` → `ResolvedSettings`. Values are validated by `claudecli.config.schema`;
`ANTHROPIC_CUSTOM_HEADERS` is parsed by the client's `parse_custom_headers` (the one parser).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields as dataclass_fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from claudecli import paths
from claudecli.client import parse_custom_headers
from claudecli.errors import ClaudecliError, ConfigError, UsageError

from .schema import (
    DEFAULT_PROFILE,
    SPECS,
    Invalid,
    Settings,
    Spec,
    check,
    frozen_map,
    mask_url,
    suggest,
)
from .yaml_file import ConfigFile, Entry, read_config

__all__ = [
    "ResolvedField",
    "ResolvedSettings",
    "load_config",
    "load_settings",
    "resolve_settings",
]

_PRESENCE_ENV: Final[Mapping[str, str]] = MappingProxyType(
    {"NO_COLOR": "never", "FORCE_COLOR": "always"}
)


class _Value:
    """A value offered by one layer, with its source (and per-key sources for mappings)."""

    __slots__ = ("item_sources", "source", "value")

    def __init__(
        self, value: object, source: str, item_sources: Mapping[str, str] | None = None
    ) -> None:
        self.value = value
        self.source = source
        self.item_sources = item_sources


_Layer = dict[str, _Value]


@dataclass(frozen=True)
class ResolvedField:
    """One row of provenance: a setting, its final value and where that value came from."""

    name: str
    value: object
    source: str


@dataclass(frozen=True)
class ResolvedSettings:
    """The merged settings plus, for every field, the layer that set it.

    `item_sources` gives per-key sources for the mapping fields (`headers`, `model_aliases`).
    `warnings` are one-line strings for the CLI to print on stderr.
    """

    settings: Settings
    sources: Mapping[str, str]
    item_sources: Mapping[str, Mapping[str, str]]
    warnings: tuple[str, ...] = ()
    config_path: Path | None = None

    def source(self, name: str) -> str:
        """Where setting `name` came from ("flag --model", "config.yaml:3", "default", ...)."""
        return self.sources[name]

    def fields(self) -> Iterator[ResolvedField]:
        """Every setting in declaration order with its value and source."""
        for spec in dataclass_fields(Settings):
            yield ResolvedField(
                spec.name, getattr(self.settings, spec.name), self.sources[spec.name]
            )


def load_config(path: Path | str | None = None) -> ConfigFile:
    """Read and validate the config file (default `paths.config_file()`).

    A missing file gives an empty `ConfigFile`; anything wrong with it raises `ConfigError`.
    """
    return read_config(Path(path) if path is not None else paths.config_file())


def load_settings(
    flags: Mapping[str, object] | None = None,
    *,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    path: Path | str | None = None,
    allow_undefined_profile: bool = False,
) -> ResolvedSettings:
    """Load the config file (`path`, else the one `env` points at) and resolve settings.

    `env` defaults to `os.environ`.
    """
    environ = os.environ if env is None else env
    config = load_config(path if path is not None else paths.config_file(environ))
    return resolve_settings(
        flags, environ, config, profile, allow_undefined_profile=allow_undefined_profile
    )


def resolve_settings(
    flags: Mapping[str, object] | None,
    env: Mapping[str, str],
    file: ConfigFile | None,
    profile: str | None = None,
    *,
    allow_undefined_profile: bool = False,
) -> ResolvedSettings:
    """Merge all layers: flag > environment > profile > file defaults > built-in default.

    `flags` maps field names to typed values; None means "not given". `profile` is the
    `--profile` value. A selected profile that `file` does not define (other than "default")
    is an error unless `allow_undefined_profile` (for `auth login --profile NEW`).
    Raises `UsageError` for a bad flag value and `ConfigError` for a bad environment value.
    """
    config = file if file is not None else ConfigFile()
    given = dict(flags or {})
    flag_profile = given.pop("profile", None)
    wanted = profile if profile is not None else flag_profile
    choice = _select_profile(wanted, env, config, allow_undefined_profile)
    layers = [_default_layer(), _file_layer(config), _profile_layer(config, choice.value)]
    layers += [_env_layer(env), _flag_layer(given)]
    values, sources, item_sources = _fold(layers)
    assert isinstance(choice.value, str)
    settings = Settings(profile=choice.value, **values)
    sources["profile"] = choice.source
    warnings = (*config.warnings, *_setting_warnings(settings, sources))
    return ResolvedSettings(settings, sources, item_sources, warnings, config.path)


def _select_profile(
    flag: object, env: Mapping[str, str], config: ConfigFile, allow_undefined: bool
) -> _Value:
    if flag is not None:
        if not isinstance(flag, str) or not flag.strip():
            raise UsageError("--profile: must be a non-empty profile name")
        return _require_profile(flag, "flag --profile", config, allow_undefined, UsageError)
    from_env = env.get("CLAUDECLI_PROFILE")
    if from_env:
        return _require_profile(
            from_env, "env CLAUDECLI_PROFILE", config, allow_undefined, ConfigError
        )
    if config.default_profile is not None:
        return _Value(config.default_profile.value, f"{config.name}:{config.default_profile.line}")
    return _Value(DEFAULT_PROFILE, "default")


def _require_profile(
    name: str, source: str, config: ConfigFile, allow: bool, error: type[ClaudecliError]
) -> _Value:
    if allow or name in config.profiles or name == DEFAULT_PROFILE:
        return _Value(name, source)
    if not config.profiles:
        raise error(f"{source}: unknown profile {name!r}: {config.name} defines no profiles")
    defined = ", ".join(sorted(config.profiles))
    hint = suggest(name, list(config.profiles))
    raise error(f"{source}: unknown profile {name!r}{hint}; {config.name} defines: {defined}")


def _default_layer() -> _Layer:
    defaults = Settings()
    return {name: _Value(getattr(defaults, name), "default") for name in SPECS}


def _file_layer(config: ConfigFile) -> _Layer:
    return _entries_layer(config.settings, lambda line: f"{config.name}:{line}")


def _profile_layer(config: ConfigFile, name: object) -> _Layer:
    profile = config.profiles.get(name) if isinstance(name, str) else None
    if profile is None:
        return {}
    return _entries_layer(profile.settings, lambda line: f"profile {name} ({config.name}:{line})")


def _entries_layer(entries: Mapping[str, Entry], label: Callable[[int], str]) -> _Layer:
    layer: _Layer = {}
    for name, entry in entries.items():
        items = {key: label(line) for key, line in entry.item_lines.items()}
        layer[name] = _Value(entry.value, label(entry.line), items)
    return layer


def _env_layer(env: Mapping[str, str]) -> _Layer:
    layer: _Layer = {}
    for name, spec in SPECS.items():
        for var in spec.env if spec.env is not None else (f"CLAUDECLI_{name.upper()}",):
            text = env.get(var)
            if text:
                layer[name] = _Value(_env_value(name, spec, var, text), f"env {var}")
                break
    return layer


def _env_value(name: str, spec: Spec, var: str, text: str) -> object:
    if var in _PRESENCE_ENV:
        return _PRESENCE_ENV[var]
    try:
        return check(name, spec, _parse_text(spec, text))
    except Invalid as error:
        raise ConfigError(f"env {var}: {error.message}") from None


def _parse_text(spec: Spec, text: str) -> object:
    """Turn an environment string into the Python value `check` expects."""
    stripped = text.strip()
    if spec.optional and stripped.lower() in ("none", "null"):
        return None
    if spec.kind == "map":
        return parse_custom_headers(text)
    parser = _TEXT_PARSERS.get(spec.kind)
    return parser(stripped) if parser is not None else stripped


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"must be an integer, got {text!r}") from None


def _parse_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise Invalid(f"must be a number, got {text!r}") from None


def _parse_bool(text: str) -> bool:
    table = {"1": True, "true": True, "yes": True, "on": True}
    table |= {"0": False, "false": False, "no": False, "off": False}
    value = table.get(text.lower())
    if value is None:
        raise Invalid(f"must be true or false (1/0, yes/no, on/off), got {text!r}")
    return value


_TEXT_PARSERS: Final[Mapping[str, Callable[[str], object]]] = MappingProxyType(
    {"int": _parse_int, "float": _parse_float, "bool": _parse_bool}
)


def _flag_layer(flags: Mapping[str, object]) -> _Layer:
    layer: _Layer = {}
    for name, value in flags.items():
        if value is None:
            continue
        spec = SPECS.get(name)
        if spec is None:
            raise ValueError(f"resolve_settings: unknown setting {name!r}")
        option = "--" + name.replace("_", "-")
        try:
            checked = check(name, spec, value)
        except Invalid as error:
            raise UsageError(f"{option}: {error.message}") from None
        layer[name] = _Value(checked, f"flag {option}")
    return layer


def _fold(
    layers: Sequence[_Layer],
) -> tuple[dict[str, Any], dict[str, str], dict[str, Mapping[str, str]]]:
    """Apply layers lowest first; returns values, sources and per-key sources of mappings."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    item_sources: dict[str, dict[str, str]] = {}
    for layer in layers:
        for name, entry in layer.items():
            if SPECS[name].kind in ("map", "roles", "rules"):  # merged key by key
                _merge_map(name, entry, values, item_sources)
            else:
                values[name] = entry.value
            sources[name] = entry.source
    frozen: dict[str, Mapping[str, str]] = {
        name: MappingProxyType(items) for name, items in item_sources.items()
    }
    return values, sources, frozen


def _merge_map(
    name: str, entry: _Value, values: dict[str, Any], item_sources: dict[str, dict[str, str]]
) -> None:
    merged = dict(values.get(name, {}))
    origins = item_sources.setdefault(name, {})
    fold_case = name == "headers"
    assert isinstance(entry.value, Mapping)
    for key, item in entry.value.items():
        for old in [k for k in merged if fold_case and k.lower() == key.lower()]:
            del merged[old]
            origins.pop(old, None)
        merged[key] = item
        origins[key] = (entry.item_sources or {}).get(key, entry.source)
    values[name] = frozen_map(merged)


def _setting_warnings(settings: Settings, sources: Mapping[str, str]) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(settings.base_url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "http" and not local:
        return [
            f"base_url {mask_url(settings.base_url)} ({sources['base_url']}) is not https: "
            "the API key would travel unencrypted"
        ]
    return []
