"""--dry-run redaction."""

from __future__ import annotations

import base64
import copy
import json

from claudecli.request.build import RequestSpec, build_messages_body
from claudecli.request.dryrun import dry_run_json, redact_for_display
from claudecli.request.inputs import attachment_from_bytes
from tests.request import media


def _body() -> dict[str, object]:
    spec = RequestSpec(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        prompt="Compare",
        citations=True,
        attachments=(
            attachment_from_bytes(media.pdf(2), label="r.pdf"),
            attachment_from_bytes(media.png(3, 3), label="a.png"),
            attachment_from_bytes(b"notes", label="n.md"),
        ),
    )
    return build_messages_body(spec)


def test_base64_payloads_are_replaced_by_their_size() -> None:
    body = _body()
    original = copy.deepcopy(body)
    shown = redact_for_display(body)
    pdf_block, png_block, text_block, prompt = shown["messages"][0]["content"]
    assert pdf_block["source"] == {
        "type": "base64",
        "media_type": "application/pdf",
        "data": f"<base64: {len(media.pdf(2)):,} bytes of application/pdf>",
    }
    assert png_block["source"]["data"] == f"<base64: {len(media.png(3, 3)):,} bytes of image/png>"
    assert text_block["source"]["data"] == "notes"  # text is shown as is
    assert prompt == {"type": "text", "text": "Compare"}
    assert body == original  # the real body is untouched


def test_placeholder_size_is_the_decoded_size() -> None:
    for size in range(7):
        data = base64.b64encode(b"x" * size).decode()
        source = {"type": "base64", "media_type": "image/gif", "data": data}
        assert (
            redact_for_display({"s": source})["s"]["data"]
            == f"<base64: {size:,} bytes of image/gif>"
        )


def test_dry_run_json_is_small_and_valid() -> None:
    text = dry_run_json(_body())
    parsed = json.loads(text)
    assert parsed["model"] == "claude-sonnet-5-5"
    assert len(text) < 2000
    assert base64.b64encode(media.pdf(2)).decode()[:40] not in text
