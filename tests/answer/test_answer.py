"""`--schema` answers: JSON that matches, JSON that does not, and text cut short."""

from __future__ import annotations

import re
from typing import Any

import pytest

from claudecli.answer import validate_json_answer
from claudecli.errors import AnswerError

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def message(text: str, stop: str = "end_turn") -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "stop_reason": stop}


def test_matching_answer_is_returned_parsed() -> None:
    assert validate_json_answer(message('{"name": "Ada", "age": 36}'), SCHEMA) == {
        "name": "Ada",
        "age": 36,
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"name": "Ada"}', "(root)"),
        ('{"name": "Ada", "age": -1}', "age"),
        ('{"name": 1, "age": 3}', "name"),
        ('{"name": "A", "age": 1, "x": 0}', "(root)"),
    ],
)
def test_mismatch_names_the_place(text: str, where: str) -> None:
    pattern = rf"does not match --schema at {re.escape(where)}:"
    with pytest.raises(AnswerError, match=pattern) as info:
        validate_json_answer(message(text), SCHEMA)
    assert info.value.exit_code == 8


def test_not_json_is_an_error() -> None:
    with pytest.raises(AnswerError, match="not valid JSON"):
        validate_json_answer(message("Sure! Here it is"), SCHEMA)


def test_cut_short_answer_is_a_partial_answer() -> None:
    with pytest.raises(AnswerError, match="cut short at max_tokens") as info:
        validate_json_answer(message('{"name": "Ad', stop="max_tokens"), SCHEMA)
    assert info.value.partial and info.value.exit_code == 7
