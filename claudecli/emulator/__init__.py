"""An offline emulator of the Anthropic Messages API on 127.0.0.1 (standard library only).

It speaks the wire format of the real API (docs/anthropic-api.md) closely enough that the official
SDK cannot tell the difference, for tests, demos, and scripts that should run without a key.

Python API
----------
::

    from claudecli.emulator import Emulator

    emu = Emulator(port=0, api_key=None, auth="any", prefix="", batch_delay=1.0)
    emu.start()          # serves from a daemon thread; or: `with Emulator() as emu:`
    emu.url              # "http://127.0.0.1:PORT" + prefix  -> the client's base_url
    emu.enqueue({...})   # scripted replies, FIFO (see "Items" below)
    emu.requests         # [{method, path, query, headers (lower-case), body, raw, request_id}]
    emu.reset()          # forget queue, requests, prompt cache, batches, files
    emu.add_file(name, content, mime_type=None, downloadable=True)  # -> FileMetadata dict
    emu.stop()

* `auth`: `"any"` (either header), `"bearer"` (`Authorization: Bearer KEY`) or `"x-api-key"`.
  `api_key=None` accepts any non-empty key; otherwise only that key. Missing/wrong -> 401.
* `prefix`: mount every route under it, e.g. `"/anthropic"` (LiteLLM-style passthrough).
* `batch_delay`: seconds a batch stays `in_progress` before it `ended`.
* Bad settings raise `ValueError`: `port` outside 0-65535 (`MAX_PORT`), `auth` not in
  `AUTH_MODES`, `batch_delay` outside 0-86400 s (`MAX_BATCH_DELAY`), a `prefix` that is not a plain
  URL path. `start()` raises `ListenError` (an `OSError`, with its `errno`) when the port is taken.
* `serve(host="127.0.0.1", port=0, *, api_key, auth, prefix, batch_delay, on_ready)` blocks until
  SIGINT/SIGTERM, calling `on_ready(url)` once listening, and returns that signal's number after a
  clean shutdown (`claudecli emulator serve` then exits 130 / 143). `python -m claudecli.emulator
  --port 0` prints the URL as its first stdout line. Only loopback hosts are accepted.

Routes
------
`POST /v1/messages` (JSON or SSE), `POST /v1/messages/count_tokens`, `GET /v1/models[/{id}]`,
`/v1/messages/batches` (create, list, get, cancel, delete, results JSONL), `/v1/files` (multipart
upload, list, get, delete, `/content`). Every response carries `request-id: req_emu_…`; errors use
`{"type":"error","error":{"type","message","details"},"request_id"}`. `anthropic-version` is
required (`2023-06-01` or `2026-10-21`; under the latter `temperature`/`top_p`/`top_k`, documents
in assistant turns and citations on user text are 400s). Control routes (no auth):
`POST /_emulator/enqueue` (item or list), `POST /_emulator/reset`, `GET /_emulator/requests`,
`POST /_emulator/files`.

Cloud routes (`claudecli.emulator.clouds` has the details)
---------------------------------------------------------
Amazon Bedrock: `POST /model/{id}/invoke`, `/invoke-with-response-stream` (AWS event-stream
frames, `chunk` = base64 of each SSE event's JSON, an SSE `error` becomes an `exception` frame
such as `throttlingException`) and `/count-tokens` (`{"inputTokens"}`). Auth: a SigV4
`Authorization` whose credential scope is `…/{aws_region}/bedrock/aws4_request` (the region is
`Emulator(aws_region="us-east-1")`; the signature is not recomputed) with `x-amz-date`, or a
Bedrock API key as `Bearer`. Body: no `model`/`stream`, `anthropic_version`
`bedrock-2023-05-31` or `2026-10-21`, optional `anthropic_beta`. Errors: `{"message"}` with
`x-amzn-ErrorType` and `x-amzn-RequestId`. Model ids:
`[us.|eu.|apac.|global.…]anthropic.<id>[-vN[:M]]`. Google Vertex AI:
`POST [/v1]/projects/{p}/locations/{r}/publishers/anthropic/models/{id}:rawPredict` or
`:streamRawPredict` (SSE), `…/models/count-tokens:rawPredict`; a Bearer token; body without
`model` (except count-tokens), `anthropic_version` `vertex-2023-10-16` or `2026-10-21`; errors as
`google.rpc.Status`; `Emulator(vertex_region=…)` pins the location. `POST /token` is an OAuth
token endpoint (tokens listed in `emu.issued_tokens`): a service-account file whose `token_uri`
points at it makes google-auth refresh offline. Directives, queued items (they target the
matching first-party route) and stream faults work on every cloud route.

Replies
-------
Deterministic: the same request body (ignoring `stream`) gives the same `msg_emu_<24 hex>` id and
the same content. The default reply is one text block `"Echo: " + <last user text>` (directive lines
removed; if there is no text, the tool results' text). A request with `thinking.type: "enabled"`
also gets a thinking block; documents with `citations.enabled` get one cited text block each.
Structured outputs: a request with `output_config.format` (`{"type": "json_schema", "schema"}`)
is answered with JSON valid under the schema instead of the echo, made from the schema alone
(`claudecli.emulator.schemagen`: `$ref`, `anyOf`, formats, bounds, …; an unresolvable `$ref` or
an unsatisfiable schema is a 400). `text`/`tokens` still replace it; `stop=max_tokens` cuts it in
half (invalid JSON, as a real truncated answer is); a small `max_tokens` cuts it too.
Tokens: ceil(chars/4) per text, +4 per request, +3 per message, 1,600 per image, 1,500 per PDF
page; `count_tokens` equals `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`.
Prompt caching: prefixes ending at a `cache_control` breakpoint are written the first time and
read by later requests (20-block lookback; 5m/1h TTL). A streamed reply folds to exactly the
non-streamed one (unless the cache state changed in between).

Directives and items
--------------------
A line `#emu key=value key2 …` (shell quoting; bare key = true) in the last user message picks the
reply; an `enqueue()` item is a dict with the same keys. Queued items are taken by the next
request to `/v1/messages` or `/v1/messages/count_tokens`, or to the route matching the item's
`path` glob (e.g. `"/v1/models*"`); a queued item replaces the directives of that request.

Content: `text` (str) · `tokens` (int: that many tokens of Markdown-ish filler) · `thinking`
(true or the thinking text) · `thinking_tokens` (int) · `display` (summarized|omitted; default:
the request's, else omitted on 5.x models, summarized on 4.5) · `redacted_thinking` (bool) ·
`tool` (name, comma list, or true = the request's first tool) · `tool_input` (JSON object;
default: sample values from the tool's input_schema) · `citations` (bool) · `server_tool`
(web_search|code_execution; code execution also creates a downloadable file) · `stop`
(end_turn|max_tokens|stop_sequence|tool_use|pause_turn|refusal|model_context_window_exceeded) ·
`stop_sequence` · `category`/`explanation` (refusal stop_details) · `service_tier` ·
`ping_every` (int).

HTTP: `status` (int; error body of the right type, 413 is Cloudflare HTML) · `error_type` ·
`message` · `error_code` (-> `details.error_code`) · `retry_after` (s) · `retry_after_ms` ·
`should_retry` (-> `x-should-retry`) · `headers` (object, added to the response) · `delay` (s before
answering) · `json` (literal body, with `status` default 200) · `sse_bytes` / `sse_file` (replay a
raw SSE body verbatim, e.g. the shared fixtures; one HTTP chunk per event, or whole events grouped
into chunks of about `chunk_bytes` bytes).

Stream faults: `fault` = reset|drop|eof|truncate|error|stall|drip|malformed|unknown|unknown_event|
unknown_block|unknown_delta|json_body, tuned by `after` (events sent first, pings counted),
`seconds` and `count`; see `claudecli.emulator.faults`. Batches: `batch_result` =
succeeded|errored|canceled|expired. Routing: `path`.
"""

from __future__ import annotations

from .app import AUTH_MODES, MAX_BATCH_DELAY, normalise_prefix
from .server import MAX_PORT, Emulator, ListenError, serve

__all__ = [
    "AUTH_MODES",
    "MAX_BATCH_DELAY",
    "MAX_PORT",
    "Emulator",
    "ListenError",
    "normalise_prefix",
    "serve",
]
