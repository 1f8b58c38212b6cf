"""Built requests spooled to a private temporary file and cut into batches the API takes.

A batch holds at most 100,000 requests and 256 MB of body; more input becomes several parts
of one submission. Only small per-request facts stay in memory; each part's body is read back
from the spool in 1 MB chunks while it is sent (and can be read again for a retry).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from .build import Built
from .records import NewItem

__all__ = ["MAX_BATCH_BYTES", "MAX_BATCH_REQUESTS", "Part", "Spool"]

MAX_BATCH_REQUESTS: Final = 100_000
MAX_BATCH_BYTES: Final = 256 * 1024 * 1024
PREFIX: Final = b'{"requests":['
SUFFIX: Final = b"]}"
_CHUNK: Final = 1024 * 1024


@dataclass
class Part:
    """One batch's worth of requests: where its lines are in the spool, and what they are."""

    start: int
    end: int = 0
    items: list[NewItem] = field(default_factory=list)
    hasher: hashlib._Hash = field(default_factory=lambda: hashlib.sha256(PREFIX))

    @property
    def size(self) -> int:
        """The body's size in bytes, as it goes on the wire."""
        return len(PREFIX) + (self.end - self.start) + len(SUFFIX)

    @property
    def sha256(self) -> str:
        copy = self.hasher.copy()
        copy.update(SUFFIX)
        return copy.hexdigest()


class Spool:
    """Add requests one by one; read `parts` and each part's `body(part)` afterwards."""

    def __init__(
        self, *, max_requests: int = MAX_BATCH_REQUESTS, max_bytes: int = MAX_BATCH_BYTES
    ) -> None:
        self.max_requests, self.max_bytes = max_requests, max_bytes
        # 0600, deleted on close (close() or the with block)
        self._file = tempfile.TemporaryFile(prefix="claudecli-batch-")  # noqa: SIM115
        self.parts: list[Part] = []
        self._offset = 0

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, built: Built, line: bytes, params_hash: str) -> None:
        """Append one request's encoded line (`{"custom_id":…,"params":…}`)."""
        part = self._part_for(len(line))
        chunk = line if not part.items else b"," + line
        self._file.write(chunk)
        part.hasher.update(chunk)
        self._offset += len(chunk)
        part.end = self._offset
        span = (self._offset - len(line), self._offset)
        part.items.append(NewItem(built.custom_id, params_hash, built.name, built.source, span))

    def line(self, item: NewItem) -> bytes:
        """One request's line as spooled (`{"custom_id":…,"params":…}`)."""
        self._file.flush()
        start, end = item.span
        return os.pread(self._file.fileno(), end - start, start)

    def _part_for(self, size: int) -> Part:
        part = self.parts[-1] if self.parts else None
        if part is None or not self._fits(part, size):
            part = Part(start=self._offset, end=self._offset)
            self.parts.append(part)
        return part

    def _fits(self, part: Part, size: int) -> bool:
        if len(part.items) >= self.max_requests:
            return False
        return part.size + 1 + size <= self.max_bytes

    def body(self, part: Part) -> PartBody:
        self._file.flush()
        return PartBody(self._file.fileno(), part)


class PartBody:
    """A part's request body as chunks; iterable again (a retried POST reads it afresh)."""

    def __init__(self, fd: int, part: Part) -> None:
        self._fd, self.part = fd, part

    def __iter__(self) -> Iterator[bytes]:
        yield PREFIX
        position = self.part.start
        while position < self.part.end:
            chunk = os.pread(self._fd, min(_CHUNK, self.part.end - position), position)
            if not chunk:
                raise OSError("the batch spool file was truncated")
            position += len(chunk)
            yield chunk
        yield SUFFIX

    def __len__(self) -> int:
        return self.part.size
