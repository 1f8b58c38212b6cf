"""What a request costs: the price table in `claudecli/data/prices.json` and the arithmetic.

Prices are USD per million tokens. Each model row says how sure we are of it (`basis`: `doc`,
`list` or `estimate`); the file's top-level `checked` date says when the table was last looked
at. One function, `cost_of_usage`, prices an API `usage` object; `--usage`, `count-tokens` and
`batch` all go through it (or through `cost_of_input` for a token count).

Standard library only; the table is read once per process.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal

__all__ = [
    "Cost",
    "ModelPrice",
    "PriceTable",
    "base_model_id",
    "cost_of_input",
    "cost_of_usage",
    "format_tokens",
    "format_usage_line",
    "format_usd",
    "price_for",
    "price_table",
]

PER_MILLION: Final = 1_000_000
PRICES_RESOURCE: Final = "data/prices.json"
Basis = Literal["doc", "list", "estimate"]
# `claude-haiku-4-5-20251001`, `claude-sonnet-4-5@20250929`: a model id plus a snapshot date.
_DATED_ID: Final = re.compile(r"^(?P<base>.+?)[-@]\d{8}(?:$|[-:@].*)")


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per million tokens for one model."""

    model: str
    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    batch_discount: float = 0.5
    basis: Basis = "estimate"
    note: str = ""

    @property
    def is_estimate(self) -> bool:
        """True when no published price backs this row."""
        return self.basis == "estimate"


