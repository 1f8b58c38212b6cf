"""One stream consumer per process, for section 1 of bench/run.py.

    python bench/consumers.py MODE BASE_URL

MODE:
  ours        claudecli.client: Client(...).stream_message(body); iterate every event; .message()
  sdk-helper  anthropic SDK: client.messages.stream(...); iterate every event (what text_stream
              does underneath); get_final_message()
  sdk-raw     anthropic SDK: client.messages.create(stream=True, ...); iterate every event, collect
              the text deltas in a list, join once
  httpx2      "bare": httpx2.Client().stream("POST", ...); iter_lines(); json.loads() of every
              `data:` line; collect the text deltas in a list, join once. No event objects, no
              SSE parser beyond `startswith("data:")`, no accumulation of other block types.

Prints one JSON line: startup_cpu (interpreter start + imports, process CPU seconds),
stream_cpu (request + iteration + final message), events, text_chars, output_tokens.
"""

from __future__ import annotations

import json
import sys
import time

API_KEY = "sk-ant-bench-emulator"
BODY = {
    "model": "claude-sonnet-5-5",
    "max_tokens": 128000,
    "messages": [{"role": "user", "content": "bench: stream a long answer"}],
}


def _ours(url: str) -> tuple[float, int, int, int]:
    from claudecli.client import Client, ClientOptions, Secret

    mark = time.process_time()
    client = Client(ClientOptions(api_key=Secret(API_KEY), base_url=url, max_retries=0))
    stream = client.stream_message(BODY)
    events = 0
    for _ in stream:
        events += 1
    message = stream.message()
    client.close()
    chars = sum(len(b.get("text", "")) for b in message["content"] if b.get("type") == "text")
    return mark, events, chars, int(message["usage"]["output_tokens"])


def _sdk_helper(url: str) -> tuple[float, int, int, int]:
    import anthropic

    mark = time.process_time()
    client = anthropic.Anthropic(api_key=API_KEY, base_url=url, max_retries=0)
    events = 0
    with client.messages.stream(**BODY) as stream:  # type: ignore[arg-type]
        for _ in stream:
            events += 1
        message = stream.get_final_message()
    client.close()
    chars = sum(len(b.text) for b in message.content if b.type == "text")
    return mark, events, chars, message.usage.output_tokens


def _sdk_raw(url: str) -> tuple[float, int, int, int]:
    import anthropic

    mark = time.process_time()
    client = anthropic.Anthropic(api_key=API_KEY, base_url=url, max_retries=0)
    events, parts, tokens = 0, [], 0
    for event in client.messages.create(stream=True, **BODY):  # type: ignore[call-overload]
        events += 1
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            parts.append(event.delta.text)
        elif event.type == "message_delta":
            tokens = event.usage.output_tokens
    client.close()
    return mark, events, len("".join(parts)), tokens


def _httpx2(url: str) -> tuple[float, int, int, int]:
    import httpx2

    mark = time.process_time()
    headers = {"x-api-key": API_KEY, "anthropic-version": "2023-06-01"}
    body = {**BODY, "stream": True}
    events, parts, tokens = 0, [], 0
    with (
        httpx2.Client(timeout=600.0) as client,
        client.stream("POST", url + "/v1/messages", headers=headers, json=body) as response,
    ):
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            events += 1
            kind = event["type"]
            if kind == "content_block_delta" and event["delta"]["type"] == "text_delta":
                parts.append(event["delta"]["text"])
            elif kind == "message_delta":
                tokens = event["usage"]["output_tokens"]
    return mark, events, len("".join(parts)), tokens


MODES = {"ours": _ours, "sdk-helper": _sdk_helper, "sdk-raw": _sdk_raw, "httpx2": _httpx2}


def main() -> int:
    mode, url = sys.argv[1], sys.argv[2]
    mark, events, chars, tokens = MODES[mode](url)
    done = time.process_time()
    result = {
        "mode": mode,
        "startup_cpu": round(mark, 4),
        "stream_cpu": round(done - mark, 4),
        "events": events,
        "text_chars": chars,
        "output_tokens": tokens,
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
