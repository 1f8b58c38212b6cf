"""`claudecli models`: the models the API offers, their limits, capabilities and prices.

The list comes from `GET /v1/models` through the local cache (`claudecli.models`, one day;
`--refresh` refetches). Prices come from the packaged table (`claudecli.pricing`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from claudecli.cli.completion import complete_model
from claudecli.cli.exits import EXIT_CODES_HELP
from claudecli.cli.guard import guarded
from claudecli.cli.output import err, format_table, out
from claudecli.client import JSON

if TYPE_CHECKING:
    from claudecli.cli.context import AppContext
    from claudecli.client import Client
    from claudecli.config import Settings
    from claudecli.models import ModelList
    from claudecli.pricing import ModelPrice

THINKING_ON: Final = frozenset({"adaptive", "enabled"})
TABLE_FEATURES: Final = ("pdf", "images", "structured", "effort")
HEADERS: Final = ("model", "name", "context", "max out", "thinking", "features", "$/MTok in/out")

HELP = f"""List the models the API offers: context window, max output, thinking types, features,
prices (from claudecli's own table; ~ marks an estimate) and deprecation.

The list is cached for a day (--refresh fetches it again); `ask` and `chat` use the cache to
pick a default max_tokens and to warn about deprecated models. Give a MODEL (or an alias from
`model_aliases`) to see one model in full.

{EXIT_CODES_HELP}
"""


@guarded
def models(
    ctx: typer.Context,
    model: Annotated[
        str | None,
        typer.Argument(
            help="Show this model (id or alias) in full.", autocompletion=complete_model
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Include deprecated and retired models.")
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch the list again, ignoring the cache.")
    ] = False,
) -> None:
    run_models(ctx.obj, model, json_out=json_out, show_all=show_all, refresh=refresh)


def register(app: typer.Typer) -> None:
    app.command("models", help=HELP)(models)


def run_models(
    app: AppContext, model: str | None, *, json_out: bool, show_all: bool, refresh: bool
) -> None:
    settings = app.settings({})
    listing = fetch_listing(app, settings, refresh=refresh)
    if listing.note:
        from claudecli.render.sanitize import sanitize

        err(f"claudecli: warning: {sanitize(listing.note)}")
    aliases = dict(settings.model_aliases)
    today = app.today()
    if model is not None:
        show_one(listing, model, aliases, today, json_out=json_out)
        return
    shown = [info for info in listing.models if show_all or is_current(info)]
    if json_out:
        out(listing_json(listing, shown, aliases, today))
        return
    out(models_table(shown, aliases, today))
    err(footer(listing, hidden=len(listing.models) - len(shown)))


def fetch_listing(app: AppContext, settings: Settings, *, refresh: bool) -> ModelList:
    """Cached or fetched; the client (and its credential) is made only if a fetch is needed."""
    from claudecli.models import load_models

    made: list[Client] = []

    def factory() -> Client:
        made.append(app.client(settings))
        return made[-1]

    try:
        return load_models(factory, refresh=refresh, source=settings.base_url)
    finally:
        for client in made:
            client.close()


def show_one(
    listing: ModelList, name: str, aliases: dict[str, str], today: date, *, json_out: bool
) -> None:
    from claudecli.errors import InputError
    from claudecli.models import find_model, resolve_alias

    info = find_model(listing.models, resolve_alias(name, aliases))
    if info is None:
        raise InputError(f"{name}: no such model; `claudecli models --all` lists them")
    if json_out:
        out(_dumps(model_json(info, aliases, today)))
    else:
        out(model_details(info, aliases, today))


def is_current(info: Mapping[str, Any]) -> bool:
    return info.get("lifecycle") not in ("deprecated", "retired")


# --- text -----------------------------------------------------------------------------------


def models_table(
    shown: Sequence[Mapping[str, Any]], aliases: Mapping[str, str], today: date
) -> str:
    from claudecli.render.sanitize import sanitize

    headers = list(HEADERS)
    rows = [table_row(info, aliases, today) for info in shown]
    if any(info.get("lifecycle") not in (None, "active") for info in shown):
        headers.append("status")
    rows = [[sanitize(cell) for cell in row[: len(headers)]] for row in rows]
    return format_table(headers, rows, right_aligned={2, 3})


def table_row(info: Mapping[str, Any], aliases: Mapping[str, str], today: date) -> list[str]:
    from claudecli.models import capability_flags, context_window, max_output_tokens

    model_id = str(info.get("id"))
    names = aliases_of(model_id, aliases)
    return [
        model_id + (f" ({', '.join(names)})" if names else ""),
        str(info.get("display_name") or ""),
        compact(context_window(info)),
        compact(max_output_tokens(info)),
        ", ".join(name for name in sorted_thinking(info) if name in THINKING_ON) or "-",
        " ".join(table_features(capability_flags(info))) or "-",
        price_cell(model_id),
        status_cell(info, today),
    ]


def table_features(flags: Sequence[str]) -> list[str]:
    """The table's short list: input kinds, structured outputs and effort (details show all)."""
    return [flag.split(" ")[0] for flag in flags if flag.split(" ")[0] in TABLE_FEATURES]


def model_details(info: Mapping[str, Any], aliases: Mapping[str, str], today: date) -> str:
    from claudecli.models import capability_flags, context_window, max_output_tokens
    from claudecli.render.sanitize import sanitize

    model_id = str(info.get("id"))
    pairs = [
        ("model", model_id),
        ("name", str(info.get("display_name") or "")),
        ("aliases", ", ".join(aliases_of(model_id, aliases)) or "-"),
        ("context window", _number(context_window(info))),
        ("max output", _number(max_output_tokens(info))),
        ("thinking", ", ".join(sorted_thinking(info)) or "-"),
        ("features", ", ".join(capability_flags(info)) or "-"),
        ("price", price_detail(model_id)),
        ("status", status_cell(info, today)),
    ]
    width = max(len(key) for key, _ in pairs)
    return "\n".join(f"{key + ':':<{width + 1}} {sanitize(value)}" for key, value in pairs)


def sorted_thinking(info: Mapping[str, Any]) -> list[str]:
    from claudecli.models import thinking_types

    order = ("adaptive", "enabled", "between_tools", "disabled")
    types = thinking_types(info)
    return [name for name in order if name in types] + sorted(types - set(order))


def aliases_of(model_id: str, aliases: Mapping[str, str]) -> list[str]:
    """The aliases that resolve to `model_id` (cycles are skipped here, reported by ask)."""
    from claudecli.errors import ConfigError
    from claudecli.models import resolve_alias

    names = []
    for alias in sorted(aliases):
        try:
            if resolve_alias(alias, aliases) == model_id:
                names.append(alias)
        except ConfigError:
            continue
    return names


def compact(value: int | None) -> str:
    """`1M`, `200K`, `64K`, `1,500`; `-` when unknown."""
    if value is None:
        return "-"
    for size, suffix in ((1_000_000, "M"), (1_000, "K")):
        if value % size == 0:
            return f"{value // size}{suffix}"
    return f"{value:,}"


def _number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def price_cell(model_id: str) -> str:
    from claudecli.pricing import price_for

    price = price_for(model_id)
    if price is None:
        return "-"
    mark = "~" if price.is_estimate else ""
    return f"{mark}{_money(price.input)}/{_money(price.output)}"


def price_detail(model_id: str) -> str:
    from claudecli.pricing import price_for, price_table

    price = price_for(model_id)
    if price is None:
        return "unknown (not in claudecli's price table)"
    return (
        f"${_money(price.input)} in, ${_money(price.output)} out, "
        f"cache write ${_money(price.cache_write_5m)} (5m) / ${_money(price.cache_write_1h)} (1h), "
        f"cache read ${_money(price.cache_read)} per MTok; batch ×{price.batch_discount:g} "
        f"[{price.basis}, checked {price_table().checked}]"
    )


def _money(value: float) -> str:
    """`5.00`, `0.50`, `0.125`: at least two decimals, at most four."""
    whole, _, decimals = f"{value:.4f}".rstrip("0").partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def status_cell(info: Mapping[str, Any], today: date) -> str:
    from claudecli.models import deprecation_warning

    lifecycle = str(info.get("lifecycle") or "active")
    if lifecycle == "active":
        return "active"
    warning = deprecation_warning(info, today)
    retires = str(info.get("retires_at") or "")[:10]
    if lifecycle == "deprecated" and retires:
        overdue = warning is not None and "overdue" in warning
        return f"deprecated, {'overdue since' if overdue else 'retires'} {retires}"
    if lifecycle == "retired" and retires:
        return f"retired {retires}"
    return lifecycle


def footer(listing: ModelList, *, hidden: int) -> str:
    from claudecli.pricing import price_table

    notes = []
    if hidden:
        notes.append(f"{hidden} deprecated or retired hidden (--all shows them)")
    notes.append(f"prices checked {price_table().checked}, ~ = estimate")
    notes.append(
        f"list fetched {_when(listing.fetched_at)}" + (" (cached)" if listing.from_cache else "")
    )
    return "claudecli: " + " · ".join(notes)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- JSON -----------------------------------------------------------------------------------


def listing_json(
    listing: ModelList,
    shown: Sequence[Mapping[str, Any]],
    aliases: Mapping[str, str],
    today: date,
) -> str:
    from claudecli.pricing import price_table

    document = {
        "models": [model_json(info, aliases, today) for info in shown],
        "fetched_at": datetime.fromtimestamp(listing.fetched_at, tz=UTC).isoformat(),
        "from_cache": listing.from_cache,
        "prices_checked": price_table().checked,
    }
    return _dumps(document)


def model_json(info: Mapping[str, Any], aliases: Mapping[str, str], today: date) -> JSON:
    """The ModelInfo as the API sent it; claudecli's additions only under `claudecli`."""
    from claudecli.models import deprecation_warning
    from claudecli.pricing import price_for

    model_id = str(info.get("id"))
    price = price_for(model_id)
    extras = {
        "aliases": aliases_of(model_id, aliases),
        "price_usd_per_mtok": None if price is None else price_json(price),
        "warning": deprecation_warning(info, today),
    }
    return {**info, "claudecli": extras}


def price_json(price: ModelPrice) -> JSON:
    fields = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read")
    return {
        **{name: getattr(price, name) for name in fields},
        "batch_discount": price.batch_discount,
        "basis": price.basis,
    }


def _dumps(document: object) -> str:
    import json

    return json.dumps(document, indent=2, ensure_ascii=False)
