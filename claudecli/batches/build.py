"""Requests of a submission, built by the turn engine exactly as `ask` builds its body.

A `Recipe` is what the user asked for (kind, inputs, prompt or template, the request flags as
`TurnOptions` fields and the setting flags), JSON-ready: it is recorded with each submission,
so `batch retry` rebuilds the failed requests the same way.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from claudecli.client import JSON

from .naming import derive_job_name, id_for_path
from .sources import expand_files, fill_template, read_records, read_request_lines

if TYPE_CHECKING:
    from claudecli.config import ResolvedSettings
    from claudecli.turn import TurnOptions, TurnPlan

__all__ = ["Builder", "Built", "Kind", "Recipe", "options_from_json", "options_json"]

Kind = Literal["files", "jsonl", "records"]
_PATH_OPTIONS: Final = ("system_file", "schema")
_TUPLE_OPTIONS: Final = ("attach", "stop", "cache", "betas")
_SKIPPED_OPTIONS: Final = ("prompt", "stdin", "history", "system_file_text")
FetchInfo = Callable[[str], JSON | None]


def options_json(options: TurnOptions) -> dict[str, Any]:
    """The request flags as JSON (paths made absolute: a retry may run elsewhere)."""
    raw = dataclasses.asdict(options)
    data = {k: v for k, v in raw.items() if k not in _SKIPPED_OPTIONS}
    for key in _PATH_OPTIONS:
        if data.get(key):
            data[key] = os.path.abspath(data[key])
    data["attach"] = [os.path.abspath(path) for path in data["attach"]]
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def options_from_json(data: Mapping[str, Any], **extra: Any) -> TurnOptions:
    from claudecli.turn import TurnOptions

    fields = {k: tuple(v) if k in _TUPLE_OPTIONS else v for k, v in data.items()}
    return TurnOptions(**{**fields, **extra})


@dataclass(frozen=True)
class Recipe:
    """What one submission was made from (recorded as JSON with it)."""

    kind: Kind
    inputs: tuple[str, ...]  # absolute paths as given (files, dirs, globs; or the one file)
    text: str | None = None  # --prompt (files) or --template (records)
    options: dict[str, Any] = field(default_factory=dict)  # options_json(TurnOptions)
    settings: dict[str, Any] = field(default_factory=dict)  # the setting flags

    def as_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "inputs": list(self.inputs)}

    @classmethod
    def of_json(cls, data: Mapping[str, Any]) -> Recipe:
        return cls(
            kind=data["kind"],
            inputs=tuple(data["inputs"]),
            text=data.get("text"),
            options=dict(data.get("options") or {}),
            settings=dict(data.get("settings") or {}),
        )

    def default_job(self) -> str:
        return derive_job_name(self.kind, [*self.inputs, self.text or ""])


@dataclass(frozen=True, slots=True)
class Built:
    """One checked request, ready to send."""

    custom_id: str
    params: JSON
    name: str  # the answer's file name
    source: str | None
    input_tokens: int  # estimated
    model: str
    max_tokens: int


class Builder:
    """Builds a recipe's requests one at a time (never all in memory at once)."""

    def __init__(
        self,
        recipe: Recipe,
        resolved: ResolvedSettings | None,
        *,
        today: date,
        answer_ext: str,
        known_sources: Mapping[str, tuple[str, str]] | None = None,
        fetch_info: FetchInfo | None = None,
    ) -> None:
        self.recipe, self.resolved, self.today = recipe, resolved, today
        self.answer_ext, self.fetch_info = answer_ext, fetch_info
        self.known = dict(known_sources or {})
        self.taken_ids = {custom_id for custom_id, _ in self.known.values()}
        self.taken_names = {name for _, name in self.known.values()}
        self.new_sources: list[tuple[str, str, str]] = []  # (source, custom_id, name)
        self.warnings: dict[str, None] = {}

    def requests(self, only: frozenset[str] | None = None) -> Iterator[Built]:
        """Every request of the recipe (or only those custom_ids), checked, in input order."""
        if self.recipe.kind == "jsonl":
            return self._from_lines(only)
        if self.recipe.kind == "records":
            return self._from_records(only)
        return self._from_files(only)

    def _from_lines(self, only: frozenset[str] | None) -> Iterator[Built]:
        for custom_id, params in read_request_lines(self.recipe.inputs[0]):
            if only is None or custom_id in only:
                tokens = estimate_params_tokens(params)
                yield Built(
                    custom_id,
                    params,
                    custom_id + self.answer_ext,
                    None,
                    tokens,
                    str(params["model"]),
                    int(params["max_tokens"]),
                )

    def _from_records(self, only: frozenset[str] | None) -> Iterator[Built]:
        path = self.recipe.inputs[0]
        for number, custom_id, record in read_records(path):
            if only is not None and custom_id not in only:
                continue
            prompt = fill_template(self.recipe.text or "", record, f"{path}:{number}")
            plan = self._plan(prompt, ())
            yield self._built(custom_id, plan, custom_id + self.answer_ext, None)

    def _from_files(self, only: frozenset[str] | None) -> Iterator[Built]:
        for path in expand_files(self.recipe.inputs):
            custom_id, name = self._names(path, adding=only is None)
            if only is not None and custom_id not in only:
                continue
            plan = self._plan(self.recipe.text, (path,))
            yield self._built(custom_id, plan, name, path)

    def _names(self, path: str, *, adding: bool) -> tuple[str, str]:
        """The custom_id and answer name of a file: as recorded, else new unique ones."""
        if path in self.known:
            return self.known[path]
        custom_id = id_for_path(path, self.taken_ids)
        name = Path(path).name + self.answer_ext
        if name in self.taken_names:
            name = custom_id + self.answer_ext
        if adding:
            self.known[path] = (custom_id, name)
            self.taken_ids.add(custom_id)
            self.taken_names.add(name)
            self.new_sources.append((path, custom_id, name))
        return custom_id, name

    def _plan(self, prompt: str | None, files: tuple[str, ...]) -> TurnPlan:
        from claudecli.turn import plan_turn

        assert self.resolved is not None, "a recipe with prompts needs resolved settings"
        shared = tuple(self.recipe.options.get("attach") or ())
        options = options_from_json(self.recipe.options, prompt=prompt, attach=shared + files)
        plan = plan_turn(options, self.resolved, today=self.today, fetch_info=self.fetch_info)
        self.warnings.update(dict.fromkeys(plan.warnings))
        return plan

    def _built(self, custom_id: str, plan: TurnPlan, name: str, source: str | None) -> Built:
        from claudecli.turn.checks import estimate_input_tokens

        tokens = estimate_input_tokens(plan.spec, plan.body)
        return Built(
            custom_id, plan.body, name, source, tokens, plan.spec.model, plan.spec.max_tokens
        )


def estimate_params_tokens(params: Mapping[str, Any]) -> int:
    """An upper-end estimate for a body given as is: text / 4, plus media at their maximum."""
    from claudecli.request import redact_for_display
    from claudecli.turn.checks import CHARS_PER_TOKEN, IMAGE_TOKENS, PDF_PAGE_TOKENS

    text = json.dumps(redact_for_display(params), ensure_ascii=False)
    images = text.count('"type": "image"')
    documents = text.count('"type": "document"')
    return len(text) // CHARS_PER_TOKEN + images * IMAGE_TOKENS + documents * PDF_PAGE_TOKENS
