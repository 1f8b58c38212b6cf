"""Settings: built-in defaults, `config.yaml`, profiles, environment and flags, merged in one place.

Settings (field: default — meaning)
===================================

* profile: "default" — active profile; also the keyring user name.
* model: "claude-sonnet-5-5" — model id, or an alias from `model_aliases`.
* max_tokens: None — None means the model's maximum (from model info).
* thinking: "adaptive" — "adaptive" (the model decides; the documented modern default), "off",
  or a budget ≥ 1024 tokens (the deprecated `enabled` mode). YAML `false` reads as "off". The
  request layer should drop it for models whose capabilities lack adaptive thinking.
* effort: None — low|medium|high|xhigh|max; None keeps the model's default.
* cache: True — automatic prompt caching (top-level `cache_control`).
* cache_ttl: "5m" — 5m|1h.
* max_retries: 2 — retries, only before the first visible token.
* retry_max_wait: 60.0 — cap in seconds on an honoured retry-after.
* connect_timeout: 5.0 — seconds to establish a connection.
* idle_timeout: 600.0 — seconds without any byte (pings count).
* no_content_timeout: 300.0 — seconds without a content event (catches ping drips); None: off.
* total_timeout: None — overall deadline in seconds; None: no deadline.
* base_url: "https://api.anthropic.com" — API endpoint, trailing slash removed.
* auth_header: "bearer" — how an API key is sent: bearer (Authorization) | x-api-key.
* api_version: "2026-10-21" — the anthropic-version header.
* betas: () — anthropic-beta values.
* headers: {} — extra request headers (names compared case-insensitively when merging).
* model_aliases: opus/sonnet/haiku → the 5.5 ids — alias → model id.
* api_key_cmd: None — argv run without a shell whose first stdout line is the API key; a string
  is split with shlex.
* api_key_cmd_timeout: 10.0 — seconds api_key_cmd may take.
* use_keyring: True — look the key up in the OS keyring.
* color: "auto" — auto|always|never.

Precedence (``resolve_settings``, the only place that merges):
**flag > environment > selected profile > config.yaml top level > built-in default**.
Scalars and lists are replaced by the higher layer; mappings (`headers`, `model_aliases`) are
merged key by key, the higher layer winning per key. Every value keeps its source for
`config show`: "flag --model", "env ANTHROPIC_BASE_URL", "profile work (config.yaml:12)",
"config.yaml:3" or "default".

Environment (an empty value counts as unset; the first variable listed wins):

* `CLAUDECLI_<FIELD>` for every field except `headers` and `model_aliases`, e.g.
  `CLAUDECLI_MAX_TOKENS`, `CLAUDECLI_THINKING`, `CLAUDECLI_IDLE_TIMEOUT`. Lists are
  comma-separated (`CLAUDECLI_BETAS`), booleans are 1/0/true/false/yes/no/on/off, optional
  numbers accept "none", `CLAUDECLI_API_KEY_CMD` is shlex-split.
* `CLAUDECLI_MODEL`, then `ANTHROPIC_MODEL` → model.
* `CLAUDECLI_BASE_URL`, then `ANTHROPIC_BASE_URL` → base_url.
* `ANTHROPIC_CUSTOM_HEADERS` → headers (newline-separated `Name: value`, SDK semantics).
* `CLAUDECLI_COLOR`, then `NO_COLOR` (non-empty → never), then `FORCE_COLOR` (→ always).
* `CLAUDECLI_PROFILE` → profile (below `--profile`, above `default_profile:`).
* `CLAUDECLI_CONFIG` / `CLAUDECLI_HOME` → file locations (see `claudecli.paths`).

`config.yaml` holds top-level settings, `default_profile: NAME` and `profiles: {NAME: {...}}`
(any setting; a profile named `default` applies when no profile is selected). It is read with
PyYAML's safe composer only, validated against the table above, and every error names
`config.yaml:line:col`. Unknown keys, duplicate keys and a group/world-readable file that holds a
secret-looking value are returned as warnings (strings); this module never prints. YAML merge keys
(`<<: *anchor`) work, and top-level keys starting with `x-` are ignored so they can hold anchors.
Keys themselves are never read from the file (see `claudecli.credentials`).

Entry points: `load_settings` (file + env + flags in one call), or `load_config` /
`parse_config` → `ConfigFile`, then `resolve_settings` → `ResolvedSettings`; for the CLI
`config_show_rows` and `default_config_text`. PyYAML is imported only when a file is parsed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields as dataclass_fields
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

from claudecli import paths
from claudecli.client.options import DEFAULT_API_VERSION, DEFAULT_BASE_URL
from claudecli.errors import ClaudecliError, ConfigError, UsageError

if TYPE_CHECKING:
    from yaml.error import Mark, MarkedYAMLError
    from yaml.nodes import Node

__all__ = [
    "DEFAULT_MODEL",
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

DEFAULT_MODEL: Final = "claude-sonnet-5-5"
DEFAULT_PROFILE: Final = "default"
DEFAULT_MODEL_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5", "haiku": "claude-haiku-5-5"}
)
MAX_CONFIG_BYTES: Final = 1024 * 1024
MAX_NODES: Final = 100_000
MIN_THINKING_BUDGET: Final = 1024

Thinking = Literal["adaptive", "off"] | int
AuthHeader = Literal["bearer", "x-api-key"]
ColorMode = Literal["auto", "always", "never"]
Effort = Literal["low", "medium", "high", "xhigh", "max"]
CacheTTL = Literal["5m", "1h"]


def _frozen_map(items: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(items or {}))


def _default_aliases() -> Mapping[str, str]:
    return _frozen_map(DEFAULT_MODEL_ALIASES)


@dataclass(frozen=True)
class Settings:
    """Every setting with its built-in default (see the module docstring for meanings)."""

    profile: str = DEFAULT_PROFILE
    model: str = DEFAULT_MODEL
    max_tokens: int | None = None
    thinking: Thinking = "adaptive"
    effort: Effort | None = None
    cache: bool = True
    cache_ttl: CacheTTL = "5m"
    max_retries: int = 2
    retry_max_wait: float = 60.0
    connect_timeout: float = 5.0
    idle_timeout: float = 600.0
    no_content_timeout: float | None = 300.0
    total_timeout: float | None = None
    base_url: str = DEFAULT_BASE_URL
    auth_header: AuthHeader = "bearer"
    api_version: str = DEFAULT_API_VERSION
    betas: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=_frozen_map, hash=False)
    model_aliases: Mapping[str, str] = field(default_factory=_default_aliases, hash=False)
    api_key_cmd: tuple[str, ...] | None = None
    api_key_cmd_timeout: float = 10.0
    use_keyring: bool = True
    color: ColorMode = "auto"

    def resolve_model(self, name: str | None = None) -> str:
        """The model id for `name` (default: `self.model`), expanding an alias."""
        wanted = self.model if name is None else name
        return self.model_aliases.get(wanted, wanted)


# --------------------------------------------------------------------------------------------
# Schema: one spec per setting, used for the file, the environment and flags alike.
# --------------------------------------------------------------------------------------------

Kind = Literal["str", "int", "float", "bool", "thinking", "list", "map", "argv"]


class _Spec:
    """How one setting is typed and validated (plain class: dataclasses cost import time)."""

    __slots__ = ("above_minimum", "choices", "env", "kind", "minimum", "optional")

    def __init__(
        self,
        kind: Kind,
        *,
        choices: tuple[str, ...] = (),
        optional: bool = False,
        minimum: float | None = None,
        above_minimum: bool = False,
        env: tuple[str, ...] | None = None,
    ) -> None:
        self.kind = kind
        self.choices = choices
        self.optional = optional
        self.minimum = minimum
        self.above_minimum = above_minimum  # strict: the value must be > minimum
        self.env = env  # None: CLAUDECLI_<NAME>


_TIMEOUT = _Spec("float", minimum=0.0, above_minimum=True)
_SPECS: Final[Mapping[str, _Spec]] = MappingProxyType(
    {
        "model": _Spec("str", env=("CLAUDECLI_MODEL", "ANTHROPIC_MODEL")),
        "max_tokens": _Spec("int", optional=True, minimum=1),
        "thinking": _Spec("thinking"),
        "effort": _Spec("str", choices=("low", "medium", "high", "xhigh", "max"), optional=True),
        "cache": _Spec("bool"),
        "cache_ttl": _Spec("str", choices=("5m", "1h")),
        "max_retries": _Spec("int", minimum=0),
        "retry_max_wait": _Spec("float", minimum=0.0),
        "connect_timeout": _TIMEOUT,
        "idle_timeout": _TIMEOUT,
        "no_content_timeout": _Spec("float", optional=True, minimum=0.0, above_minimum=True),
        "total_timeout": _Spec("float", optional=True, minimum=0.0, above_minimum=True),
        "base_url": _Spec("str", env=("CLAUDECLI_BASE_URL", "ANTHROPIC_BASE_URL")),
        "auth_header": _Spec("str", choices=("bearer", "x-api-key")),
        "api_version": _Spec("str"),
        "betas": _Spec("list"),
        "headers": _Spec("map", env=("ANTHROPIC_CUSTOM_HEADERS",)),
        "model_aliases": _Spec("map", env=()),
        "api_key_cmd": _Spec("argv", optional=True),
        "api_key_cmd_timeout": _TIMEOUT,
        "use_keyring": _Spec("bool"),
        "color": _Spec(
            "str",
            choices=("auto", "always", "never"),
            env=("CLAUDECLI_COLOR", "NO_COLOR", "FORCE_COLOR"),
        ),
    }
)
_TOP_LEVEL_ONLY: Final = ("default_profile", "profiles")
_SCRATCH_PREFIX: Final = "x-"  # top-level keys for YAML anchors, ignored (docker-compose style)
_KEY_NAMES: Final = ("api_key", "apikey", "key", "token", "auth_token", "secret", "password")
_PRESENCE_ENV: Final[Mapping[str, str]] = MappingProxyType(
    {"NO_COLOR": "never", "FORCE_COLOR": "always"}
)


class _Invalid(Exception):
    """A value failed validation; `item` locates the bad list index / mapping key."""

    def __init__(self, message: str, *, item: int | str | None = None, wants_str: bool = False):
        super().__init__(message)
        self.message = message
        self.item = item
        self.wants_str = wants_str


class _Nested:
    """Stands in for a list or mapping found where only a scalar may be."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, _Nested):
        return value.kind
    names = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))
    for kind, name in names:
        if isinstance(value, kind):
            return name
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, bytes):
        return "binary data"
    return "date" if hasattr(value, "isoformat") else type(value).__name__


