"""The YAML reader: `config.yaml` → a validated `ConfigFile`. The only module that imports yaml.

`config.yaml` holds top-level settings, `default_profile: NAME` and `profiles: {NAME: {...}}`
(any setting; a profile named `default` applies when no profile is selected). It is read with
PyYAML's safe composer only, validated against `claudecli.config.schema`, and every error names
`config.yaml:line:col`. Unknown keys, duplicate keys and a group/world-readable file that holds a
secret-looking value are returned as warnings (strings); this module never prints. YAML merge keys
(`<<: *anchor`) work, and top-level keys starting with `x-` are ignored so they can hold anchors.
Keys themselves are never read from the file (see `claudecli.credentials`).

How: PyYAML composes the text into a node tree with its safe loader (nothing is constructed
from tags, so nothing can run); a tag outside the standard `tag:yaml.org,2002:` namespace, and
`!!python/...` by name, is refused before any value is read; scalars are then built one by one
with `SafeConstructor`, so each value keeps the node, and so the line and column, it came from.
A plain scalar that YAML 1.1 reads as something other than the string the user meant (`no`,
`off`, `1:30`, an empty value) gets a "quote it" hint. A file over 1 MiB is refused;
`/dev/null` reads as an empty file. PyYAML is imported only when a file is parsed.

Entry points: `read_config(path)` (a missing file is an empty `ConfigFile`), `parse_config(text)`,
and `default_config_text()`, the commented starter file `config edit` writes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeAlias

from claudecli import paths
from claudecli.client import DEFAULT_API_VERSION, DEFAULT_BASE_URL
from claudecli.errors import ConfigError

from .schema import (
    DEFAULT_MODEL,
    DEFAULT_PROFILE,
    MIN_THINKING_BUDGET,
    SPECS,
    Invalid,
    Nested,
    check,
    is_secret_name,
    looks_like_key,
    suggest,
    type_name,
)

if TYPE_CHECKING:
    from yaml.error import Mark, MarkedYAMLError
    from yaml.nodes import Node

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_NODES",
    "ConfigFile",
    "Entry",
    "Profile",
    "YamlDocument",
    "default_config_text",
    "parse_config",
    "parse_yaml_document",
    "read_config",
]

MAX_CONFIG_BYTES: Final = 1024 * 1024
MAX_NODES: Final = 100_000
_TOP_LEVEL_ONLY: Final = ("default_profile", "profiles")
_SCRATCH_PREFIX: Final = "x-"  # top-level keys for YAML anchors, ignored (docker-compose style)
_KEY_NAMES: Final = ("api_key", "apikey", "key", "token", "auth_token", "secret", "password")


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


def read_config(target: Path) -> ConfigFile:
    """Read and validate the config file at `target`.

    A missing file gives an empty `ConfigFile`; anything wrong with it raises `ConfigError`.
    """
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
            kind = "list" if _kind(node) == "sequence" else type_name(self.scalar(node))
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
            return Nested("list" if _kind(node) == "sequence" else "mapping")
        if node.tag == _STR_TAG:
            return str(node.value)
        try:
            return self._constructor.construct_object(node, deep=True)
        except Exception:  # untrusted input: any constructor failure is a config error
            short = node.tag.removeprefix(_STD_TAG)
            shown = _clip(str(node.value))
            raise ConfigError(f"{self.where(node)}: invalid {short} value {shown!r}") from None

    def python_value(self, node: Node) -> object:
        """A setting's value, one level deep: deeper structure becomes `Nested` markers."""
        if _kind(node) == "sequence":
            return [self.scalar(item) for item in node.value]
        if _kind(node) == "mapping":
            return {key: self.scalar(pair[1]) for key, pair in self.flat(node).items()}
        return self.scalar(node)

    def locate(self, node: Node, item: int | str | tuple[int | str, ...] | None) -> Node:
        if isinstance(item, tuple):  # a path: tools.allow[2] is ("allow", 2)
            for step in item:
                node = self.locate(node, step)
            return node
        if isinstance(item, int) and _kind(node) == "sequence":
            return node.value[item]  # type: ignore[no-any-return]
        if isinstance(item, str) and _kind(node) == "mapping":
            return self.flat(node)[item][1]
        return node

    def invalid(self, node: Node, error: Invalid) -> ConfigError:
        bad = self.locate(node, error.item)
        hint = _trap_hint(bad, self.scalar(bad)) if error.wants_str else ""
        return ConfigError(f"{self.where(bad)}: {error.message}{hint}")

    # -- settings and profiles --------------------------------------------------------------

    def read_settings(
        self, pairs: Mapping[str, tuple[Node, Node]], *, label: str, top_level: bool
    ) -> dict[str, Entry]:
        settings: dict[str, Entry] = {}
        for key, (key_node, value_node) in pairs.items():
            if key in SPECS:
                settings[key] = self.read_setting(key, key_node, value_node, label)
            else:
                self.unknown_key(key, key_node, value_node, label, top_level)
        return settings

    def deep_value(self, node: Node, depth: int) -> object:
        """Like `python_value`, `depth` levels deep (roles: name -> setting -> list item)."""
        if depth <= 0 or _kind(node) == "scalar":
            return self.scalar(node)
        if _kind(node) == "sequence":
            return [self.deep_value(item, depth - 1) for item in node.value]
        return {key: self.deep_value(pair[1], depth - 1) for key, pair in self.flat(node).items()}

    def read_setting(self, key: str, key_node: Node, value_node: Node, label: str) -> Entry:
        deep = SPECS[key].kind in ("roles", "rules")
        raw = self.deep_value(value_node, 3) if deep else self.python_value(value_node)
        try:
            value = check(label + key, SPECS[key], raw)
        except Invalid as error:
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
                if is_secret_name(key) or looks_like_key(item):
                    self.secrets.append(f"{label}.{key}")
        elif isinstance(value, str | tuple) and any(
            looks_like_key(part) for part in _strings(value)
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
        valid = list(SPECS) + (list(_TOP_LEVEL_ONLY) if top else [])
        hint = "" if key in _TOP_LEVEL_ONLY else suggest(key, valid)  # not 'roles' for 'profiles'
        self.warn(key_node, f"unknown setting '{label}{key}'{hint}; ignored")

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
            message = f"default_profile must be a profile name, got {type_name(value)}"
            raise ConfigError(f"{self.where(value_node)}: {message}{_trap_hint(value_node, value)}")
        if value not in profiles and value != DEFAULT_PROFILE:
            hint = suggest(value, list(profiles))
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
    if isinstance(value, str | Nested):
        return ""
    if value is None and not node.value:
        return " (the value is empty)"
    return f" (YAML reads `{_clip(str(node.value))}` as {_yaml_reading(value)}; quote it)"


def _yaml_reading(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    return type_name(value)


def _kind(node: Node) -> str:
    """ "scalar", "sequence" or "mapping" (the node class's `id`)."""
    return str(getattr(node, "id", ""))


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


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
# roles:                     # `--role reviewer` (ask, chat) or `/role reviewer` in chat
#   reviewer:
#     system: You are a terse code reviewer.
#     model: opus
#     effort: high           # also: thinking, cache, cache_ttl
# tools:                     # approval rules for `tools run` (below the tools file and flags)
#   allow: [read_file, "run_command(git status)"]
#   deny: ["run_command(rm *)"]   # a deny rule wins wherever it comes from

# default_profile: work
# profiles:
#   work:
#     base_url: https://llm-gateway.example.com/anthropic
#     api_key_cmd: [op, read, "op://Work/Anthropic/credential"]
#     headers:
#       X-Team: research
"""


# --- arbitrary documents (the `tools run` tools file) ---------------------------------------

Path_: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A YAML document as plain values, with the line and column where each value starts."""

    name: str
    value: object
    marks: Mapping[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_ = ()) -> str:
        """`name:line:col` of the value at `path` (or of its closest parent that has one)."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return f"{self.name}:{mark[0]}:{mark[1]}"
        return self.name


def parse_yaml_document(text: str, *, name: str) -> YamlDocument:
    """Any YAML document, read safely as in `parse_config` (standard tags only, no merge keys,
    string keys); every error is `ConfigError("name:line:col: …")`."""
    root = _compose(text, name)
    if root is None:
        return YamlDocument(name, None)
    _reject_unsafe_tags(root, name)
    return _DocumentReader(name).read(root)


class _DocumentReader:
    def __init__(self, name: str) -> None:
        from yaml.constructor import SafeConstructor

        self.name = name
        self.marks: dict[Path_, tuple[int, int]] = {}
        self._constructor = SafeConstructor()
        self._active: set[int] = set()

    def read(self, root: Node) -> YamlDocument:
        return YamlDocument(self.name, self.value(root, ()), MappingProxyType(self.marks))

    def value(self, node: Node, path: Path_) -> object:
        mark = node.start_mark
        self.marks[path] = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        if id(node) in self._active:
            raise ConfigError(f"{_position(self.name, mark)}: a recursive alias")
        self._active.add(id(node))
        try:
            return self.build(node, path)
        finally:
            self._active.discard(id(node))

    def build(self, node: Node, path: Path_) -> object:
        if _kind(node) == "sequence":
            return [self.value(item, (*path, index)) for index, item in enumerate(node.value)]
        if _kind(node) == "mapping":
            return {key: self.value(value, (*path, key)) for key, value in self.pairs(node)}
        if node.tag == _STR_TAG:
            return str(node.value)
        try:
            return self._constructor.construct_object(node, deep=True)
        except Exception:  # untrusted input: any constructor failure is an input error
            where = _position(self.name, node.start_mark)
            short = node.tag.removeprefix(_STD_TAG)
            shown = _clip(str(node.value))
            raise ConfigError(f"{where}: invalid {short} value {shown!r}") from None

    def pairs(self, node: Node) -> list[tuple[str, Node]]:
        pairs: dict[str, Node] = {}
        for key_node, value_node in node.value:
            where = _position(self.name, key_node.start_mark)
            if key_node.tag == _MERGE_TAG:
                raise ConfigError(f"{where}: merge keys (<<) are not supported here")
            if _kind(key_node) != "scalar" or key_node.tag != _STR_TAG:
                raise ConfigError(f"{where}: keys must be strings")
            if key_node.value in pairs:
                raise ConfigError(f"{where}: duplicate key {key_node.value!r}")
            pairs[key_node.value] = value_node
        return list(pairs.items())
