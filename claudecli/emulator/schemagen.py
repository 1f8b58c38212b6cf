"""A JSON value that satisfies a JSON Schema, made deterministically from the schema alone.

Structured outputs (`output_config.format`) and default tool inputs use it. Handled: `$ref` to
any local JSON pointer (`#`, `#/$defs/…`, `#/definitions/…`), `const`, `enum` (first value),
`default`, `allOf` (merged), `anyOf`/`oneOf` (the first option), `type` (a list: its first
non-null type; none: inferred from the other keywords), objects (the `required` properties, else
every property; `additionalProperties` for required names `properties` lacks; `minProperties`),
arrays (`prefixItems`, `items` in either form; the prefix, at least one item and `minItems`, at
most `maxItems`; distinct items under `uniqueItems`), strings (common `format`s, `minLength`,
`maxLength`, a `pattern` that one of a few candidates matches), numbers and integers (`minimum`,
`maximum`, both `exclusive*` forms, `multipleOf`), booleans and null. Ignored: `not`,
`if`/`then`/`else`, `patternProperties`, `contains`, `dependent*`; a `oneOf` whose first option
matches a second. Constraints that the official SDK moved into a `description` (as
`{minimum: 1000, minItems: 2}`, because the API does not enforce them) are followed too.

Below depth 6, objects carry only required properties and arrays only `minItems` items, so a
recursive schema ends; one that cannot (a required recursive property) raises `SchemaError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import unquote

__all__ = ["SchemaError", "sample"]

_MAX_DEPTH = 48
_SHALLOW = 6
_MAX_EXPANSIONS = 64
_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00Z",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "https://example.com/",
    "url": "https://example.com/",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "json-pointer": "/example",
    "regex": "^example$",
}
_PATTERN_TRIES = ("example", *_FORMATS.values(), "a", "A", "0", "00000", "a0", "A0", "_", "")
_OBJECT_KEYS = ("properties", "required", "additionalProperties", "minProperties")
_ARRAY_KEYS = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems")
_HINTS = re.compile(r"\{([^{}]*)\}\s*\Z")
_HINTED = frozenset(
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems",
        "maxItems", "uniqueItems", "minLength", "maxLength", "minProperties",
    }
)  # fmt: skip
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")


class SchemaError(ValueError):
    """The schema cannot be followed: an unknown `$ref`, or no finite value satisfies it."""


@dataclass(frozen=True)
class _Walk:
    root: Any
    depth: int = 0

    @property
    def shallow(self) -> bool:
        return self.depth < _SHALLOW

    def deeper(self) -> _Walk:
        if self.depth >= _MAX_DEPTH:
            raise SchemaError(f"no finite value: the schema nests deeper than {_MAX_DEPTH} levels")
        return _Walk(self.root, self.depth + 1)


def sample(schema: Any) -> Any:
    """A value valid under `schema` (draft 4 to 2020-12 keywords); raises `SchemaError`."""
    return _value(schema, _Walk(schema), 0)


def _value(schema: Any, walk: _Walk, variant: int) -> Any:
    node = _with_hints(_expand(schema, walk.root))
    if "const" in node:
        return node["const"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][variant % len(node["enum"])]
    if "default" in node and variant == 0:
        return node["default"]
    return _BY_TYPE[_type_of(node)](node, walk, variant)


# --- $ref, allOf, anyOf, oneOf ----------------------------------------------------------------


def _expand(schema: Any, root: Any) -> dict[str, Any]:
    """Follow `$ref` and fold `allOf` / the first `anyOf`/`oneOf` option into one schema."""
    node = _as_dict(schema)
    for _ in range(_MAX_EXPANSIONS):
        step = _expand_once(node, root)
        if step is None:
            return node
        node = step
    raise SchemaError("no finite value: `$ref`/`allOf` chains loop")


def _expand_once(node: dict[str, Any], root: Any) -> dict[str, Any] | None:
    if isinstance(node.get("$ref"), str):
        return _merge(_without(node, "$ref"), _as_dict(_resolve(node["$ref"], root)))
    if isinstance(node.get("allOf"), list):
        merged = _without(node, "allOf")
        for part in node["allOf"]:
            merged = _merge(merged, _expand(part, root))
        return merged
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list) and node[key]:
            return _merge(_without(node, key), _as_dict(node[key][0]))
    return None


def _as_dict(schema: Any) -> dict[str, Any]:
    if schema is False:
        raise SchemaError("no value satisfies the schema `false`")
    return schema if isinstance(schema, dict) else {}


def _without(node: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != key}


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Both schemas' keywords; `properties` and `required` are combined, not replaced."""
    merged = {**base, **extra}
    if "properties" in base and "properties" in extra:
        merged["properties"] = {**base["properties"], **extra["properties"]}
    if "required" in base and "required" in extra:
        merged["required"] = list(dict.fromkeys([*base["required"], *extra["required"]]))
    return merged


