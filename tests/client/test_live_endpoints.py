"""Every endpoint of `Client` against the live emulator: count_tokens, models, batches, files."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from claudecli.client import APIStatusError, Client, ClientOptions, Secret
from claudecli.emulator import Emulator
from claudecli.request import COUNT_TOKENS_EXCLUDED

JSON = dict[str, Any]
KEY = "sk-test-SECRET-1234"
MODEL = "claude-sonnet-5-5"


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(emulator: Emulator, sleeps: list[float]) -> Iterator[Client]:
    options = ClientOptions(api_key=Secret(KEY), base_url=emulator.url)
    with Client(options, sleep=sleeps.append) as built:
        yield built


def message_body(content: Any, **extra: Any) -> JSON:
    body: JSON = {
        "model": MODEL,
        "max_tokens": 512,
        "messages": [{"role": "user", "content": content}],
    }
    body.update(extra)
    return body


def count_body(body: JSON) -> JSON:
    """count_tokens takes the create body minus the create-only fields (as the API does)."""
    return {k: v for k, v in body.items() if k not in COUNT_TOKENS_EXCLUDED}


def input_total(usage: JSON) -> int:
    return int(
        usage["input_tokens"]
        + usage["cache_creation_input_tokens"]
        + usage["cache_read_input_tokens"]
    )


def queries(emulator: Emulator, path: str) -> list[dict[str, list[str]]]:
    """The parsed query strings of the GET requests to `path`, oldest first."""
    return [
        parse_qs(r["query"])
        for r in emulator.requests
        if r["path"] == path and r["method"] == "GET"
    ]


# --- count_tokens ---------------------------------------------------------------------------

CACHED_SYSTEM = [{"type": "text", "text": "Rules. " * 400, "cache_control": {"type": "ephemeral"}}]
TOOL: JSON = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}
COUNT_CASES = {
    "plain": message_body("How many tokens is this?"),
    "system-and-tools": message_body("hi", system="Be brief.", tools=[TOOL], stop_sequences=["X"]),
    "cached-prefix": message_body("hello", system=CACHED_SYSTEM),
    "multi-turn": {
        "model": MODEL,
        "max_tokens": 64,
        "messages": [
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "two"},
            {"role": "user", "content": [{"type": "text", "text": "three"}]},
        ],
    },
}


@pytest.mark.parametrize("name", list(COUNT_CASES))
def test_count_tokens_equals_the_message_input_total(
    emulator: Emulator, client: Client, name: str
) -> None:
    body = COUNT_CASES[name]
    counted = client.count_tokens(count_body(body))
    assert set(counted) == {"input_tokens"}
    first = client.create_message(body)
    assert counted["input_tokens"] == input_total(first["usage"])
    # A second request reads the cache (if any): the split changes, the total does not.
    stream = client.stream_message(body)
    list(stream)
    assert counted["input_tokens"] == input_total(stream.message()["usage"])
    if name == "cached-prefix":
        assert first["usage"]["cache_creation_input_tokens"] > 0
        assert stream.message()["usage"]["cache_read_input_tokens"] > 0
    assert emulator.requests[0]["path"] == "/v1/messages/count_tokens"


def test_count_tokens_rejects_create_only_fields(emulator: Emulator, client: Client) -> None:
    with pytest.raises(APIStatusError) as info:
        client.count_tokens(message_body("hi"))
    assert (info.value.status_code, info.value.error_type) == (400, "invalid_request_error")
    assert "max_tokens" in info.value.message
    assert len(emulator.requests) == 1


# --- models ---------------------------------------------------------------------------------


def test_models_pagination_across_small_pages(emulator: Emulator, client: Client) -> None:
    everything = list(client.iter_models())  # one page of up to 1000
    assert len(everything) >= 3
    assert len(emulator.requests) == 1
    emulator.reset()

    paged = list(client.iter_models(page_size=2))
    assert paged == everything
    assert len({m["id"] for m in paged}) == len(paged)
    pages = queries(emulator, "/v1/models")
    assert len(pages) == math.ceil(len(everything) / 2)
    assert all(q["limit"] == ["2"] for q in pages)
    assert "after_id" not in pages[0]
    assert [q["after_id"][0] for q in pages[1:]] == [m["id"] for m in everything[1:-1:2]]


def test_get_model_equals_the_listed_one(client: Client) -> None:
    listed = next(client.iter_models())
    assert client.get_model(listed["id"]) == listed
    with pytest.raises(APIStatusError) as info:
        client.get_model("claude-nonexistent-1")
    assert (info.value.status_code, info.value.error_type) == (404, "not_found_error")


# --- batches --------------------------------------------------------------------------------


def batch_request(custom_id: str, text: str, **params: Any) -> JSON:
    return {"custom_id": custom_id, "params": {**message_body(text), **params}}


def wait_until_ended(client: Client, batch_id: str, limit: float = 3.0) -> JSON:
    give_up = time.monotonic() + limit
    while True:
        batch = client.get_batch(batch_id)
        if batch["processing_status"] == "ended":
            return batch
        assert time.monotonic() < give_up, batch
        time.sleep(0.03)


def test_batch_lifecycle_and_results(emulator: Emulator, client: Client) -> None:
    requests = [
        batch_request("ok-1", "first"),
        batch_request("ok-2", "second"),
        batch_request("ok-3", "third"),
        batch_request("err", "x\n#emu batch_result=errored"),
        batch_request("exp", "x\n#emu batch_result=expired"),
        batch_request("can", "x\n#emu batch_result=canceled"),
        batch_request("bad-model", "x", model="claude-nonexistent-1"),
    ]
    created = client.create_batch(requests)
    assert created["type"] == "message_batch"
    assert created["processing_status"] == "in_progress"
    assert created["request_counts"]["processing"] == len(requests)
    assert created["results_url"] is None

    retrieved = client.get_batch(created["id"])
    assert retrieved["processing_status"] == "in_progress"

    # Deleting a batch that is still being processed is rejected (and not retried).
    with pytest.raises(APIStatusError) as info:
        client.delete_batch(created["id"])
    assert (info.value.status_code, info.value.error_type) == (400, "invalid_request_error")
    assert info.value.request_id

    ended = wait_until_ended(client, created["id"])
    assert ended["request_counts"] == {
        "processing": 0,
        "succeeded": 3,
        "errored": 2,
        "canceled": 1,
        "expired": 1,
    }
    assert ended["results_url"].endswith(f"/v1/messages/batches/{created['id']}/results")

    results = list(client.iter_batch_results(created["id"]))
    ids = [line["custom_id"] for line in results]
    assert sorted(ids) == sorted(r["custom_id"] for r in requests)
    assert ids != [r["custom_id"] for r in requests]  # order differs from submission
    by_id = {line["custom_id"]: line["result"] for line in results}
    assert by_id["ok-2"]["type"] == "succeeded"
    assert by_id["ok-2"]["message"]["content"] == [{"type": "text", "text": "Echo: second"}]
    assert by_id["ok-2"]["message"]["usage"]["service_tier"] == "batch"
    assert by_id["err"]["type"] == "errored"
    assert by_id["err"]["error"]["error"]["type"] == "api_error"
    assert by_id["bad-model"]["type"] == "errored"
    assert by_id["bad-model"]["error"]["error"]["type"] == "not_found_error"
    assert by_id["exp"] == {"type": "expired"}
    assert by_id["can"] == {"type": "canceled"}
    results_request = emulator.requests[-1]
    assert results_request["path"].endswith("/results")
    assert results_request["headers"]["accept"] == "application/binary"

    # An ended batch cannot be canceled, but it can be deleted; then it is gone.
    with pytest.raises(APIStatusError):
        client.cancel_batch(created["id"])
    assert client.delete_batch(created["id"]) == {
        "id": created["id"],
        "type": "message_batch_deleted",
    }
    with pytest.raises(APIStatusError) as gone:
        client.get_batch(created["id"])
    assert gone.value.status_code == 404


def test_batch_results_before_the_end_are_an_error(client: Client) -> None:
    created = client.create_batch([batch_request("a", "x")])
    with pytest.raises(APIStatusError) as info:
        list(client.iter_batch_results(created["id"]))
    assert info.value.status_code == 400


def test_batch_list_pagination(emulator: Emulator, client: Client) -> None:
    made = [client.create_batch([batch_request(f"r{n}", str(n))])["id"] for n in range(5)]
    newest_first = made[::-1]

    page = client.list_batches_page(limit=2)
    assert [b["id"] for b in page["data"]] == newest_first[:2]
    assert page["has_more"] is True
    assert page["first_id"] == newest_first[0] and page["last_id"] == newest_first[1]
    rest = client.list_batches_page(limit=10, after_id=page["last_id"])
    assert [b["id"] for b in rest["data"]] == newest_first[2:]
    assert rest["has_more"] is False

    before = len(emulator.requests)
    assert [b["id"] for b in client.iter_batches(page_size=2)] == newest_first
    pages = queries(emulator, "/v1/messages/batches")[-3:]
    assert len(emulator.requests) - before == 3
    assert [q.get("after_id") for q in pages] == [None, [newest_first[1]], [newest_first[3]]]


def test_batch_cancel_then_delete() -> None:
    # A longer processing window than the shared fixture's, so the cancel lands in time.
    with Emulator(batch_delay=0.4) as emu:
        options = ClientOptions(api_key=Secret(KEY), base_url=emu.url)
        with Client(options) as client:
            created = client.create_batch([batch_request(f"r{n}", str(n)) for n in range(4)])
            canceled = client.cancel_batch(created["id"])
            assert canceled["processing_status"] == "canceling"
            assert canceled["cancel_initiated_at"] is not None
            with pytest.raises(APIStatusError) as info:
                client.delete_batch(created["id"])  # canceling is still "being processed"
            assert info.value.status_code == 400
            ended = wait_until_ended(client, created["id"])
            assert ended["request_counts"]["canceled"] == 4
            lines = list(client.iter_batch_results(created["id"]))
            assert {line["result"]["type"] for line in lines} == {"canceled"}
            client.delete_batch(created["id"])
            assert list(client.iter_batches()) == []


# --- files ----------------------------------------------------------------------------------


def test_files_upload_list_get_delete(emulator: Emulator, client: Client, tmp_path: Path) -> None:
    paths = []
    for n in range(3):
        path = tmp_path / f"notes-{n}.txt"
        path.write_bytes(f"file number {n}\n".encode())
        paths.append(path)
    uploaded = [client.upload_file(p, mime_type="text/plain") for p in paths]
    for path, meta in zip(paths, uploaded, strict=True):
        assert meta["type"] == "file"
        assert meta["filename"] == path.name
        assert meta["mime_type"] == "text/plain"
        assert meta["size_bytes"] == path.stat().st_size
        assert meta["downloadable"] is False
    upload_request = emulator.requests[0]
    assert upload_request["headers"]["content-type"].startswith("multipart/form-data")
    assert b"file number 0" in upload_request["raw"]

    listed = list(client.iter_files(page_size=2))  # two pages with a `page_…` cursor
    assert [f["id"] for f in listed] == [m["id"] for m in uploaded[::-1]]
    pages = queries(emulator, "/v1/files")
    assert len(pages) == 2 and pages[1]["page"][0].startswith("page_")

    assert client.get_file(uploaded[1]["id"]) == uploaded[1]
    assert client.delete_file(uploaded[1]["id"]) == {
        "id": uploaded[1]["id"],
        "type": "file_deleted",
    }
    with pytest.raises(APIStatusError) as info:
        client.get_file(uploaded[1]["id"])
    assert (info.value.status_code, info.value.error_type) == (404, "not_found_error")
    assert [f["id"] for f in client.iter_files()] == [uploaded[2]["id"], uploaded[0]["id"]]


def test_download_file(emulator: Emulator, client: Client) -> None:
    payload = bytes(range(256)) * 300  # binary, larger than one read chunk
    meta = emulator.add_file("output.bin", payload, "application/octet-stream")
    assert b"".join(client.download_file(meta["id"])) == payload
    assert emulator.requests[-1]["headers"]["accept"] == "application/binary"


def test_download_of_an_uploaded_file_is_refused(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "mine.txt"
    path.write_text("not downloadable")
    meta = client.upload_file(path)
    with pytest.raises(APIStatusError) as info:
        b"".join(client.download_file(meta["id"]))
    assert info.value.status_code == 400
    assert info.value.error_code == "file_not_downloadable"


def test_download_of_a_code_execution_output(client: Client) -> None:
    reply = client.create_message(message_body("out\n#emu server_tool=code_execution"))
    result = next(b for b in reply["content"] if b["type"] == "code_execution_tool_result")
    file_id = result["content"]["content"][0]["file_id"]
    assert b"".join(client.download_file(file_id)) == result["content"]["stdout"].encode()
    assert result["content"]["stdout"] == "out\n"


def test_endpoint_errors_are_retried_like_messages(
    emulator: Emulator, client: Client, sleeps: list[float]
) -> None:
    emulator.enqueue({"status": 529, "path": "/v1/models*"}, {"status": 503, "path": "/v1/files"})
    assert list(client.iter_models())
    assert list(client.iter_files()) == []
    assert len(sleeps) == 2
    assert [r["path"] for r in emulator.requests] == ["/v1/models"] * 2 + ["/v1/files"] * 2