def _suggest(word: str, candidates: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check(name: str, spec: _Spec, value: object) -> object:
    """Validate and normalise one setting value (from YAML, the environment or a flag)."""
    if value is None:
        if spec.optional:
            return None
        if spec.kind in ("list", "map"):
            return () if spec.kind == "list" else _frozen_map()
        raise _Invalid(f"{name} must be {_describe(spec)}, got null", wants_str=spec.kind == "str")
    return _CHECKERS[spec.kind](name, spec, value)


def _describe(spec: _Spec) -> str:
    if spec.choices:
        return "one of " + ", ".join(spec.choices)
    bound = ""
    if spec.minimum is not None:
        bound = f" {'>' if spec.above_minimum else '≥'} {spec.minimum:g}"
    described: dict[str, str] = {
        "str": "a string",
        "int": f"an integer{bound}",
        "float": f"a number{bound}",
        "bool": "true or false",
        "thinking": f"'adaptive', 'off' or a token budget ≥ {MIN_THINKING_BUDGET}",
        "list": "a list of strings",
        "map": "a mapping of strings to strings",
        "argv": "a command (list of strings)",
    }
    return described[spec.kind]


def _wrong_type(name: str, spec: _Spec, value: object) -> _Invalid:
    wants_str = spec.kind in ("str", "thinking")
    return _Invalid(
        f"{name} must be {_describe(spec)}, got {_type_name(value)}", wants_str=wants_str
    )


def _check_str(name: str, spec: _Spec, value: object) -> str:
    if not isinstance(value, str):
        raise _wrong_type(name, spec, value)
    if spec.choices and value not in spec.choices:
        hint = _suggest(value, spec.choices)
        raise _Invalid(f"{name} must be {_describe(spec)}, got {value!r}{hint}")
    if not value.strip():
        raise _Invalid(f"{name} must not be empty")
    return _check_url(name, value) if name.endswith("base_url") else value


def _check_url(name: str, value: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Invalid(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _check_number(name: str, spec: _Spec, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type(name, spec, value)
    if spec.kind == "int" and not isinstance(value, int):
        raise _wrong_type(name, spec, value)
    number: int | float = value if spec.kind == "int" else float(value)
    if not math.isfinite(number):
        raise _Invalid(f"{name} must be a finite number, got {number}")
    _check_minimum(name, spec, number)
    return number


def _check_minimum(name: str, spec: _Spec, number: float) -> None:
    low = spec.minimum
    if low is None:
        return
    if number < low or (spec.above_minimum and number == low):
        raise _Invalid(f"{name} must be {_describe(spec)}, got {number:g}")


def _check_bool(name: str, spec: _Spec, value: object) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(name, spec, value)
    return value


def _check_thinking(name: str, spec: _Spec, value: object) -> Thinking:
    if value is False or value == "off":
        return "off"
    if value == "adaptive":
        return "adaptive"
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, str):
        hint = _suggest(value, ("adaptive", "off"))
        raise _Invalid(f"{name} must be {_describe(spec)}, got {value!r}{hint}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(name, spec, value)
    if value < MIN_THINKING_BUDGET:
        raise _Invalid(f"{name} budget must be ≥ {MIN_THINKING_BUDGET} tokens, got {value}")
    return value


def _check_list(name: str, spec: _Spec, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if not isinstance(value, list | tuple):
        raise _wrong_type(name, spec, value)
    for index, item in enumerate(value):
        _check_list_item(name, index, item)
    return tuple(value)


def _check_list_item(name: str, index: int, item: object) -> None:
    if not isinstance(item, str):
        message = f"{name}[{index}] must be a string, got {_type_name(item)}"
        raise _Invalid(message, item=index, wants_str=True)
    if not item.strip():
        raise _Invalid(f"{name}[{index}] must not be empty", item=index)


def _check_map(name: str, spec: _Spec, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise _wrong_type(name, spec, value)
    is_headers = name.endswith("headers")
    for key, item in value.items():
        _check_map_item(name, key, item, is_headers)
    return _frozen_map(value)


def _check_map_item(name: str, key: object, item: object, is_headers: bool) -> None:
    import re

    if not isinstance(key, str) or not key:
        raise _Invalid(f"{name} keys must be non-empty strings")
    if not isinstance(item, str):
        message = f"{name}.{key} must be a string, got {_type_name(item)}"
        raise _Invalid(message, item=key, wants_str=True)
    if is_headers and not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", key):
        raise _Invalid(f"{name}: {key!r} is not a valid header name", item=key)
    if any(char in item for char in "\r\n\0"):
        raise _Invalid(f"{name}.{key} must not contain line breaks or NUL", item=key)


def _check_argv(name: str, spec: _Spec, value: object) -> tuple[str, ...]:
    import shlex

    if isinstance(value, str):
        try:
            value = shlex.split(value)
        except ValueError as error:
            raise _Invalid(f"{name} is not a valid command line ({error})") from None
    argv = _check_list(name, spec, value)
    if not argv:
        raise _Invalid(f"{name} must not be empty (use null for no command)")
    return argv


_CHECKERS: Final[Mapping[str, Callable[[str, _Spec, object], object]]] = MappingProxyType(
    {
        "str": _check_str,
        "int": _check_number,
        "float": _check_number,
        "bool": _check_bool,
        "thinking": _check_thinking,
        "list": _check_list,
        "map": _check_map,
        "argv": _check_argv,
    }
)


# --------------------------------------------------------------------------------------------
# The config file.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One setting read from the file: its value and the line of its key (1-based)."""

    value: object
    line: int
    item_lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Profile:
    """A named profile: the line where it starts and its settings."""

    name: str
    line: int
    settings: Mapping[str, Entry]


@dataclass(frozen=True)
class ConfigFile:
    """A validated config file. An absent file is an empty `ConfigFile` (`exists` false)."""

    path: Path | None = None
    settings: Mapping[str, Entry] = field(default_factory=lambda: MappingProxyType({}))
    profiles: Mapping[str, Profile] = field(default_factory=lambda: MappingProxyType({}))
    default_profile: Entry | None = None
    warnings: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()  # where secret-looking values sit, e.g. "headers.x-api-key"
    exists: bool = False

    @property
    def name(self) -> str:
        """The name used in messages and sources ("config.yaml")."""
        return self.path.name if self.path is not None else paths.CONFIG_FILE_NAME


def load_config(path: Path | str | None = None) -> ConfigFile:
    """Read and validate the config file (default `paths.config_file()`).

    A missing file gives an empty `ConfigFile`; anything wrong with it raises `ConfigError`.
    """
    target = Path(path) if path is not None else paths.config_file()
    loaded = _read_config_bytes(target)
    if loaded is None:
        return ConfigFile(path=target)
    raw, mode = loaded
    config = parse_config(_decode(raw, target.name), path=target)
    return _with_permission_warning(config, mode)


def _read_config_bytes(target: Path) -> tuple[bytes, int] | None:
    import stat

    try:
        info = os.stat(target)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{target}: is a directory, not a config file")
        if not stat.S_ISREG(info.st_mode):
            return _read_special(target, info)
        with open(target, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"cannot read {target}: {error.strerror or error}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{target}: larger than {MAX_CONFIG_BYTES // 1024} KiB; not a config file?"
        )
    return raw, stat.S_IMODE(info.st_mode)


def _read_special(target: Path, info: os.stat_result) -> tuple[bytes, int]:
    """Only /dev/null is accepted as a non-regular file (`CLAUDECLI_CONFIG=/dev/null`)."""
    if os.path.samestat(info, os.stat(os.devnull)):
        return b"", 0o600
    raise ConfigError(f"{target}: not a regular file")


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{name}: not UTF-8 text (bad byte at offset {error.start})") from None


def _with_permission_warning(config: ConfigFile, mode: int) -> ConfigFile:
    if os.name != "posix" or not mode & 0o077 or not config.secrets:
        return config
    from dataclasses import replace

    where = ", ".join(config.secrets)
    warning = (
        f"{config.name} is readable by others ({mode:04o}) and holds a secret ({where}); "
        f"run `chmod 600 {config.path}`"
    )
    return replace(config, warnings=(*config.warnings, warning))


def parse_config(text: str, *, path: Path | None = None) -> ConfigFile:
    """Validate config text; `path` only names the file in messages. Raises `ConfigError`."""
    name = path.name if path is not None else paths.CONFIG_FILE_NAME
    root = _compose(text, name)
    if root is None:
        return ConfigFile(path=path, exists=True)
    _reject_unsafe_tags(root, name)
    return _FileReader(name, path).read(root)


def _compose(text: str, name: str) -> Node | None:
    import yaml
    from yaml.reader import ReaderError

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise ConfigError(_marked_message(name, error)) from None
    except ReaderError as error:
        line, column = _line_col(text, error.position)
        raise ConfigError(
            f"{name}:{line}:{column}: {error.reason} (#x{error.character:04x})"
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{name}: invalid YAML ({error})") from None
    except RecursionError:
        raise ConfigError(f"{name}: nested too deeply") from None


def _marked_message(name: str, error: MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "invalid YAML"
    if error.context and problem.startswith("but "):  # "expected X, but found Y"
        problem = f"{error.context}, {problem}"
    return f"{_position(name, mark)}: {problem}"


def _position(name: str, mark: Mark | None) -> str:
    if mark is None:
        return name
    return f"{name}:{mark.line + 1}:{mark.column + 1}"


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


_STD_TAG: Final = "tag:yaml.org,2002:"
_MERGE_TAG: Final = _STD_TAG + "merge"
_STR_TAG: Final = _STD_TAG + "str"


def _reject_unsafe_tags(root: Node, name: str) -> None:
    """Refuse `!!python/...` and any non-standard tag anywhere in the tree (cycle-safe)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise ConfigError(f"{name}: too many YAML nodes (over {MAX_NODES})")
        _check_tag(node, name)
        stack.extend(_children(node))


def _check_tag(node: Node, name: str) -> None:
    tag = node.tag
    if not tag.startswith(_STD_TAG):
        raise ConfigError(f"{_position(name, node.start_mark)}: unsupported YAML tag {tag}")
    if tag.startswith(_STD_TAG + "python/"):
        short = "!!" + tag.removeprefix(_STD_TAG)
        where = _position(name, node.start_mark)
        raise ConfigError(f"{where}: {short} tags are not allowed in config files")


def _children(node: Node) -> list[Node]:
    if _kind(node) == "sequence":
        return list(node.value)
    if _kind(node) == "mapping":
        return [part for pair in node.value for part in pair]
    return []


class _FileReader:
    """Turns a composed node tree into a `ConfigFile`, keeping line numbers and warnings."""

    def __init__(self, name: str, path: Path | None) -> None:
        from yaml.constructor import SafeConstructor

        self.name = name
        self.path = path
        self._warnings: list[tuple[tuple[int, int], str]] = []
        self.secrets: list[str] = []
        self._constructor = SafeConstructor()
        self._flat_cache: dict[int, dict[str, tuple[Node, Node]]] = {}
        self._active: set[int] = set()

    def where(self, node: Node) -> str:
        return _position(self.name, node.start_mark)

    def warn(self, node: Node, message: str) -> None:
        mark = node.start_mark
        position = (mark.line, mark.column) if mark is not None else (0, 0)
        self._warnings.append((position, f"{self.where(node)}: {message}"))

    def read(self, root: Node) -> ConfigFile:
        pairs = self.mapping_pairs(root, "the top level")
        profiles = self.read_profiles(pairs.pop("profiles", None))
        default = self.read_default_profile(pairs.pop("default_profile", None), profiles)
        settings = self.read_settings(pairs, label="", top_level=True)
        return ConfigFile(
            path=self.path,
            settings=MappingProxyType(settings),
            profiles=MappingProxyType(profiles),
            default_profile=default,
            warnings=tuple(text for _, text in sorted(self._warnings)),
            secrets=tuple(self.secrets),
            exists=True,
        )

    # -- mappings ---------------------------------------------------------------------------

    def mapping_pairs(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        if _kind(node) != "mapping":
            kind = "list" if _kind(node) == "sequence" else _type_name(self.scalar(node))
            raise ConfigError(f"{self.where(node)}: {what} must be a mapping, got {kind}")
        return dict(self.flat(node))

    def flat(self, node: Node) -> dict[str, tuple[Node, Node]]:
        """Key → (key node, value node), with `<<` merges expanded (explicit keys win)."""
        cached = self._flat_cache.get(id(node))
        if cached is not None:
            return cached
        if id(node) in self._active:
            raise ConfigError(f"{self.where(node)}: recursive merge (<<)")
        self._active.add(id(node))
        result = self.merged(node)
        result.update(self.explicit(node))
        self._active.discard(id(node))
        self._flat_cache[id(node)] = result
        return result

    def merged(self, node: Node) -> dict[str, tuple[Node, Node]]:
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                for source in reversed(self.merge_sources(value_node)):
                    result.update(self.flat(source))
        return result

    def merge_sources(self, node: Node) -> list[Node]:
        sources = list(node.value) if _kind(node) == "sequence" else [node]
        for source in sources:
            if _kind(source) != "mapping":
                raise ConfigError(f"{self.where(source)}: << can only merge mappings")
        return sources

    def explicit(self, node: Node) -> dict[str, tuple[Node, Node]]:
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = None if key_node.tag == _MERGE_TAG else self.key_text(key_node)
            if key is None:
                continue
            if key in result:
                self.warn(key_node, f"duplicate key {key!r}; the last one wins")
            result[key] = (key_node, value_node)
        return result

    def key_text(self, node: Node) -> str | None:
        if _kind(node) == "scalar" and node.tag == _STR_TAG:
            return str(node.value)
        shown = _clip(str(node.value)) if _kind(node) == "scalar" else _kind(node)
        self.warn(node, f"ignoring key {shown!r}: keys must be strings")
        return None

    # -- values -----------------------------------------------------------------------------

    def scalar(self, node: Node) -> object:
        if _kind(node) != "scalar":
            return _Nested("list" if _kind(node) == "sequence" else "mapping")
        if node.tag == _STR_TAG:
            return str(node.value)
        try:
            return self._constructor.construct_object(node, deep=True)
        except Exception:  # untrusted input: any constructor failure is a config error
            short = node.tag.removeprefix(_STD_TAG)
            shown = _clip(str(node.value))
            raise ConfigError(f"{self.where(node)}: invalid {short} value {shown!r}") from None

    def python_value(self, node: Node) -> object:
        """A setting's value, one level deep: deeper structure becomes `_Nested` markers."""
        if _kind(node) == "sequence":
            return [self.scalar(item) for item in node.value]
        if _kind(node) == "mapping":
            return {key: self.scalar(pair[1]) for key, pair in self.flat(node).items()}
        return self.scalar(node)

    def locate(self, node: Node, item: int | str | None) -> Node:
        if isinstance(item, int) and _kind(node) == "sequence":
            return node.value[item]  # type: ignore[no-any-return]
        if isinstance(item, str) and _kind(node) == "mapping":
            return self.flat(node)[item][1]
        return node

    def invalid(self, node: Node, error: _Invalid) -> ConfigError:
        bad = self.locate(node, error.item)
        hint = _trap_hint(bad, self.scalar(bad)) if error.wants_str else ""
        return ConfigError(f"{self.where(bad)}: {error.message}{hint}")

    # -- settings and profiles --------------------------------------------------------------

    def read_settings(
        self, pairs: Mapping[str, tuple[Node, Node]], *, label: str, top_level: bool
    ) -> dict[str, Entry]:
        settings: dict[str, Entry] = {}
        for key, (key_node, value_node) in pairs.items():
            if key in _SPECS:
                settings[key] = self.read_setting(key, key_node, value_node, label)
            else:
                self.unknown_key(key, key_node, value_node, label, top_level)
        return settings

    def read_setting(self, key: str, key_node: Node, value_node: Node, label: str) -> Entry:
        raw = self.python_value(value_node)
        try:
            value = _check(label + key, _SPECS[key], raw)
        except _Invalid as error:
            raise self.invalid(value_node, error) from None
        self.note_secrets(label + key, value)
        return Entry(value, _line(key_node), self.item_lines(value_node))

    def item_lines(self, node: Node) -> Mapping[str, int]:
        if _kind(node) != "mapping":
            return MappingProxyType({})
        return MappingProxyType({key: _line(pair[0]) for key, pair in self.flat(node).items()})

    def note_secrets(self, label: str, value: object) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if _is_secret_name(key) or _looks_like_key(item):
                    self.secrets.append(f"{label}.{key}")
        elif isinstance(value, str | tuple) and any(
            _looks_like_key(part) for part in _strings(value)
        ):
            self.secrets.append(label)

    def unknown_key(
        self, key: str, key_node: Node, value_node: Node, label: str, top: bool
    ) -> None:
        if top and key.startswith(_SCRATCH_PREFIX):
            return
        if key.lower() in _KEY_NAMES:
            if _kind(value_node) != "scalar" or value_node.value:
                self.secrets.append(label + key)
            self.warn(
                key_node,
                f"{label}{key} is ignored: keys are not read from config files; "
                "use `claudecli auth login`, ANTHROPIC_API_KEY or api_key_cmd",
            )
            return
        valid = list(_SPECS) + (list(_TOP_LEVEL_ONLY) if top else [])
        self.warn(key_node, f"unknown setting '{label}{key}'{_suggest(key, valid)}; ignored")

    def read_profiles(self, pair: tuple[Node, Node] | None) -> dict[str, Profile]:
        if pair is None or _is_null(pair[1]):
            return {}
        profiles: dict[str, Profile] = {}
        for name, (key_node, value_node) in self.mapping_pairs(pair[1], "profiles").items():
            if not name.strip():
                raise ConfigError(f"{self.where(key_node)}: profile names must not be empty")
            profiles[name] = self.read_profile(name, key_node, value_node)
        return profiles

    def read_profile(self, name: str, key_node: Node, value_node: Node) -> Profile:
        label = f"profiles.{name}."
        pairs = {} if _is_null(value_node) else self.mapping_pairs(value_node, f"profile {name!r}")
        settings = self.read_settings(pairs, label=label, top_level=False)
        return Profile(name, _line(key_node), MappingProxyType(settings))

    def read_default_profile(
        self, pair: tuple[Node, Node] | None, profiles: Mapping[str, Profile]
    ) -> Entry | None:
        if pair is None:
            return None
        key_node, value_node = pair
        value = self.scalar(value_node)
        if not isinstance(value, str) or not value.strip():
            message = f"default_profile must be a profile name, got {_type_name(value)}"
            raise ConfigError(f"{self.where(value_node)}: {message}{_trap_hint(value_node, value)}")
        if value not in profiles and value != DEFAULT_PROFILE:
            hint = _suggest(value, list(profiles))
            message = f"default_profile {value!r} is not defined under profiles{hint}"
            raise ConfigError(f"{self.where(value_node)}: {message}")
        return Entry(value, _line(key_node))


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(node: Node) -> int:
    mark = node.start_mark
    return mark.line + 1 if mark is not None else 0


def _is_null(node: Node) -> bool:
    return _kind(node) == "scalar" and node.tag == _STD_TAG + "null"


def _trap_hint(node: Node, value: object) -> str:
    """Explain a YAML 1.1 surprise: a plain scalar read as something other than a string."""
    if _kind(node) != "scalar" or getattr(node, "style", None) is not None:
        return ""
    if isinstance(value, str | _Nested):
        return ""
    if value is None and not node.value:
        return " (the value is empty)"
    return f" (YAML reads `{_clip(str(node.value))}` as {_yaml_reading(value)}; quote it)"


def _yaml_reading(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    return _type_name(value)


def _kind(node: Node) -> str:
    """ "scalar", "sequence" or "mapping" (the node class's `id`)."""
    return str(getattr(node, "id", ""))


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def _is_secret_name(name: str) -> bool:
    lowered = name.lower()
    markers = (
        "authorization",
        "api-key",
        "api_key",
        "apikey",
        "token",
        "secret",
        "password",
        "cookie",
    )
    return any(marker in lowered for marker in markers)


def _looks_like_key(value: object) -> bool:
    return isinstance(value, str) and "sk-ant-" in value


# --------------------------------------------------------------------------------------------
# Resolution: flag > environment > profile > file > default.
# --------------------------------------------------------------------------------------------


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
    hint = _suggest(name, list(config.profiles))
    raise error(f"{source}: unknown profile {name!r}{hint}; {config.name} defines: {defined}")


def _default_layer() -> _Layer:
    defaults = Settings()
    return {name: _Value(getattr(defaults, name), "default") for name in _SPECS}


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
    for name, spec in _SPECS.items():
        for var in spec.env if spec.env is not None else (f"CLAUDECLI_{name.upper()}",):
            text = env.get(var)
            if text:
                layer[name] = _Value(_env_value(name, spec, var, text), f"env {var}")
                break
    return layer


def _env_value(name: str, spec: _Spec, var: str, text: str) -> object:
    if var in _PRESENCE_ENV:
        return _PRESENCE_ENV[var]
    try:
        return _check(name, spec, _parse_text(spec, text))
    except _Invalid as error:
        raise ConfigError(f"env {var}: {error.message}") from None


def _parse_text(spec: _Spec, text: str) -> object:
    """Turn an environment string into the Python value `_check` expects."""
    stripped = text.strip()
    if spec.optional and stripped.lower() in ("none", "null"):
        return None
    if spec.kind == "map":
        return _parse_custom_headers(text)
    parser = _TEXT_PARSERS.get(spec.kind)
    return parser(stripped) if parser is not None else stripped


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Invalid(f"must be an integer, got {text!r}") from None


def _parse_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise _Invalid(f"must be a number, got {text!r}") from None


def _parse_bool(text: str) -> bool:
    table = {"1": True, "true": True, "yes": True, "on": True}
    table |= {"0": False, "false": False, "no": False, "off": False}
    value = table.get(text.lower())
    if value is None:
        raise _Invalid(f"must be true or false (1/0, yes/no, on/off), got {text!r}")
    return value


_TEXT_PARSERS: Final[Mapping[str, Callable[[str], object]]] = MappingProxyType(
    {"int": _parse_int, "float": _parse_float, "bool": _parse_bool}
)


def _parse_custom_headers(text: str) -> dict[str, str]:
    """`ANTHROPIC_CUSTOM_HEADERS`: `Name: value` lines; lines without a colon are skipped (SDK)."""
    headers: dict[str, str] = {}
    for line in text.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers[name.strip()] = value.strip()
    return headers


def _flag_layer(flags: Mapping[str, object]) -> _Layer:
    layer: _Layer = {}
    for name, value in flags.items():
        if value is None:
            continue
        spec = _SPECS.get(name)
        if spec is None:
            raise ValueError(f"resolve_settings: unknown setting {name!r}")
        option = "--" + name.replace("_", "-")
        try:
            checked = _check(name, spec, value)
        except _Invalid as error:
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
            if _SPECS[name].kind == "map":
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
    values[name] = _frozen_map(merged)


def _setting_warnings(settings: Settings, sources: Mapping[str, str]) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(settings.base_url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "http" and not local:
        return [
            f"base_url {_mask_url(settings.base_url)} ({sources['base_url']}) is not https: "
            "the API key would travel unencrypted"
        ]
    return []


# --------------------------------------------------------------------------------------------
# Presentation helpers for `config show` / `config edit`.
# --------------------------------------------------------------------------------------------


def mask_secret(value: str) -> str:
    """`…` plus at most the last 4 characters (the one masking rule: `Secret.masked`)."""
    from claudecli.client.options import Secret

    return Secret(value).masked()


def config_show_rows(resolved: ResolvedSettings) -> list[tuple[str, str, str]]:
    """(key, value, source) rows for `config show`, secrets masked, mappings one row per key."""
    rows: list[tuple[str, str, str]] = []
    for item in resolved.fields():
        if isinstance(item.value, Mapping) and item.value:
            origins = resolved.item_sources.get(item.name, {})
            for key, value in item.value.items():
                shown = _show_item(item.name, key, str(value))
                rows.append((f"{item.name}.{key}", shown, origins.get(key, item.source)))
        else:
            rows.append((item.name, _show_value(item.name, item.value), item.source))
    return rows


def _show_item(field_name: str, key: str, value: str) -> str:
    secret = field_name == "headers" and _is_secret_name(key)
    return mask_secret(value) if secret or _looks_like_key(value) else value


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
    return _mask_url(text) if name == "base_url" else text


def _show_sequence(name: str, value: tuple[str, ...]) -> str:
    if not value:
        return "(none)"
    masked = [mask_secret(part) if _looks_like_key(part) else part for part in value]
    if name == "api_key_cmd":
        import shlex

        return shlex.join(masked)
    return ", ".join(masked)


def _mask_url(url: str) -> str:
    """Hide a password in `https://user:password@host/`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":…@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def default_config_text() -> str:
    """A commented template for `config edit` when no config file exists yet (parses empty)."""
    return _TEMPLATE


_TEMPLATE: Final = f"""\
# claudecli configuration. Precedence: flag > environment > profile > this file > default.
# Run `claudecli config show` to see every value and where it came from.
# Keys do NOT belong here: use `claudecli auth login`, ANTHROPIC_API_KEY or api_key_cmd.

# model: {DEFAULT_MODEL}
# max_tokens: null           # null: the model's maximum
# thinking: adaptive         # adaptive | off | a budget >= {MIN_THINKING_BUDGET}
# effort: null               # low | medium | high | xhigh | max
# cache: true
# cache_ttl: 5m              # 5m | 1h
# max_retries: 2
# retry_max_wait: 60         # seconds
# connect_timeout: 5
# idle_timeout: 600          # no bytes at all for this long
# no_content_timeout: 300    # no content for this long (pings do not count)
# total_timeout: null
# base_url: {DEFAULT_BASE_URL}
# auth_header: bearer        # bearer | x-api-key
# api_version: "{DEFAULT_API_VERSION}"
# betas: []
# headers: {{}}
# model_aliases:
#   fast: claude-haiku-5-5
# api_key_cmd: [pass, show, anthropic/api-key]   # run without a shell; first line of stdout
# use_keyring: true
# color: auto                # auto | always | never

# default_profile: work
# profiles:
#   work:
#     base_url: https://llm-gateway.example.com/anthropic
#     api_key_cmd: [op, read, "op://Work/Anthropic/credential"]
#     headers:
#       X-Team: research
"""