def _resolve(ref: str, root: Any) -> Any:
    """A local JSON pointer (`#/$defs/Name`); remote references are not followed."""
    if not ref.startswith("#"):
        raise SchemaError(f"$ref {ref!r}: only local references (#/...) are supported")
    target = root
    for token in filter(None, unquote(ref[1:]).split("/")):
        target = _step(target, token.replace("~1", "/").replace("~0", "~"), ref)
    return target


def _step(target: Any, token: str, ref: str) -> Any:
    if isinstance(target, dict) and token in target:
        return target[token]
    if isinstance(target, list) and token.isdigit() and int(token) < len(target):
        return target[int(token)]
    raise SchemaError(f"$ref {ref!r} does not resolve")


def _with_hints(node: dict[str, Any]) -> dict[str, Any]:
    """Constraints the SDK moved into the description (`{minimum: 1, minItems: 2}`), as a model
    reads them; a keyword the schema itself has wins."""
    found = _HINTS.search(str(node.get("description", "")))
    pairs = (pair.partition(": ") for pair in found.group(1).split(", ")) if found else ()
    hints = {key: _hint_value(value) for key, _, value in pairs if key in _HINTED}
    return {**{k: v for k, v in hints.items() if v is not None}, **node}


def _hint_value(text: str) -> float | bool | None:
    if text in ("True", "False"):
        return text == "True"
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and "." not in text else value


# --- types ------------------------------------------------------------------------------------


def _type_of(node: dict[str, Any]) -> str:
    declared = node.get("type")
    if isinstance(declared, list):
        named = [t for t in declared if t != "null"] or declared or [None]
        declared = named[0]
    if isinstance(declared, str) and declared in _BY_TYPE:
        return declared
    return _inferred_type(node)


def _inferred_type(node: dict[str, Any]) -> str:
    for kind, keys in (("object", _OBJECT_KEYS), ("array", _ARRAY_KEYS), ("number", _NUMBER_KEYS)):
        if any(key in node for key in keys):
            return kind
    return "string"


def _object(node: dict[str, Any], walk: _Walk, variant: int) -> dict[str, Any]:
    names = _names(node, walk)
    child = walk.deeper() if names else walk
    return {name: _value(_member(node, name), child, variant) for name in names}


def _names(node: dict[str, Any], walk: _Walk) -> list[str]:
    properties = _properties(node)
    required = [str(name) for name in node.get("required") or []]
    names = [p for p in properties if p in required] + [r for r in required if r not in properties]
    if "required" not in node and walk.shallow:
        names = list(properties)
    return names + _extra_names(node, names)


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    properties = node.get("properties")
    found = properties if isinstance(properties, dict) else {}
    return {name: schema for name, schema in found.items() if schema is not False}


def _extra_names(node: dict[str, Any], names: list[str]) -> list[str]:
    """Names added to reach `minProperties`: unused properties, then `property_N`."""
    missing = int(node.get("minProperties") or 0) - len(names)
    spare = [p for p in _properties(node) if p not in names]
    generated = (f"property_{n}" for n in range(1, missing + 1))
    return [*spare, *generated][: max(missing, 0)]


def _member(node: dict[str, Any], name: str) -> Any:
    properties = _properties(node)
    if name in properties:
        return properties[name]
    extra = node.get("additionalProperties", {})
    return extra if extra is not True else {}


def _array(node: dict[str, Any], walk: _Walk, variant: int) -> list[Any]:
    count = _item_count(node, walk)
    child = walk.deeper() if count else walk
    unique = bool(node.get("uniqueItems"))
    return [
        _value(_item_schema(node, i), child, variant + i if unique else variant)
        for i in range(count)
    ]


def _prefix(node: dict[str, Any]) -> list[Any]:
    prefix = node.get("prefixItems", node.get("items"))
    return prefix if isinstance(prefix, list) else []


