"""Message Batches through the SDK: lifecycle, results, cancel, delete, validation."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from claudecli.emulator import Emulator

from .util import MODEL, post, user, wait_ended

Params = dict[str, Any]


def _params(text: str, **extra: Any) -> Params:
    return {"model": MODEL, "max_tokens": 64, "messages": [user(text)], **extra}


def _requests(*texts: str) -> list[dict[str, Any]]:
    return [{"custom_id": f"req-{i}", "params": _params(t)} for i, t in enumerate(texts)]


def test_batch_lifecycle(client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=_requests("a", "b", "c", "d"))  # type: ignore[arg-type]
    assert batch.processing_status == "in_progress" and batch.id.startswith("msgbatch_")
    assert batch.request_counts.processing == 4 and batch.results_url is None
    ended = wait_ended(client, batch.id)
    assert ended.processing_status == "ended" and ended.ended_at is not None
    assert ended.request_counts.succeeded == 4 and ended.request_counts.processing == 0
    assert ended.results_url is not None and ended.results_url.endswith(f"/{batch.id}/results")
    lines = list(client.messages.batches.results(batch.id))
    order = [line.custom_id for line in lines]
    assert sorted(order) == ["req-0", "req-1", "req-2", "req-3"] and order != sorted(order)
    by_id = {line.custom_id: line.result for line in lines}
    message = by_id["req-2"].message  # type: ignore[union-attr]
    assert message.content[0].text == "Echo: c"  # type: ignore[union-attr]
    assert message.usage.service_tier == "batch"


def test_forced_and_invalid_results(client: anthropic.Anthropic) -> None:
    requests = [
        {"custom_id": "ok", "params": _params("fine")},
        {"custom_id": "bad-model", "params": _params("x", model="claude-nope")},
        {"custom_id": "gone", "params": _params("#emu batch_result=expired")},
        {"custom_id": "stopped", "params": _params("#emu batch_result=canceled")},
        {"custom_id": "boom", "params": _params("#emu status=529")},
    ]
    batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    counts = wait_ended(client, batch.id).request_counts
    assert (counts.succeeded, counts.errored, counts.expired, counts.canceled) == (1, 2, 1, 1)
    results = {line.custom_id: line.result for line in client.messages.batches.results(batch.id)}
    assert results["bad-model"].error.error.type == "not_found_error"  # type: ignore[union-attr]
    assert results["boom"].error.error.type == "overloaded_error"  # type: ignore[union-attr]
    assert results["gone"].type == "expired" and results["stopped"].type == "canceled"


def test_cancel_marks_unfinished_requests_canceled() -> None:
    with (
        Emulator(batch_delay=0.5) as emu,
        anthropic.Anthropic(api_key="sk-test", base_url=emu.url, max_retries=0) as client,
    ):
        batch = client.messages.batches.create(requests=_requests("a", "b"))  # type: ignore[arg-type]
        canceling = client.messages.batches.cancel(batch.id)
        assert canceling.processing_status == "canceling"
        assert canceling.cancel_initiated_at is not None
        ended = wait_ended(client, batch.id)
        assert ended.request_counts.canceled == 2
        with pytest.raises(anthropic.BadRequestError):
            client.messages.batches.cancel(batch.id)


def test_delete_only_after_end(client: anthropic.Anthropic) -> None:
    batch = client.messages.batches.create(requests=_requests("a"))  # type: ignore[arg-type]
    with pytest.raises(anthropic.BadRequestError, match="being processed"):
        client.messages.batches.delete(batch.id)
    wait_ended(client, batch.id)
    deleted = client.messages.batches.delete(batch.id)
    assert (deleted.id, deleted.type) == (batch.id, "message_batch_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve(batch.id)


def test_list_is_newest_first_and_paginates(client: anthropic.Anthropic) -> None:
    ids = [client.messages.batches.create(requests=_requests("x")).id for _ in range(3)]  # type: ignore[arg-type]
    page = client.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == ids[::-1][:2] and page.has_more
    assert [b.id for b in client.messages.batches.list(limit=2)] == ids[::-1]


def test_results_before_end_are_refused() -> None:
    with Emulator(batch_delay=5) as emu:
        status, batch = post(emu, "/v1/messages/batches", {"requests": _requests("a")})
        assert status == 200
        client = anthropic.Anthropic(api_key="k", base_url=emu.url, max_retries=0)
        with client, pytest.raises(anthropic.AnthropicError, match="results_url"):
            list(client.messages.batches.results(batch["id"]))


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([], "between 1 and"),
        ([{"custom_id": "has space", "params": _params("a")}], "custom_id"),
        ([{"custom_id": "x" * 65, "params": _params("a")}], "custom_id"),
        (
            [
                {"custom_id": "same", "params": _params("a")},
                {"custom_id": "same", "params": _params("b")},
            ],
            "duplicate custom_id",
        ),
        ([{"custom_id": "a", "params": "nope"}], "params"),
        (
            [{"custom_id": "a", "params": {"model": MODEL, "messages": []}}],
            "max_tokens: Field required",
        ),
        ([{"custom_id": "a", "params": _params("a", stream=True)}], "streaming"),
    ],
)
def test_create_validation(emulator: Emulator, requests: list[Any], message: str) -> None:
    status, reply = post(emulator, "/v1/messages/batches", {"requests": requests})
    assert status == 400 and message in reply["error"]["message"]
