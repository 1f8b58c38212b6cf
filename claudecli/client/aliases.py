"""The JSON type aliases alone (no other import), so naming them costs nothing at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

__all__ = ["JSON", "JSONView"]

JSON: TypeAlias = dict[str, Any]  # one JSON object, as the API sends and takes it
JSONView: TypeAlias = Mapping[str, Any]  # a JSON object that is only read
