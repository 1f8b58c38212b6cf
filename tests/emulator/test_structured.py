"""Structured outputs: a request with `output_config.format` gets JSON valid under its schema."""

from __future__ import annotations

import json
from typing import Any, Literal

import anthropic
import jsonschema
import pydantic
import pytest

from claudecli.emulator import Emulator

from .util import JSON, post, request, wait_ended

PERSON: JSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 3},
        "age": {"type": "integer", "minimum": 18, "maximum": 99},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 2},
        "home": {"$ref": "#/$defs/place"},
        "nickname": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
    "required": ["name", "age", "email", "tags", "home", "nickname"],
    "additionalProperties": False,
    "$defs": {
        "place": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "lat": {"type": "number", "maximum": 0}},
            "required": ["city", "lat"],
            "additionalProperties": False,
        }
    },
}


def structured(text: str, schema: JSON, **extra: Any) -> JSON:
    return request(
        text, output_config={"format": {"type": "json_schema", "schema": schema}}, **extra
    )


def answer(message: JSON) -> Any:
    [block] = [b for b in message["content"] if b["type"] == "text"]
    return json.loads(block["text"])


def test_the_answer_is_json_valid_under_the_schema(emulator: Emulator) -> None:
    status, message = post(emulator, "/v1/messages", structured("who?", PERSON))
    assert status == 200, message
    jsonschema.validate(answer(message), PERSON)
    assert message["stop_reason"] == "end_turn"


def test_the_answer_is_deterministic_and_streams_the_same(client: anthropic.Anthropic) -> None:
    body = structured("who?", PERSON)
    created = client.messages.create(**body).model_dump(mode="json")
    with client.messages.stream(**body) as stream:
        streamed = stream.get_final_message().model_dump(mode="json")
    assert created == streamed
    assert created == client.messages.create(**body).model_dump(mode="json")


class Place(pydantic.BaseModel):
    city: str
    kind: Literal["town", "city"]
    population: int = pydantic.Field(ge=1000)


class Trip(pydantic.BaseModel):
    title: str
    stops: list[Place] = pydantic.Field(min_length=2)
    nights: int | None


def test_the_sdk_parses_the_answer(client: anthropic.Anthropic) -> None:
    """The official SDK's `parse()` and `stream(output_format=...)` are the oracle."""
    body = request("plan a trip")
    parsed = client.messages.parse(output_format=Trip, **body).parsed_output
    assert isinstance(parsed, Trip) and len(parsed.stops) >= 2
    with client.messages.stream(output_format=Trip, **body) as stream:
        assert stream.get_final_message().parsed_output == parsed


def test_stop_max_tokens_truncates_the_json(emulator: Emulator) -> None:
    _, message = post(emulator, "/v1/messages", structured("#emu stop=max_tokens", PERSON))
    assert message["stop_reason"] == "max_tokens"
    with pytest.raises(json.JSONDecodeError):
        answer(message)


def test_a_small_max_tokens_truncates_the_json(emulator: Emulator) -> None:
    _, message = post(emulator, "/v1/messages", structured("who?", PERSON, max_tokens=5))
    assert message["stop_reason"] == "max_tokens"
    assert len(message["content"][0]["text"]) == 20


def test_a_text_directive_still_wins(emulator: Emulator) -> None:
    _, message = post(emulator, "/v1/messages", structured("#emu text=not-json", PERSON))
    assert message["content"][0]["text"] == "not-json"


def test_thinking_comes_before_the_json(emulator: Emulator) -> None:
    _, message = post(emulator, "/v1/messages", structured("#emu thinking", PERSON))
    assert [b["type"] for b in message["content"]] == ["thinking", "text"]
    jsonschema.validate(answer(message), PERSON)


def test_a_batch_request_gets_the_json_too(client: anthropic.Anthropic) -> None:
    params = structured("who?", PERSON)
    created = client.messages.create(**params)
    batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": params}])  # type: ignore[typeddict-item]
    wait_ended(client, batch.id)
    [result] = list(client.messages.batches.results(batch.id))
    assert result.result.type == "succeeded"
    assert result.result.message.content == created.content


@pytest.mark.parametrize(
    ("output_config", "message"),
    [
        ({"format": {"type": "json_object"}}, "output_config.format.type: Input should be"),
        ({"format": {"type": "json_schema"}}, "output_config.format.schema: Input should be"),
        ("json", "output_config: Input should be a valid dictionary"),
        (
            {"format": {"type": "json_schema", "schema": {"$ref": "#/$defs/missing"}}},
            "output_config.format.schema: $ref '#/$defs/missing' does not resolve",
        ),
    ],
)
def test_a_bad_output_format_is_a_400(emulator: Emulator, output_config: Any, message: str) -> None:
    status, reply = post(emulator, "/v1/messages", request("x", output_config=output_config))
    assert status == 400, reply
    assert reply["error"]["type"] == "invalid_request_error"
    assert reply["error"]["message"].startswith(message)
