"""The emulated model catalogue: `ModelInfo` objects as `GET /v1/models` returns them (§3, §9)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import bad_request, not_found
from .pagination import id_page
from .wire import Obj, Request, Result, json_response

if TYPE_CHECKING:
    from .app import App

__all__ = ["CATALOG", "ModelSpec", "get_model", "list_models", "lookup"]

_EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
_THINKING_TYPES = ("adaptive", "between_tools", "disabled", "enabled")


@dataclass(frozen=True)
class ModelSpec:
    id: str
    display_name: str
    created_at: str
    line: str
    max_input_tokens: int
    max_tokens: int
    thinking_types: frozenset[str]
    thinking_display: str = "omitted"
    lifecycle: str = "active"
    deprecated_at: str | None = None
    retires_at: str | None = None
    prefill: bool = False
    mid_system: bool = True
    effort: bool = True

    def info(self) -> Obj:
        return {
            "type": "model",
            "id": self.id,
            "display_name": self.display_name,
            "created_at": self.created_at,
            "lifecycle": self.lifecycle,
            "deprecated_at": self.deprecated_at,
            "retires_at": self.retires_at,
            "line": self.line,
            "max_input_tokens": self.max_input_tokens,
            "max_tokens": self.max_tokens,
            "capabilities": self.capabilities(),
        }

    def capabilities(self) -> Obj:
        yes = {"supported": True}
        return {
            "batch": yes,
            "citations": yes,
            "code_execution": yes,
            "context_management": {"supported": True},
            "effort": self._effort(),
            "image_input": yes,
            "pdf_input": yes,
            "server_tools": {"supported": True, "code_execution": yes, "web_search": yes},
            "structured_outputs": yes,
            "thinking": {"supported": True, "types": self._thinking()},
        }

    def _effort(self) -> Obj:
        levels = {level: {"supported": self.effort} for level in _EFFORT_LEVELS}
        return {"supported": self.effort, **levels}

    def _thinking(self) -> Obj:
        return {kind: {"supported": kind in self.thinking_types} for kind in _THINKING_TYPES}


_M1 = 1_000_000
CATALOG: tuple[ModelSpec, ...] = (
    ModelSpec(
        "claude-opus-5-5", "Claude Opus 5.5", "2026-10-14T00:00:00Z", "opus", _M1, 128_000,
        frozenset({"adaptive"}),
    ),
    ModelSpec(
        "claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-07T00:00:00Z", "haiku", _M1, 128_000,
        frozenset({"adaptive", "disabled"}),
    ),
    ModelSpec(
        "claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-09-23T00:00:00Z", "sonnet", _M1, 128_000,
        frozenset({"adaptive", "between_tools", "disabled"}),
    ),
    ModelSpec(
        "claude-haiku-4-5", "Claude Haiku 4.5", "2025-10-01T00:00:00Z", "haiku", 200_000, 64_000,
        frozenset({"enabled", "disabled"}), "summarized", prefill=True, mid_system=False,
        effort=False,
    ),
    ModelSpec(
        "claude-sonnet-4-5", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", "sonnet", 200_000, 64_000,
        frozenset({"enabled", "disabled"}), "summarized", "deprecated", "2026-08-27T00:00:00Z",
        "2026-11-30T00:00:00Z", prefill=True, mid_system=False, effort=False,
    ),
)  # fmt: skip

_ALIASES = {
    "claude-haiku-4-5-20251001": "claude-haiku-4-5",
    "claude-sonnet-4-5-20250929": "claude-sonnet-4-5",
}
_BY_ID = {spec.id: spec for spec in CATALOG}


def lookup(model_id: str) -> ModelSpec | None:
    """The spec for a model id or dated alias; `None` when the emulator does not know it."""
    return _BY_ID.get(_ALIASES.get(model_id, model_id))


_LIFECYCLES = frozenset({"active", "deprecated", "retired"})


def _lifecycles(req: Request) -> set[str]:
    params = req.params()
    wanted = set(params.get("lifecycle[]", []) + params.get("lifecycle", []))
    unknown = wanted - _LIFECYCLES
    if unknown:
        raise bad_request(f"lifecycle: unknown lifecycle stage {sorted(unknown)[0]!r}")
    return wanted or {"active", "deprecated"}


def list_models(_app: App, req: Request, _ids: tuple[str, ...]) -> Result:
    """`GET /v1/models`: newest first, filtered by `lifecycle[]`, paginated by id."""
    stages = _lifecycles(req)
    infos = [spec.info() for spec in CATALOG if spec.lifecycle in stages]
    return json_response(id_page(infos, req))


def get_model(_app: App, _req: Request, ids: tuple[str, ...]) -> Result:
    spec = lookup(ids[0])
    if spec is None:
        raise not_found(f"model: {ids[0]}")
    return json_response(spec.info())
