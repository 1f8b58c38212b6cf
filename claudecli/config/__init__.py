"""Settings: defaults, `config.yaml`, profiles, environment and flags, merged in one place.

    resolved = load_settings(flags, profile=None, env=os.environ)   # file + env + flags
    resolved.settings.model, resolved.source("model"), resolved.warnings

Or in two steps: `load_config(path)` → `ConfigFile`, then `resolve_settings(flags, env, file,
profile)` → `ResolvedSettings`. Nothing here prints; warnings come back as strings.

* `schema`    — `Settings` (every field, its default and meaning), one validation spec per field.
* `yaml_file` — `config.yaml` → `ConfigFile`, errors as `config.yaml:line:col`; the only module
  that imports yaml (lazily, when a file is parsed), and the commented starter file.
* `resolve`   — flag > environment > profile > file > default, every value with its source.

Showing settings (`config show`) is `claudecli.render.settings_view`'s job.
"""

from __future__ import annotations

from .resolve import ResolvedSettings, load_config, load_settings, resolve_settings
from .schema import DEFAULT_MODEL_ALIASES, DEFAULT_PROFILE, Settings
from .yaml_file import ConfigFile, default_config_text, parse_config

__all__ = [
    "DEFAULT_MODEL_ALIASES",
    "DEFAULT_PROFILE",
    "ConfigFile",
    "ResolvedSettings",
    "Settings",
    "default_config_text",
    "load_config",
    "load_settings",
    "parse_config",
    "resolve_settings",
]
