"""The price table and the one cost function."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest

from claudecli.pricing import (
    base_model_id,
    cost_of_input,
    cost_of_usage,
    format_usage_line,
    format_usd,
    price_for,
    price_table,
)

# Every model id of docs/anthropic-api.md §9.
SECTION_9_IDS = [
    "claude-fable-5-2",
    "claude-mythos-5-2",
    "claude-haiku-5-5",
    "claude-sonnet-5-5",
    "claude-fable-5-1",
    "claude-opus-5-5",
    "claude-mythos-5-1",
    "claude-sonnet-5",
    "claude-fable-5",
    "claude-mythos-5",
    "claude-opus-5",
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-mythos-preview",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5",
    "claude-opus-4-5-20251101",
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
]


def raw_table() -> dict[str, object]:
    text = resources.files("claudecli").joinpath("data/prices.json").read_text("utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


class TestTable:
    def test_header_has_checked_date_and_source(self) -> None:
        data = raw_table()
        assert date.fromisoformat(str(data["checked"]))
        assert "per million tokens" in str(data["source"])
        assert price_table().checked == data["checked"]

    @pytest.mark.parametrize("model", SECTION_9_IDS)
    def test_every_section_9_model_has_a_price(self, model: str) -> None:
        assert price_for(model) is not None

    def test_cache_and_batch_rates_follow_the_documented_rule(self) -> None:
        for price in price_table().prices.values():
            assert price.cache_write_5m == pytest.approx(price.input * 1.25), price.model
            assert price.cache_write_1h == pytest.approx(price.input * 2), price.model
            assert price.cache_read == pytest.approx(price.input * 0.1), price.model
            assert price.batch_discount == 0.5
            assert price.basis in ("doc", "list", "estimate")

    def test_haiku_5_5_is_the_documented_price(self) -> None:
        price = price_for("claude-haiku-5-5")
        assert price is not None
        assert (price.input, price.output, price.basis) == (0.10, 0.50, "doc")
        assert not price.is_estimate

    def test_undocumented_models_are_marked_as_estimates(self) -> None:
        price = price_for("claude-fable-5-2")
        assert price is not None and price.is_estimate and price.note


class TestLookup:
    @pytest.mark.parametrize(
        ("model", "base"),
        [
            ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
            ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
            ("claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
            ("claude-opus-5-5", "claude-opus-5-5"),
            ("claude-sonnet-5", "claude-sonnet-5"),
        ],
    )
    def test_base_model_id_strips_a_snapshot_date(self, model: str, base: str) -> None:
        assert base_model_id(model) == base

    def test_dated_id_resolves_to_its_base_row(self) -> None:
        price = price_for("claude-haiku-4-5-20251001")
        assert price is not None and price.model == "claude-haiku-4-5"

    def test_old_opus_4_snapshot_resolves_to_opus_4_0(self) -> None:
        price = price_for("claude-opus-4-20250514")
        assert price is not None and price.model == "claude-opus-4-0"

    def test_lookup_ignores_case_and_surrounding_space(self) -> None:
        price = price_for(" Claude-Haiku-4-5 ")
        assert price is not None and price.model == "claude-haiku-4-5"

    @pytest.mark.parametrize("model", ["gpt-4o", "claude-unknown-9", "", "claude-sonnet-5-9"])
    def test_unknown_model_has_no_price(self, model: str) -> None:
        assert price_for(model) is None


class TestCostOfUsage:
    def test_input_and_output(self) -> None:
        cost = cost_of_usage(
            {"input_tokens": 1_000_000, "output_tokens": 200_000}, "claude-haiku-4-5"
        )
        assert cost is not None
        assert cost.input == pytest.approx(1.0)
        assert cost.output == pytest.approx(1.0)
        assert cost.total == pytest.approx(2.0)
        assert not cost.batch

    def test_cache_read_and_unsplit_cache_write_bill_at_the_5m_rate(self) -> None:
        usage = {
            "input_tokens": 0,
            "output_tokens": 0,
            "cache_read_input_tokens": 1_000_000,
            "cache_creation_input_tokens": 1_000_000,
        }
        cost = cost_of_usage(usage, "claude-sonnet-4-5")
        assert cost is not None
        assert cost.cache_read == pytest.approx(0.30)
        assert cost.cache_write_5m == pytest.approx(3.75)
        assert cost.cache_write_1h == 0
        assert cost.total == pytest.approx(4.05)

    def test_cache_write_split_by_ttl(self) -> None:
        usage = {
            "input_tokens": 10,
            "output_tokens": 0,
            "cache_creation_input_tokens": 3_000_000,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 1_000_000,
                "ephemeral_1h_input_tokens": 2_000_000,
            },
        }
        cost = cost_of_usage(usage, "claude-haiku-4-5")
        assert cost is not None
        assert cost.cache_write_5m == pytest.approx(1.25)
        assert cost.cache_write_1h == pytest.approx(4.0)
        assert cost.cache_write == pytest.approx(5.25)

    def test_write_tokens_missing_from_the_breakdown_count_as_5m(self) -> None:
        usage = {
            "cache_creation_input_tokens": 3_000_000,
            "cache_creation": {"ephemeral_1h_input_tokens": 1_000_000},
        }
        cost = cost_of_usage(usage, "claude-haiku-4-5")
        assert cost is not None
        assert cost.cache_write_5m == pytest.approx(2 * 1.25)
        assert cost.cache_write_1h == pytest.approx(2.0)

    def test_batch_halves_every_part(self) -> None:
        usage = {
            "input_tokens": 1_000_000,
            "output_tokens": 1_000_000,
            "cache_read_input_tokens": 1_000_000,
            "cache_creation_input_tokens": 1_000_000,
        }
        full = cost_of_usage(usage, "claude-haiku-4-5")
        half = cost_of_usage(usage, "claude-haiku-4-5", batch=True)
        assert full is not None and half is not None
        assert half.batch
        assert half.total == pytest.approx(full.total / 2)

    def test_batch_service_tier_gets_the_discount(self) -> None:
        usage = {"input_tokens": 1_000_000, "service_tier": "batch"}
        cost = cost_of_usage(usage, "claude-haiku-4-5")
        assert cost is not None and cost.batch and cost.input == pytest.approx(0.5)

    def test_nulls_and_garbage_count_as_zero(self) -> None:
        usage = {"input_tokens": None, "output_tokens": "12", "cache_read_input_tokens": True}
        cost = cost_of_usage(usage, "claude-haiku-4-5")
        assert cost is not None and cost.total == 0

    def test_unknown_model_has_no_cost(self) -> None:
        assert cost_of_usage({"input_tokens": 5}, "gpt-4o") is None

    def test_as_dict_is_json_ready(self) -> None:
        cost = cost_of_usage({"input_tokens": 1000}, "claude-fable-5-2")
        assert cost is not None
        data = json.loads(json.dumps(cost.as_dict()))
        assert data["estimate"] is True
        assert data["total"] == pytest.approx(0.005)


class TestCostOfInput:
    def test_five_ways(self) -> None:
        costs = cost_of_input(1_000_000, "claude-haiku-4-5")
        assert costs == pytest.approx(
            {
                "standard": 1.0,
                "batch": 0.5,
                "cache_read": 0.1,
                "cache_write_5m": 1.25,
                "cache_write_1h": 2.0,
            }
        )

    def test_documented_haiku_5_5(self) -> None:
        costs = cost_of_input(12_345, "claude-haiku-5-5")
        assert costs is not None
        assert format_usd(costs["standard"]) == "$0.0012"

    def test_unknown_model(self) -> None:
        assert cost_of_input(100, "mystery") is None


class TestUsageLine:
    def test_known_model(self) -> None:
        usage = {
            "input_tokens": 1234,
            "output_tokens": 567,
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        }
        # 1234 × $3 + 567 × $15 per million = $0.012207
        assert (
            format_usage_line(usage, "claude-sonnet-4-5")
            == "in 1,234 · out 567 · cache read 0 · cache write 0 · $0.0122"
        )

    def test_cache_counts_are_shown(self) -> None:
        usage = {
            "input_tokens": 10,
            "output_tokens": 5,
            "cache_read_input_tokens": 20_000,
            "cache_creation_input_tokens": 3_000,
        }
        line = format_usage_line(usage, "claude-haiku-4-5-20251001")
        assert line.startswith("in 10 · out 5 · cache read 20,000 · cache write 3,000 · $")

    def test_cache_reads_say_what_they_saved(self) -> None:
        usage = {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 9_014}
        # sonnet 4.5: input $3, cache read $0.30 per million: 9,014 × $2.70 / 1e6 = $0.0243
        line = format_usage_line(usage, "claude-sonnet-4-5")
        assert line.endswith(" · cache saved ~$0.0243"), line
        batch = format_usage_line({**usage, "service_tier": "batch"}, "claude-sonnet-4-5")
        assert batch.endswith(" · cache saved ~$0.0122"), batch

    def test_a_tiny_saving_is_not_shown_as_an_estimate_of_less_than(self) -> None:
        usage = {"input_tokens": 4, "output_tokens": 3, "cache_read_input_tokens": 5}
        assert format_usage_line(usage, "claude-sonnet-4-5").endswith(" · cache saved <$0.0001")

    def test_no_savings_line_without_cache_reads(self) -> None:
        usage = {"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 0}
        assert "saved" not in format_usage_line(usage, "claude-sonnet-4-5")

    def test_unknown_model_shows_tokens_only(self) -> None:
        usage = {"input_tokens": 1, "output_tokens": 2}
        assert format_usage_line(usage, "mystery") == "in 1 · out 2 · cache read 0 · cache write 0"

    def test_estimated_price_is_marked(self) -> None:
        line = format_usage_line({"input_tokens": 1_000_000}, "claude-fable-5-2")
        assert line.endswith(" · ~$5.0000")

    def test_format_usd(self) -> None:
        assert format_usd(0.037035) == "$0.0370"
        assert format_usd(1234.5) == "$1,234.5000"