@dataclass(frozen=True, slots=True)
class Cost:
    """The cost of one `usage` object in USD, split by what was billed."""

    model: str
    input: float
    output: float
    cache_read: float
    cache_write_5m: float
    cache_write_1h: float
    batch: bool = False
    estimate: bool = False

    @property
    def cache_write(self) -> float:
        return self.cache_write_5m + self.cache_write_1h

    @property
    def total(self) -> float:
        return self.input + self.output + self.cache_read + self.cache_write

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every part, the total, and the flags."""
        return {
            "input": self.input,
            "output": self.output,
            "cache_read": self.cache_read,
            "cache_write_5m": self.cache_write_5m,
            "cache_write_1h": self.cache_write_1h,
            "total": self.total,
            "batch": self.batch,
            "estimate": self.estimate,
        }


@dataclass(frozen=True, slots=True)
class PriceTable:
    checked: str
    source: str
    prices: Mapping[str, ModelPrice]


@functools.cache
def price_table() -> PriceTable:
    """The packaged price table (read once)."""
    text = resources.files("claudecli").joinpath(PRICES_RESOURCE).read_text(encoding="utf-8")
    raw = json.loads(text)
    prices = {model: _model_price(model, row) for model, row in raw["models"].items()}
    return PriceTable(checked=str(raw["checked"]), source=str(raw["source"]), prices=prices)


def _model_price(model: str, row: Mapping[str, Any]) -> ModelPrice:
    return ModelPrice(
        model=model,
        input=float(row["input"]),
        output=float(row["output"]),
        cache_write_5m=float(row["cache_write_5m"]),
        cache_write_1h=float(row["cache_write_1h"]),
        cache_read=float(row["cache_read"]),
        batch_discount=float(row.get("batch_discount", 0.5)),
        basis=row.get("basis", "estimate"),
        note=str(row.get("note", "")),
    )


def base_model_id(model: str) -> str:
    """`claude-haiku-4-5-20251001` → `claude-haiku-4-5`; ids without a date come back as-is."""
    match = _DATED_ID.match(model)
    return match.group("base") if match else model


def price_for(model: str) -> ModelPrice | None:
    """The price row for `model` (dated snapshot ids resolve to their base id), or None."""
    prices = price_table().prices
    for candidate in _candidates(model.strip().lower()):
        if candidate in prices:
            return prices[candidate]
    return None


def _candidates(model: str) -> tuple[str, ...]:
    base = base_model_id(model)
    # `claude-opus-4-20250514` is the snapshot of the model listed as `claude-opus-4-0`.
    return (model, base, f"{base}-0")


def cost_of_usage(usage: Mapping[str, Any], model: str, *, batch: bool = False) -> Cost | None:
    """Price an API `usage` object; None when the model is not in the table.

    Cache writes are split by TTL when `usage.cache_creation` gives the breakdown; any write
    tokens it does not account for are billed at the 5-minute rate (the default TTL). A usage
    whose `service_tier` is `batch` is billed at the batch discount even without `batch=True`.
    """
    price = price_for(model)
    if price is None:
        return None
    batched = batch or usage.get("service_tier") == "batch"
    factor = price.batch_discount if batched else 1.0
    write_5m, write_1h = cache_write_split(usage)
    return Cost(
        model=model,
        input=_usd(_int(usage, "input_tokens"), price.input, factor),
        output=_usd(_int(usage, "output_tokens"), price.output, factor),
        cache_read=_usd(_int(usage, "cache_read_input_tokens"), price.cache_read, factor),
        cache_write_5m=_usd(write_5m, price.cache_write_5m, factor),
        cache_write_1h=_usd(write_1h, price.cache_write_1h, factor),
        batch=batched,
        estimate=price.is_estimate,
    )


def cache_write_split(usage: Mapping[str, Any]) -> tuple[int, int]:
    """(5-minute, 1-hour) cache-write tokens of a usage object."""
    total = _int(usage, "cache_creation_input_tokens")
    detail = usage.get("cache_creation")
    if not isinstance(detail, Mapping):
        return total, 0
    write_5m = _int(detail, "ephemeral_5m_input_tokens")
    write_1h = _int(detail, "ephemeral_1h_input_tokens")
    return write_5m + max(total - write_5m - write_1h, 0), write_1h


def cost_of_input(tokens: int, model: str) -> dict[str, float] | None:
    """What `tokens` input tokens cost on `model` five ways, for `count-tokens`; None if unknown.

    Keys: `standard`, `batch`, `cache_read` (all of it read from the cache), `cache_write_5m`
    and `cache_write_1h` (all of it written to the cache).
    """
    price = price_for(model)
    if price is None:
        return None
    return {
        "standard": _usd(tokens, price.input),
        "batch": _usd(tokens, price.input, price.batch_discount),
        "cache_read": _usd(tokens, price.cache_read),
        "cache_write_5m": _usd(tokens, price.cache_write_5m),
        "cache_write_1h": _usd(tokens, price.cache_write_1h),
    }


def format_usage_line(usage: Mapping[str, Any], model: str) -> str:
    """`in 1,234 · out 567 · cache read 0 · cache write 0 · $0.0123` (no cost if unknown model).

    An estimated price is shown as `~$0.0123`.
    """
    parts = [
        f"in {format_tokens(_int(usage, 'input_tokens'))}",
        f"out {format_tokens(_int(usage, 'output_tokens'))}",
        f"cache read {format_tokens(_int(usage, 'cache_read_input_tokens'))}",
        f"cache write {format_tokens(_int(usage, 'cache_creation_input_tokens'))}",
    ]
    cost = cost_of_usage(usage, model)
    if cost is not None:
        parts.append(("~" if cost.estimate else "") + format_usd(cost.total))
    saved = cache_savings(usage, model)
    if saved:
        shown = format_usd(saved)
        parts.append(f"cache saved {shown if shown.startswith('<') else '~' + shown}")
    return " · ".join(parts)


def cache_savings(usage: Mapping[str, Any], model: str) -> float | None:
    """What the cache reads saved against sending those tokens as plain input (None: unknown).

    The cost of writing the cache is not subtracted: it is paid (and shown) in the turn that
    wrote it, usually an earlier one.
    """
    price = price_for(model)
    if price is None:
        return None
    factor = price.batch_discount if usage.get("service_tier") == "batch" else 1.0
    return _usd(_int(usage, "cache_read_input_tokens"), price.input - price.cache_read, factor)


def format_tokens(count: int) -> str:
    """`12,345`."""
    return f"{count:,}"


def format_usd(amount: float) -> str:
    """`$0.0370`: four decimals, enough for a single request; `<$0.0001` for less (not "free")."""
    if 0 < amount < 0.00005:
        return "<$0.0001"
    return f"${amount:,.4f}"


def _usd(tokens: int, per_million: float, factor: float = 1.0) -> float:
    # Rounded to 1e-10 USD so JSON output does not show float noise (1.7000000000000002e-06).
    return round(tokens * per_million * factor / PER_MILLION, 10)


def _int(mapping: Mapping[str, Any], key: str) -> int:
    """A token counter from API JSON: missing, null or malformed counts as 0."""
    value = mapping.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(int(value), 0)
