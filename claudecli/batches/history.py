"""Batch answers as conversations in the store, at the batch price (`history list/usage`,
`ask -c` / `--conversation ID` continue them).

Each succeeded item becomes one conversation: the request's turns (as sent) and the answer,
titled with the source file's name (else the custom_id), its usage marked
`service_tier: "batch"` and priced with the batch discount. The conversation's origin is
`batch:<batch id>/<custom_id>`: a rerun finds it and records nothing twice.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claudecli.client import JSON

if TYPE_CHECKING:
    from claudecli.conversations import Store

__all__ = ["BatchHistory", "origin"]


def origin(batch_id: str, custom_id: str) -> str:
    return f"batch:{batch_id}/{custom_id}"


@dataclass
class BatchHistory:
    """Records one batch's answers; `seen` holds the origins recorded by earlier runs."""

    store: Store
    batch_id: str
    job: str | None = None
    seen: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, store: Store, batch_id: str, job: str | None) -> BatchHistory:
        return cls(store, batch_id, job, store.origins(origin(batch_id, "")))

    def record(self, custom_id: str, title: str, params: JSON, message: JSON) -> str | None:
        """The new conversation's id (None: recorded before)."""
        key = origin(self.batch_id, custom_id)
        if key in self.seen:
            return None
        turns, reply = exchange(params, message)
        system = system_text(params.get("system"))
        conv_id = self.store.add_exchange(
            turns=turns,
            reply=reply,
            cost_usd=batch_cost(reply),
            origin=key,
            model=str(reply["model"]),
            system=system,
            settings=self._settings(custom_id, params, system),
            title=title,
        )
        self.seen.add(key)
        return conv_id

    def _settings(self, custom_id: str, params: JSON, system: str | None) -> JSON:
        from claudecli.turn.record import SYSTEM_PARTS

        batch = {"id": self.batch_id, "custom_id": custom_id, "job": self.job}
        return {
            SYSTEM_PARTS: [None, system],
            "max_tokens": params.get("max_tokens"),
            "batch": batch,
        }


def title_for(custom_id: str, source: str | None) -> str:
    return Path(source).name if source else custom_id


def exchange(params: Mapping[str, Any], message: Mapping[str, Any]) -> tuple[list[JSON], JSON]:
    """The request's turns and the reply as the conversation keeps them: a prefill (a last
    assistant turn) is part of the answer's first text, as `ask` keeps it; the usage says
    `service_tier: "batch"` (what the API bills) and the model is the answer's."""
    turns = [dict(turn) for turn in params.get("messages") or []]
    reply: JSON = copy.deepcopy(dict(message))
    reply["model"] = reply.get("model") or params.get("model") or ""
    reply["usage"] = {**(reply.get("usage") or {}), "service_tier": "batch"}
    if turns and turns[-1].get("role") == "assistant":
        prefill = text_of(turns.pop().get("content"))
        content = reply.get("content") or []
        if prefill and content and content[0].get("type") == "text":
            content[0]["text"] = prefill + str(content[0].get("text") or "")
    return turns, reply


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    blocks = content if isinstance(content, list) else []
    return "".join(str(b.get("text") or "") for b in blocks if b.get("type") == "text")


def system_text(system: Any) -> str | None:
    if isinstance(system, list):
        texts = (str(b.get("text") or "") for b in system if b.get("type") == "text")
        return "\n\n".join(text for text in texts if text) or None
    return system if isinstance(system, str) and system else None


def batch_cost(reply: Mapping[str, Any]) -> float | None:
    from claudecli.pricing import cost_of_usage

    cost = cost_of_usage(reply.get("usage") or {}, str(reply.get("model") or ""), batch=True)
    return None if cost is None else cost.total
