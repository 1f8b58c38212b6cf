"""The settings schema: the `Settings` dataclass, its defaults, and one `Spec` per field.

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
* provider: "anthropic" — anthropic (the API, or a gateway at base_url) | bedrock | vertex.
* messages_path: "/v1/messages" — where a gateway serves the Messages API (e.g. /messages);
  count_tokens and batches follow it.
* aws_region: None — Bedrock's region (env AWS_REGION, AWS_DEFAULT_REGION; else the AWS profile's).
* aws_profile: None — the AWS profile for Bedrock's credentials (env AWS_PROFILE).
* bedrock_base_url: None — Bedrock endpoint (env ANTHROPIC_BEDROCK_BASE_URL); None: the region's.
* bedrock_inference_profile: None — us|eu|apac|jp|au|us-gov|global|none: the inference profile
  prefix for aliased model ids; None: the region's geography (us-east-1 → us.).
* vertex_project: None — Google Cloud project (env ANTHROPIC_VERTEX_PROJECT_ID; else ADC's).
* vertex_region: None — Vertex location, e.g. us-east5 or global (env CLOUD_ML_REGION).
* vertex_base_url: None — Vertex endpoint (env ANTHROPIC_VERTEX_BASE_URL); None: the region's.
* api_version: "2026-10-21" — the anthropic-version header.
* betas: () — anthropic-beta values.
* headers: {} — extra request headers (names compared case-insensitively when merging).
* model_aliases: opus/sonnet/haiku → the 5.5 ids — alias → model id.
* api_key_cmd: None — argv run without a shell whose first stdout line is the API key; a string
  is split with shlex.
* api_key_cmd_timeout: 10.0 — seconds api_key_cmd may take.
* use_keyring: True — look the key up in the OS keyring.
* color: "auto" — auto|always|never.
* history: True — record every `ask` turn in the conversation store (`--no-history` per run).
* keep_attachments: "bytes" — bytes|reference: the store keeps attachment bytes (once each), or
  only their path and hash (a changed or vanished file is reported when continued).
* roles: {} — saved roles for `--role NAME` and `/role NAME`: name → a mapping of `system`,
  `model`, `thinking`, `effort`, `cache` (true, false or cache modes) and `cache_ttl`, each
  checked as the setting (or flag) of that name. Profiles add roles (merged by name).
* tools: {} — approval rules for `tools run`: `allow`, `ask`, `deny` → lists of rules, each a
  tool name (globs allowed) or NAME(argv prefix), e.g. `run_command(git status)`. Below the tools
  file and the flags; a deny rule wins wherever it comes from. A profile's list replaces the
  top level's list of the same name.

Every spec says how a value is typed and validated; the same `check()` serves the file, the
environment and flags (`claudecli.config.yaml_file`, `claudecli.config.resolve`), so a value
means the same wherever it comes from. `check()` raises `Invalid` without a position; the
caller adds the position (`config.yaml:3:8`, `env CLAUDECLI_MODEL`, `--model`). The secret
rules (`is_secret_name`, `looks_like_key`, `mask_url`) live here too: the reader warns about
secrets in a readable file, resolution warns about an http:// URL, `config show` masks them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, get_args

from claudecli.client import DEFAULT_API_VERSION, DEFAULT_BASE_URL, Provider

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_MODEL_ALIASES",
    "DEFAULT_PROFILE",
    "MIN_THINKING_BUDGET",
    "ROLE_KEYS",
    "SPECS",
    "TOOL_RULE_KEYS",
    "AuthHeader",
    "CacheTTL",
    "ColorMode",
    "Effort",
    "Invalid",
    "Kind",
    "Nested",
    "Settings",
    "Spec",
    "Thinking",
    "check",
    "frozen_map",
    "is_secret_name",
    "looks_like_key",
    "mask_url",
    "split_tool_rule",
    "suggest",
    "type_name",
]

DEFAULT_MODEL: Final = "claude-sonnet-5-5"
DEFAULT_PROFILE: Final = "default"
DEFAULT_MODEL_ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {"opus": "claude-opus-5-5", "sonnet": "claude-sonnet-5-5", "haiku": "claude-haiku-5-5"}
)
MIN_THINKING_BUDGET: Final = 1024

Thinking = Literal["adaptive", "off"] | int
AuthHeader = Literal["bearer", "x-api-key"]
ProviderName = Provider  # the client's list of providers, the one spelling of it
ColorMode = Literal["auto", "always", "never"]
KeepAttachments = Literal["bytes", "reference"]
Effort = Literal["low", "medium", "high", "xhigh", "max"]
CacheTTL = Literal["5m", "1h"]


def frozen_map(items: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """A read-only copy of `items` (settings are frozen, mappings included)."""
    return MappingProxyType(dict(items or {}))


def _default_aliases() -> Mapping[str, str]:
    return frozen_map(DEFAULT_MODEL_ALIASES)


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
    provider: ProviderName = "anthropic"
    messages_path: str = "/v1/messages"
    aws_region: str | None = None
    aws_profile: str | None = None
    bedrock_base_url: str | None = None
    bedrock_inference_profile: str | None = None
    vertex_project: str | None = None
    vertex_region: str | None = None
    vertex_base_url: str | None = None
    api_version: str = DEFAULT_API_VERSION
    betas: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=frozen_map, hash=False)
    model_aliases: Mapping[str, str] = field(default_factory=_default_aliases, hash=False)
    api_key_cmd: tuple[str, ...] | None = None
    api_key_cmd_timeout: float = 10.0
    use_keyring: bool = True
    color: ColorMode = "auto"
    history: bool = True
    keep_attachments: KeepAttachments = "bytes"
    roles: Mapping[str, Mapping[str, object]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    tools: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def resolve_model(self, name: str | None = None) -> str:
        """The model id for `name` (default: `self.model`), expanding an alias."""
        wanted = self.model if name is None else name
        return self.model_aliases.get(wanted, wanted)


# --------------------------------------------------------------------------------------------
# One spec per setting, used for the file, the environment and flags alike.
# --------------------------------------------------------------------------------------------

Kind = Literal["str", "int", "float", "bool", "thinking", "list", "map", "argv", "roles", "rules"]


class Spec:
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


_TIMEOUT = Spec("float", minimum=0.0, above_minimum=True)


def _optional(*env: str) -> Spec:
    """An optional string read from `env` (the SDK's variables after our own)."""
    return Spec("str", optional=True, env=env)


SPECS: Final[Mapping[str, Spec]] = MappingProxyType(
    {
        "model": Spec("str", env=("CLAUDECLI_MODEL", "ANTHROPIC_MODEL")),
        "max_tokens": Spec("int", optional=True, minimum=1),
        "thinking": Spec("thinking"),
        "effort": Spec("str", choices=("low", "medium", "high", "xhigh", "max"), optional=True),
        "cache": Spec("bool"),
        "cache_ttl": Spec("str", choices=("5m", "1h")),
        "max_retries": Spec("int", minimum=0),
        "retry_max_wait": Spec("float", minimum=0.0),
        "connect_timeout": _TIMEOUT,
        "idle_timeout": _TIMEOUT,
        "no_content_timeout": Spec("float", optional=True, minimum=0.0, above_minimum=True),
        "total_timeout": Spec("float", optional=True, minimum=0.0, above_minimum=True),
        "base_url": Spec("str", env=("CLAUDECLI_BASE_URL", "ANTHROPIC_BASE_URL")),
        "auth_header": Spec("str", choices=("bearer", "x-api-key")),
        "provider": Spec("str", choices=get_args(Provider)),
        "messages_path": Spec("str"),
        "aws_region": _optional("CLAUDECLI_AWS_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
        "aws_profile": _optional("CLAUDECLI_AWS_PROFILE", "AWS_PROFILE"),
        "bedrock_base_url": _optional("CLAUDECLI_BEDROCK_BASE_URL", "ANTHROPIC_BEDROCK_BASE_URL"),
        "bedrock_inference_profile": Spec(
            "str",
            optional=True,
            choices=("us", "eu", "apac", "jp", "au", "us-gov", "global", "none"),
        ),
        "vertex_project": _optional("CLAUDECLI_VERTEX_PROJECT", "ANTHROPIC_VERTEX_PROJECT_ID"),
        "vertex_region": _optional("CLAUDECLI_VERTEX_REGION", "CLOUD_ML_REGION"),
        "vertex_base_url": _optional("CLAUDECLI_VERTEX_BASE_URL", "ANTHROPIC_VERTEX_BASE_URL"),
        "api_version": Spec("str"),
        "betas": Spec("list"),
        "headers": Spec("map", env=("ANTHROPIC_CUSTOM_HEADERS",)),
        "model_aliases": Spec("map", env=()),
        "api_key_cmd": Spec("argv", optional=True),
        "api_key_cmd_timeout": _TIMEOUT,
        "use_keyring": Spec("bool"),
        "color": Spec(
            "str",
            choices=("auto", "always", "never"),
            env=("CLAUDECLI_COLOR", "NO_COLOR", "FORCE_COLOR"),
        ),
        "history": Spec("bool"),
        "keep_attachments": Spec("str", choices=("bytes", "reference")),
        "roles": Spec("roles", env=()),
        "tools": Spec("rules", env=()),
    }
)
ROLE_KEYS: Final = ("system", "model", "thinking", "effort", "cache", "cache_ttl")
CACHE_MODES: Final = ("system", "attachments", "prompt", "auto", "off")
TOOL_RULE_KEYS: Final = ("allow", "ask", "deny")


class Invalid(Exception):
    """A value failed validation; `item` locates the bad list index / mapping key."""

    def __init__(
        self,
        message: str,
        *,
        item: int | str | tuple[int | str, ...] | None = None,
        wants_str: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.item = item
        self.wants_str = wants_str


class Nested:
    """Stands in for a list or mapping found where only a scalar may be."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, Nested):
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


def suggest(word: str, candidates: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check(name: str, spec: Spec, value: object) -> object:
    """Validate and normalise one setting value (from YAML, the environment or a flag)."""
    if value is None:
        if spec.optional:
            return None
        if spec.kind in ("list", "map", "roles", "rules"):
            return () if spec.kind == "list" else frozen_map()
        raise Invalid(f"{name} must be {_describe(spec)}, got null", wants_str=spec.kind == "str")
    return _CHECKERS[spec.kind](name, spec, value)


def _describe(spec: Spec) -> str:
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
        "roles": "a mapping of role names to role settings",
        "rules": "a mapping of allow, ask and deny to lists of tool rules",
    }
    return described[spec.kind]


def _wrong_type(name: str, spec: Spec, value: object) -> Invalid:
    wants_str = spec.kind in ("str", "thinking")
    return Invalid(f"{name} must be {_describe(spec)}, got {type_name(value)}", wants_str=wants_str)


def _check_str(name: str, spec: Spec, value: object) -> str:
    if not isinstance(value, str):
        raise _wrong_type(name, spec, value)
    if spec.choices and value not in spec.choices:
        hint = suggest(value, spec.choices)
        raise Invalid(f"{name} must be {_describe(spec)}, got {value!r}{hint}")
    if not value.strip():
        raise Invalid(f"{name} must not be empty")
    if name.endswith("messages_path"):
        return _check_path(name, value)
    return _check_url(name, value) if name.endswith("base_url") else value


def _check_path(name: str, value: str) -> str:
    import re

    if not re.fullmatch(r"(/[A-Za-z0-9._~%-]+)+", value.rstrip("/") or "/"):
        raise Invalid(f"{name} must be a URL path such as /v1/messages or /messages, got {value!r}")
    return value.rstrip("/")


def _check_url(name: str, value: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{name} must be an http(s) URL, got {value!r}")
    return value.rstrip("/")


def _check_number(name: str, spec: Spec, value: object) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type(name, spec, value)
    if spec.kind == "int" and not isinstance(value, int):
        raise _wrong_type(name, spec, value)
    number: int | float = value if spec.kind == "int" else float(value)
    if not math.isfinite(number):
        raise Invalid(f"{name} must be a finite number, got {number}")
    _check_minimum(name, spec, number)
    return number


def _check_minimum(name: str, spec: Spec, number: float) -> None:
    low = spec.minimum
    if low is None:
        return
    if number < low or (spec.above_minimum and number == low):
        raise Invalid(f"{name} must be {_describe(spec)}, got {number:g}")


def _check_bool(name: str, spec: Spec, value: object) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(name, spec, value)
    return value


def _check_thinking(name: str, spec: Spec, value: object) -> Thinking:
    if value is False or value == "off":
        return "off"
    if value == "adaptive":
        return "adaptive"
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, str):
        hint = suggest(value, ("adaptive", "off"))
        raise Invalid(f"{name} must be {_describe(spec)}, got {value!r}{hint}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(name, spec, value)
    if value < MIN_THINKING_BUDGET:
        raise Invalid(f"{name} budget must be ≥ {MIN_THINKING_BUDGET} tokens, got {value}")
    return value


def _check_list(name: str, spec: Spec, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if not isinstance(value, list | tuple):
        raise _wrong_type(name, spec, value)
    for index, item in enumerate(value):
        _check_list_item(name, index, item)
    return tuple(value)


def _check_list_item(name: str, index: int, item: object) -> None:
    if not isinstance(item, str):
        message = f"{name}[{index}] must be a string, got {type_name(item)}"
        raise Invalid(message, item=index, wants_str=True)
    if not item.strip():
        raise Invalid(f"{name}[{index}] must not be empty", item=index)


def _check_map(name: str, spec: Spec, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise _wrong_type(name, spec, value)
    is_headers = name.endswith("headers")
    for key, item in value.items():
        _check_map_item(name, key, item, is_headers)
    return frozen_map(value)


def _check_map_item(name: str, key: object, item: object, is_headers: bool) -> None:
    import re

    if not isinstance(key, str) or not key:
        raise Invalid(f"{name} keys must be non-empty strings")
    if not isinstance(item, str):
        message = f"{name}.{key} must be a string, got {type_name(item)}"
        raise Invalid(message, item=key, wants_str=True)
    if is_headers and not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", key):
        raise Invalid(f"{name}: {key!r} is not a valid header name", item=key)
    if any(char in item for char in "\r\n\0"):
        raise Invalid(f"{name}.{key} must not contain line breaks or NUL", item=key)


def _check_argv(name: str, spec: Spec, value: object) -> tuple[str, ...]:
    import shlex

    if isinstance(value, str):
        try:
            value = shlex.split(value)
        except ValueError as error:
            raise Invalid(f"{name} is not a valid command line ({error})") from None
    argv = _check_list(name, spec, value)
    if not argv:
        raise Invalid(f"{name} must not be empty (use null for no command)")
    return argv


def _check_roles(name: str, spec: Spec, value: object) -> Mapping[str, Mapping[str, object]]:
    """name -> {system, model, thinking, effort, cache, cache_ttl}, each value checked."""
    if not isinstance(value, Mapping):
        raise _wrong_type(name, spec, value)
    roles: dict[str, Mapping[str, object]] = {}
    for role, body in value.items():
        if not isinstance(role, str) or not role.strip():
            raise Invalid(f"{name}: role names must be non-empty strings")
        roles[role] = _check_role(f"{name}.{role}", role, body)
    return MappingProxyType(roles)


def _check_role(label: str, role: str, body: object) -> Mapping[str, object]:
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise Invalid(
            f"{label} must be a mapping of role settings, got {type_name(body)}", item=role
        )
    checked: dict[str, object] = {}
    for key, item in body.items():
        if key not in ROLE_KEYS:
            hint = suggest(str(key), ROLE_KEYS)
            known = ", ".join(ROLE_KEYS)
            raise Invalid(f"{label}: unknown role setting {key!r}{hint}; known: {known}", item=role)
        checked[key] = _check_role_value(f"{label}.{key}", role, key, item)
    return MappingProxyType(checked)


def _check_role_value(label: str, role: str, key: str, item: object) -> object:
    try:
        if key == "system":
            return _check_str(label, Spec("str"), item)
        if key == "cache":
            return _check_role_cache(label, item)
        return check(label, SPECS[key], item)
    except Invalid as error:
        raise Invalid(error.message, item=role, wants_str=error.wants_str) from None


def _check_role_cache(label: str, item: object) -> tuple[str, ...]:
    """true -> (auto,), false -> (off,), else cache modes (a list or a comma-separated string)."""
    if isinstance(item, bool):
        return ("auto",) if item else ("off",)
    modes = _check_list(label, Spec("list"), item)
    for mode in modes:
        if mode not in CACHE_MODES:
            hint = suggest(mode, CACHE_MODES)
            known = ", ".join(CACHE_MODES)
            raise Invalid(
                f"{label} must be true, false or cache modes ({known}), got {mode!r}{hint}"
            )
    return modes


def _check_tool_rules(name: str, spec: Spec, value: object) -> Mapping[str, tuple[str, ...]]:
    """{allow, ask, deny} -> rules (`read_file`, `mcp__files__*`, `run_command(git status)`)."""
    if not isinstance(value, Mapping):
        raise _wrong_type(name, spec, value)
    checked: dict[str, tuple[str, ...]] = {}
    for key, rules in value.items():
        if key not in TOOL_RULE_KEYS:
            hint = suggest(str(key), TOOL_RULE_KEYS)
            raise Invalid(f"{name}: unknown key {key!r}{hint}; known: allow, ask, deny", item=key)
        checked[key] = _check_rule_list(f"{name}.{key}", key, rules)
    return MappingProxyType(checked)


def _check_rule_list(label: str, key: str, rules: object) -> tuple[str, ...]:
    if rules is None:
        return ()
    if not isinstance(rules, list | tuple):
        message = f"{label} must be a list of tool rules, got {type_name(rules)}"
        raise Invalid(message, item=key)
    for index, rule in enumerate(rules):
        try:
            _check_list_item(label, index, rule)
            split_tool_rule(str(rule))
        except ValueError as error:
            raise Invalid(f"{label}[{index}]: {error}", item=(key, index)) from None
        except Invalid as error:
            raise Invalid(error.message, item=(key, index), wants_str=error.wants_str) from None
    return tuple(rules)


def split_tool_rule(text: str) -> tuple[str, tuple[str, ...] | None]:
    """`NAME` or `NAME(argv prefix)` -> (name, argv words or None); ValueError with a reason.
    The one parser of the rule syntax (tools file, flags and settings alike)."""
    import shlex

    text = text.strip()
    name, paren, rest = text.partition("(")
    if not name.strip():
        raise ValueError(f"{text!r}: a rule is a tool name, or NAME(argv prefix)")
    if not paren:
        return name.strip(), None
    if not rest.endswith(")"):
        raise ValueError(f"{text!r}: the argv prefix must end with ')'")
    try:
        words = tuple(shlex.split(rest[:-1]))
    except ValueError as error:
        raise ValueError(f"{text!r}: {error}") from None
    if not words:
        raise ValueError(f"{text!r}: an empty argv prefix; write just {name.strip()}")
    return name.strip(), words


_CHECKERS: Final[Mapping[str, Callable[[str, Spec, object], object]]] = MappingProxyType(
    {
        "str": _check_str,
        "int": _check_number,
        "float": _check_number,
        "bool": _check_bool,
        "thinking": _check_thinking,
        "list": _check_list,
        "map": _check_map,
        "argv": _check_argv,
        "roles": _check_roles,
        "rules": _check_tool_rules,
    }
)


# --------------------------------------------------------------------------------------------
# Secret-looking names and values.
# --------------------------------------------------------------------------------------------


def is_secret_name(name: str) -> bool:
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


def looks_like_key(value: object) -> bool:
    return isinstance(value, str) and "sk-ant-" in value


def mask_url(url: str) -> str:
    """Hide a password in `https://user:password@host/`."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":…@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
