"""Checks on a finished answer: the JSON that `--schema` asked for."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from claudecli.errors import AnswerError

__all__ = ["answer_text", "invalid_schema", "schema_problem", "validate_json_answer"]


def answer_text(message: Mapping[str, Any]) -> str:
    """The text blocks of a Message, joined."""
    from claudecli.client import MessageView

    return MessageView.of(message).text


def validate_json_answer(message: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    """Parse the answer as JSON and validate it against `schema`; AnswerError otherwise.

    jsonschema (imported only here) implements every draft correctly; a hand-written subset
    would accept answers the schema forbids.
    """
    from claudecli.client import MessageView

    partial = MessageView.of(message).stop_reason == "max_tokens"
    try:
        value = json.loads(answer_text(message))
    except ValueError as exc:
        cut = " (cut short at max_tokens)" if partial else ""
        raise AnswerError(f"the answer is not valid JSON{cut}: {exc}", partial=partial) from None
    _validate(value, schema, partial)
    return value


def _validate(value: Any, schema: Mapping[str, Any], partial: bool) -> None:
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema)
    error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(value))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise AnswerError(
            f"the answer does not match --schema at {where}: {error.message}", partial=partial
        )


def schema_problem(value: Any, schema: Mapping[str, Any]) -> str | None:
    """Why `value` does not match the JSON Schema `schema` ("at /path: message"), or None.

    For checks other than the answer's own (tool inputs in `tools run`): jsonschema stays
    imported only here.
    """
    import jsonschema

    validator_class = jsonschema.validators.validator_for(schema)
    error = jsonschema.exceptions.best_match(validator_class(schema).iter_errors(value))
    if error is None:
        return None
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    return f"at {where}: {error.message}"


def invalid_schema(schema: Mapping[str, Any]) -> str | None:
    """Why `schema` is not a valid JSON Schema, or None."""
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        return str(error.message)
    return None
