"""Malformed config files: whatever the bytes, load_config raises ConfigError or nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from claudecli.config import default_config_text, load_config, resolve_settings
from claudecli.errors import ConfigError

SEEDS = [
    default_config_text().replace("# ", ""),
    """\
x-common: &c
  base_url: https://gw.example.com
  headers: {X-Team: a, Authorization: Bearer abcdefabcdef}
default_profile: work
profiles:
  work:
    <<: *c
    model: claude-opus-5-5
    betas: [a, b]
  home: {thinking: 2048, api_key_cmd: pass show key}
""",
    "model: no\nmax_tokens: 1_000\nthinking: off\napi_version: 2026-10-21\ncache: on\n",
]
FRAGMENTS = [
    *":-[]{}&*!|>'\"#%@`,?\n \t\\",
    "!!python/object/apply:os.system ['true']",
    "!!binary",
    "!!timestamp",
    "!!int",
    "!!set",
    "!foo",
    "<<",
    "&a ",
    "*a",
    "~",
    "null",
    "yes",
    "0x1F",
    "1_000",
    "1e999",
    ".nan",
    "\x00",
    "\ufeff",
    "\x85",
    "\u2028",
    "é",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n",
    "? ",
    "profiles:",
    "headers:",
    "  ",
    "9" * 5000,
    "[" * 200,
]


def mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(chars) + 1)
        choice = rng.random()
        if choice < 0.45:
            chars[position:position] = list(rng.choice(FRAGMENTS))
        elif choice < 0.75 and chars:
            del chars[min(position, len(chars) - 1) : position + rng.randint(1, 10)]
        else:
            start = rng.randrange(len(chars) + 1)
            chars[position:position] = chars[start : start + rng.randint(1, 40)]
    return "".join(chars)


def garbage(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))


def load_and_resolve(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o644)
    config = load_config(path)
    for name in [*sorted(config.profiles)[:3], None]:
        resolve_settings({}, {}, config, name)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_mutated_yaml_only_ever_raises_config_error(tmp_path: Path, seed: int) -> None:
    rng = random.Random(20261121 + seed)
    path = tmp_path / "config.yaml"
    outcomes = {"ok": 0, "error": 0}
    for _ in range(750):
        data = mutate(rng, rng.choice(SEEDS)).encode("utf-8", "surrogatepass")
        try:
            load_and_resolve(path, data)
            outcomes["ok"] += 1
        except ConfigError as error:
            assert str(error) and "\n" not in str(error)
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0  # the fuzzer reaches both paths


@pytest.mark.slow
def test_random_bytes_only_ever_raise_config_error(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "config.yaml"
    for _ in range(1000):
        try:
            load_and_resolve(path, garbage(rng))
        except ConfigError:
            pass
