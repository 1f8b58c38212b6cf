"""Files API and Models API through the SDK."""

from __future__ import annotations

import anthropic
import pytest

from claudecli.emulator import Emulator

from .util import call, headers


def test_upload_retrieve_delete(client: anthropic.Anthropic) -> None:
    meta = client.files.upload(file=("notes.txt", b"hello files", "text/plain"))
    assert meta.id.startswith("file_") and meta.type == "file"
    assert (meta.filename, meta.mime_type, meta.size_bytes) == ("notes.txt", "text/plain", 11)
    assert meta.downloadable is False
    assert client.files.retrieve_metadata(meta.id) == meta
    deleted = client.files.delete(meta.id)
    assert (deleted.id, deleted.type) == (meta.id, "file_deleted")
    with pytest.raises(anthropic.NotFoundError):
        client.files.retrieve_metadata(meta.id)


def test_uploaded_files_are_not_downloadable(client: anthropic.Anthropic) -> None:
    meta = client.files.upload(file=("a.pdf", b"%PDF-1.4", "application/pdf"))
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.files.download(meta.id)
    assert caught.value.error_code == "file_not_downloadable"


def test_added_files_download(emulator: Emulator, client: anthropic.Anthropic) -> None:
    meta = emulator.add_file("chart.png", b"\x89PNG\r\n", "image/png")
    response = client.files.download(meta["id"])
    assert response.read() == b"\x89PNG\r\n"
    assert response.headers["content-type"] == "image/png"


def test_expiry_and_binary_content(client: anthropic.Anthropic) -> None:
    data = bytes(range(256)) * 4
    meta = client.files.upload(file=("blob.bin", data), expires_in_seconds=3600)
    assert meta.size_bytes == 1024 and meta.expires_at is not None
    with pytest.raises(anthropic.BadRequestError, match="expires_in_seconds"):
        client.files.upload(file=("x.txt", b"x"), expires_in_seconds=5)


def test_list_pages_with_cursor(client: anthropic.Anthropic) -> None:
    ids = [client.files.upload(file=(f"f{i}.txt", b"x", "text/plain")).id for i in range(5)]
    first = client.files.list(limit=2)
    assert [f.id for f in first.data] == ids[::-1][:2]
    assert first.next_page is not None and first.next_page.startswith("page_")
    assert [f.id for f in client.files.list(limit=2)] == ids[::-1]


def test_upload_without_file_part(emulator: Emulator) -> None:
    head = headers() | {"content-type": "multipart/form-data; boundary=xyz"}
    body = b'--xyz\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--xyz--\r\n'
    status, _, data = call(emulator, "POST", "/v1/files", body, head)
    assert status == 400 and b"file: Field required" in data


def test_models_list_and_retrieve(client: anthropic.Anthropic) -> None:
    ids = [model.id for model in client.models.list()]
    assert ids[:3] == ["claude-opus-5-5", "claude-haiku-5-5", "claude-sonnet-5-5"]
    assert {"claude-haiku-4-5", "claude-sonnet-4-5"} <= set(ids)
    haiku = client.models.retrieve("claude-haiku-5-5")
    assert (haiku.max_input_tokens, haiku.max_tokens) == (1_000_000, 128_000)
    assert haiku.capabilities is not None and haiku.capabilities.thinking.types.adaptive.supported
    old = client.models.retrieve("claude-haiku-4-5")
    assert (old.max_input_tokens, old.max_tokens) == (200_000, 64_000)
    assert old.capabilities is not None
    types = old.capabilities.thinking.types
    assert types.enabled.supported and types.disabled.supported and not types.adaptive.supported
    sonnet = client.models.retrieve("claude-sonnet-4-5")
    assert sonnet.lifecycle == "deprecated" and sonnet.retires_at is not None
    assert sonnet.retires_at.isoformat().startswith("2026-11-30")
    caps = sonnet.capabilities
    assert caps is not None and caps.pdf_input.supported and caps.citations.supported


def test_models_pagination_and_filters(client: anthropic.Anthropic) -> None:
    page = client.models.list(limit=2)
    assert len(page.data) == 2 and page.has_more and page.last_id == "claude-haiku-5-5"
    after = client.models.list(limit=2, after_id=page.last_id)
    assert after.data[0].id == "claude-sonnet-5-5"
    before = client.models.list(limit=5, before_id="claude-sonnet-5-5")
    assert [m.id for m in before.data] == ["claude-opus-5-5", "claude-haiku-5-5"]
    active = [m.id for m in client.models.list(lifecycle=["active"])]
    assert "claude-sonnet-4-5" not in active
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-nope")
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(limit=0)
