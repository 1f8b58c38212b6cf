"""`schemagen.sample`: a value valid under the schema (jsonschema is the judge), or SchemaError."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from claudecli.emulator.schemagen import SchemaError, sample

DRAFT4 = "http://json-schema.org/draft-04/schema#"
POINT = {
    "type": "object",
    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
    "required": ["x", "y"],
    "additionalProperties": False,
}
TREE = {
    "$defs": {
        "node": {
            "type": "object",
            "properties": {
                "value": {"type": "integer"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            },
        }
    },
    "$ref": "#/$defs/node",
}
SCHEMAS: dict[str, Any] = {
    "required integer": {"type": "object", "properties": {"a": {"type": "integer"}}},
    "string lengths": {"type": "string", "minLength": 12, "maxLength": 12},
    "formats": {
        "type": "array",
        "prefixItems": [
            {"type": "string", "format": name}
            for name in ("date-time", "date", "time", "email", "uri", "ipv4", "ipv6", "uuid")
        ],
    },
    "pattern": {"type": "string", "pattern": "^[0-9]+$"},
    "integer range": {"type": "integer", "minimum": 18, "maximum": 20},
    "negative multiple": {"type": "integer", "multipleOf": 3, "minimum": -10, "maximum": -4},
    "exclusive number": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "float multiple": {"type": "number", "multipleOf": 0.1, "minimum": 0.25},
    "draft 4 exclusive": {
        "$schema": DRAFT4, "type": "number", "minimum": 5, "exclusiveMinimum": True, "maximum": 6,
    },
    "enum and const": {
        "type": "object",
        "properties": {"kind": {"enum": ["x", "y"]}, "c": {"const": 7}},
        "required": ["kind", "c"],
    },
    "boolean and null": {"type": "array", "prefixItems": [{"type": "boolean"}, {"type": "null"}]},
    "nullable type list": {"type": ["null", "integer"], "maximum": -3},
    "anyOf": {"anyOf": [{"type": "integer", "multipleOf": 7, "minimum": 10}, {"type": "string"}]},
    "oneOf": {"oneOf": [POINT, {"type": "null"}]},
    "allOf": {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"type": "integer", "exclusiveMinimum": 5}}, "required": ["b"]},
        ]
    },
    "$defs and definitions": {
        "type": "array",
        "items": {"$ref": "#/definitions/point"},
        "minItems": 3,
        "definitions": {"point": {"$ref": "#/$defs/point"}},
        "$defs": {"point": POINT},
    },
    "recursive, not required": TREE,
    "closed tuple": {"type": "array", "prefixItems": [{"type": "integer"}], "items": False},
    "draft 4 tuple": {"$schema": DRAFT4, "type": "array", "items": [{}, {"type": "integer"}]},
    "unique enums": {
        "type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3, "uniqueItems": True,
    },
    "unique objects": {"type": "array", "items": POINT, "minItems": 3, "uniqueItems": True},
    "min properties": {
        "type": "object", "minProperties": 2, "additionalProperties": {"type": "integer"},
    },
    "nested": {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "array", "items": POINT}}},
        },
        "required": ["a"],
    },
    "empty": {},
    "true": True,
}  # fmt: skip


@pytest.mark.parametrize("schema", SCHEMAS.values(), ids=SCHEMAS.keys())
def test_the_sample_is_valid(schema: Any) -> None:
    value = sample(schema)
    jsonschema.validators.validator_for(schema)(schema).validate(value)
    assert sample(schema) == value  # deterministic


def test_arrays_get_an_item_and_objects_their_required_properties() -> None:
    schema = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"type": "string"}}, "n": {}},
        "required": ["tags"],
    }
    assert sample(schema) == {"tags": ["example"]}


def test_constraints_the_sdk_moved_into_the_description_are_followed() -> None:
    schema = {
        "type": "array",
        "items": {"type": "integer", "description": "people\n\n{minimum: 1000}"},
        "description": "{minItems: 2, uniqueItems: True}",
    }
    assert sample(schema) == [1000, 1001]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"$ref": "#/$defs/nope"}, "does not resolve"),
        ({"$ref": "https://example.com/s.json"}, "only local references"),
        ({"$ref": "#"}, "loop"),
        (
            {"type": "object", "properties": {"me": {"$ref": "#"}}, "required": ["me"]},
            "deeper than",
        ),
        ({"type": "integer", "minimum": 1, "maximum": 1, "multipleOf": 2}, "no integer"),
        (False, "false"),
    ],
)
def test_an_impossible_schema_is_a_schema_error(schema: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        sample(schema)
