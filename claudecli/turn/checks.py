"""Refusals and warnings a turn gets before anything is sent: what the model takes, and size.

Model facts come from the models list (`GET /v1/models`, cached for a day). The list has no
prefill flag: prefill went away with budget thinking (the models that accept
`thinking.type=enabled` are the ones that still take a prefilled answer), so that capability
is read from the thinking types.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from claudecli.errors import InputError, UsageError

if TYPE_CHECKING:
    from claudecli.request import RequestSpec

CHARS_PER_TOKEN: Final = 4  # a deliberately generous estimate: real text runs 3.5-4.5
IMAGE_TOKENS: Final = 1_600  # the most a resized image costs (about 1.15 megapixels / 750)
PDF_PAGE_TOKENS: Final = 3_000  # a page's text plus its image, at the high end
UNKNOWN_WINDOW_BELOW: Final = 200_000  # the smallest window of a current model


def check_capabilities(spec: RequestSpec, info: Mapping[str, Any] | None) -> None:
    """UsageError when the model is known not to take the prefill or the thinking budget."""
    from claudecli.models import thinking_types

    known = thinking_types(info)
    if not known or "enabled" in known:
        return
    model = spec.model
    if isinstance(spec.thinking, int):
        raise UsageError(
            f"--thinking {spec.thinking}: {model} takes no thinking budget; use --thinking "
            "adaptive, and --effort low|medium|high|xhigh|max to trade depth for speed"
        )
    if spec.prefill:
        raise UsageError(
            f"--prefill: {model} does not accept a prefilled answer; use --schema FILE for "
            "JSON output, or say in the prompt how the answer must begin"
        )


def check_stdin_once(attach: tuple[str, ...]) -> None:
    if attach.count("-") > 1:
        raise UsageError("--attach -: stdin can be attached only once")


def citation_warnings(spec: RequestSpec, body: Mapping[str, Any]) -> tuple[str, ...]:
    """--citations with no document in the request cites nothing: say so."""
    from claudecli.request import document_titles

    if not spec.citations or document_titles(body):
        return ()
    return ("--citations: no document to cite; attach one with -a FILE or pipe it in",)


def estimate_input_tokens(spec: RequestSpec, body: Mapping[str, Any]) -> int:
    """A quick upper-end estimate of the request's input tokens, without the network."""
    from claudecli.request import redact_for_display

    text = json.dumps(redact_for_display(body), ensure_ascii=False)
    media = sum(_media_tokens(item.kind, item.pages) for item in spec.attachments)
    return len(text) // CHARS_PER_TOKEN + media


def _media_tokens(kind: str, pages: int | None) -> int:
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "pdf":
        return PDF_PAGE_TOKENS * (pages or 1)
    return 0


def may_exceed_a_window(estimate: int) -> bool:
    """Worth looking the model's window up (every current window is at least this)."""
    return estimate > UNKNOWN_WINDOW_BELOW


def check_window(spec: RequestSpec, estimate: int, window: int | None) -> None:
    """InputError when the estimate is over the model's context window (--force sends anyway)."""
    if window is None or estimate <= window:
        return
    raise InputError(
        f"the request is about {estimate:,} tokens (estimated), over {spec.model}'s context "
        f"window of {window:,}; `claudecli count-tokens` counts it exactly, --force sends anyway"
    )
