"""Where the recorded SSE streams live.

The six streams of `../shared/fixtures/streams/` are bundled byte-for-byte in
`tests/fixtures/streams/` so that a clone is self-contained; `test_bundled_streams_match_shared`
fails if the two copies ever drift apart.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREAMS = ROOT / "tests" / "fixtures" / "streams"
SHARED_STREAMS = ROOT.parent / "shared" / "fixtures" / "streams"


def stream_files() -> list[Path]:
    return sorted(STREAMS.glob("*.sse"))
