"""Settings: defaults, `config.yaml`, profiles, environment and flags, merged in one place."""

from __future__ import annotations

from .yaml_file import (
    DEFAULT_MODEL,
    DEFAULT_MODEL_ALIASES,
    DEFAULT_PROFILE,
    ConfigFile,
    Entry,
    Profile,
    ResolvedField,
    ResolvedSettings,
    Settings,
    config_show_rows,
    default_config_text,
    load_config,
    load_settings,
    mask_secret,
    parse_config,
    resolve_settings,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_MODEL_ALIASES",
    "DEFAULT_PROFILE",
    "ConfigFile",
    "Entry",
    "Profile",
    "ResolvedField",
    "ResolvedSettings",
    "Settings",
    "config_show_rows",
    "default_config_text",
    "load_config",
    "load_settings",
    "mask_secret",
    "parse_config",
    "resolve_settings",
]
