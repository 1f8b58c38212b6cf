"""What a submission will cost at the batch price (an upper-end estimate, before sending)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Estimate"]


@dataclass
class Estimate:
    """Input tokens (estimated) and the most output tokens (max_tokens), per model."""

    input_tokens: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    max_output: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, model: str, input_tokens: int, max_tokens: int) -> None:
        self.input_tokens[model] += input_tokens
        self.max_output[model] += max_tokens

    def input_usd(self) -> float | None:
        return self._usd(lambda model: {"input_tokens": self.input_tokens[model]})

    def most_usd(self) -> float | None:
        """Input plus every answer at its max_tokens: what the submission costs at most."""
        return self._usd(
            lambda model: {
                "input_tokens": self.input_tokens[model],
                "output_tokens": self.max_output[model],
            }
        )

    def unknown_models(self) -> list[str]:
        from claudecli.pricing import price_for

        return sorted(model for model in self.input_tokens if price_for(model) is None)

    def _usd(self, usage_of: Callable[[str], dict[str, int]]) -> float | None:
        from claudecli.pricing import cost_of_usage

        total = 0.0
        for model in self.input_tokens:
            cost = cost_of_usage(usage_of(model), model, batch=True)
            if cost is None:
                return None
            total += cost.total
        return total

    def line(self, count: int) -> str:
        """`12 requests · ~34,567 input tokens · est. $0.0520 input, at most $1.2000 …`."""
        from claudecli.pricing import format_tokens, format_usd

        tokens = sum(self.input_tokens.values())
        plural = "s" if count != 1 else ""
        text = f"{count:,} request{plural} · ~{format_tokens(tokens)} input tokens"
        low, high = self.input_usd(), self.most_usd()
        if low is None or high is None:
            return text + f" · no price known for {', '.join(self.unknown_models())}"
        return text + (
            f" · est. {format_usd(low)} input, at most {format_usd(high)} with every answer at "
            "max_tokens (batch price)"
        )