def _rest(node: dict[str, Any]) -> Any:
    """The schema of items after the prefix (False: none allowed)."""
    if isinstance(node.get("items"), list):
        return node.get("additionalItems", True)
    return node.get("items", True)


def _item_count(node: dict[str, Any], walk: _Walk) -> int:
    low = int(node.get("minItems") or 0)
    count = max(low, len(_prefix(node)), 1) if walk.shallow else low
    if _rest(node) is False:
        count = min(count, max(low, len(_prefix(node))))
    high = node.get("maxItems")
    return min(count, int(high)) if isinstance(high, int) else count


def _item_schema(node: dict[str, Any], index: int) -> Any:
    prefix = _prefix(node)
    return prefix[index] if index < len(prefix) else _rest(node)


def _string(node: dict[str, Any], _walk: _Walk, variant: int) -> str:
    known = _FORMATS.get(str(node.get("format")))
    base = known or ("example" if variant == 0 else f"example-{variant}")
    pattern = node.get("pattern")
    if isinstance(pattern, str) and not _matches(pattern, base):
        base = next((c for c in _PATTERN_TRIES if _matches(pattern, c)), base)
    return _fit_length(base, node)


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True  # an ECMA-only pattern Python cannot read: keep the plain candidate


def _fit_length(text: str, node: dict[str, Any]) -> str:
    low, high = node.get("minLength"), node.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "x" * (low - len(text))
    return text[:high] if isinstance(high, int) else text


def _boolean(_node: dict[str, Any], _walk: _Walk, variant: int) -> bool:
    return variant % 2 == 0


def _null(_node: dict[str, Any], _walk: _Walk, _variant: int) -> None:
    return None


# --- numbers ----------------------------------------------------------------------------------


def _integer(node: dict[str, Any], _walk: _Walk, variant: int) -> int:
    for candidate in _candidates(node, 1, variant):
        for whole in (math.ceil(candidate), math.floor(candidate)):
            if _fits(whole, node):
                return int(whole)
    raise SchemaError("no integer satisfies minimum/maximum/multipleOf")


def _number(node: dict[str, Any], _walk: _Walk, variant: int) -> float:
    for candidate in _candidates(node, 1.5, variant):
        if _fits(candidate, node):
            return candidate
    raise SchemaError("no number satisfies minimum/maximum/multipleOf")


def _bounds(node: dict[str, Any]) -> list[float]:
    values = [node.get(key) for key in _NUMBER_KEYS[:4]]
    return [float(v) for v in values if _is_number(v)]


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _candidates(node: dict[str, Any], start: float, shift: int) -> Iterator[float]:
    """The preferred value, the bounds, next to and between them (each `shift` up first, for
    distinct items); multiples of `multipleOf` near them."""
    bounds = _bounds(node)
    plain = [start, *bounds, *(b + d for b in bounds for d in (1, -1)), 0.0]
    if len(bounds) >= 2:
        plain.append((min(bounds) + max(bounds)) / 2)
    plain = [c + shift for c in plain] + plain if shift else plain
    step = node.get("multipleOf")
    if not _is_number(step) or step <= 0:
        yield from plain
        return
    yield from (k * step for c in plain for k in (math.ceil(c / step), math.floor(c / step)))
    yield float(step)


_LIMITS: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
    ("minimum", lambda value, limit: value >= limit),
    ("maximum", lambda value, limit: value <= limit),
    ("exclusiveMinimum", lambda value, limit: value > limit),
    ("exclusiveMaximum", lambda value, limit: value < limit),
)


def _fits(value: float, node: dict[str, Any]) -> bool:
    """The checks a validator makes (draft 4's boolean `exclusive*` included)."""
    for key, within in _LIMITS:
        limit = node.get(key)
        if _is_number(limit) and not within(value, limit):
            return False
    return _draft4_exclusive(value, node) and _multiple(value, node.get("multipleOf"))


def _draft4_exclusive(value: float, node: dict[str, Any]) -> bool:
    if node.get("exclusiveMinimum") is True and value == node.get("minimum"):
        return False
    return not (node.get("exclusiveMaximum") is True and value == node.get("maximum"))


def _multiple(value: float, step: Any) -> bool:
    if not _is_number(step) or step <= 0:
        return True
    if isinstance(step, float):
        quotient = value / step
        return math.isfinite(quotient) and int(quotient) == quotient
    return value % step == 0


_BY_TYPE: dict[str, Callable[[dict[str, Any], _Walk, int], Any]] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
    "null": _null,
}
