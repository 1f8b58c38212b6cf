"""`config show` as text: settings and their provenance, secrets masked, one row per value.

Rows are `(key, value, source)`; a mapping setting (`headers`, `model_aliases`, `roles`,
`tools`) gives one row per key, with that key's own source. Masking: header values whose name
looks secret and any value holding an `sk-ant-` key show as `…` plus at most the last four
characters, a password in a URL as `:…@`. `config_show_json` is the same data for
`config show --json`.
Formatting only: settings are read and resolved by `claudecli.config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from claudecli.config.schema import is_secret_name, looks_like_key, mask_url

if TYPE_CHECKING:
    from claudecli.config import ResolvedSettings

__all__ = ["config_show_json", "config_show_rows", "mask_secret"]


def mask_secret(value: str) -> str:
    """`…` plus at most the last 4 characters (the one masking rule: `Secret.masked`)."""
    from claudecli.client import Secret

    return Secret(value).masked()


def config_show_rows(resolved: ResolvedSettings) -> list[tuple[str, str, str]]:
    """(key, value, source) rows for `config show`, secrets masked, mappings one row per key."""
    rows: list[tuple[str, str, str]] = []
    for item in resolved.fields():
        if isinstance(item.value, Mapping) and item.value:
            origins = resolved.item_sources.get(item.name, {})
            for key, value in item.value.items():
                shown = _show_item(item.name, key, value)
                rows.append((f"{item.name}.{key}", shown, origins.get(key, item.source)))
        else:
            rows.append((item.name, _show_value(item.name, item.value), item.source))
    return rows


def _show_role(role: Mapping[str, object]) -> str:
    """`model=opus effort=high system='You are…'` (a role's settings on one line)."""
    if not role:
        return "(empty)"
    return " ".join(f"{key}={_role_value(key, value)}" for key, value in role.items())


def _role_value(key: str, value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(value)
    if key == "system":
        text = str(value)
        return repr(text if len(text) <= 40 else text[:39] + "…")
    return str(value)


def _show_item(field_name: str, key: str, value: object) -> str:
    if isinstance(value, Mapping):
        return _show_role(value)
    if isinstance(value, tuple):  # tools.allow: the rules
        return _show_sequence(f"{field_name}.{key}", value)
    value = str(value)
    secret = field_name == "headers" and is_secret_name(key)
    return mask_secret(value) if secret or looks_like_key(value) else value


def _show_value(name: str, value: object) -> str:
    if value is None:
        return "auto" if name == "max_tokens" else "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return "(none)"
    if isinstance(value, tuple):
        return _show_sequence(name, value)
    text = str(value)
    return mask_url(text) if name == "base_url" else text


def _show_sequence(name: str, value: tuple[str, ...]) -> str:
    if not value:
        return "(none)"
    masked = [mask_secret(part) if looks_like_key(part) else part for part in value]
    if name == "api_key_cmd":
        import shlex

        return shlex.join(masked)
    return ", ".join(masked)


def config_show_json(resolved: ResolvedSettings) -> str:
    """`{key: {"value", "source"}}`: numbers, booleans, null and empty collections keep their
    JSON type; strings, lists and mapping entries are the masked text `config show` prints."""
    import json

    document = {
        key: {"value": _json_value(resolved.settings, key, shown), "source": source}
        for key, shown, source in config_show_rows(resolved)
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _json_value(settings: object, key: str, shown: str) -> Any:
    raw = getattr(settings, key, shown) if "." not in key else shown
    if raw is None or isinstance(raw, bool | int | float):
        return raw
    if isinstance(raw, Mapping) and not raw:
        return {}
    if isinstance(raw, tuple) and not raw:
        return []
    return shown
