"""The acknowledgement mark: how far a journal was durable, kept outside its database.

SQLite's write-ahead log can lose its tail without a trace (a deleted or truncated
``-wal`` file, a damaged frame: SQLite then stops reading there and reports a smaller,
consistent database). The mark is a small file beside the database (``<journal>-mark``)
that records, after every durable batch, the number and chained checksum of the last
command and of the last event. Comparing it with the database tells a complete journal
from one that lost acknowledged records.

The file holds two fixed-size slots written alternately, each with its own checksum:
a write torn by a crash leaves the other slot, one batch older, readable. Each write is
followed by ``fsync`` before the batch is acknowledged.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from typing import Final

import attrs

__all__ = ["Mark", "MarkFile"]

_MAGIC: Final = b"omnimrk1"
# magic, journal id (16 bytes), generation, command seq, command crc, event id, event crc
_LAYOUT: Final = struct.Struct("<8s16sQQIQI")
_SLOT: Final = 64
_CRC: Final = struct.Struct("<I")


@attrs.frozen(slots=True)
class Mark:
    """What was durable after the last acknowledged batch."""

    journal_id: bytes
    generation: int
    seq: int
    command_crc: int
    event_id: int
    event_crc: int


class MarkFile:
    """Reads and writes the two-slot mark file of one journal."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def exists(self) -> bool:
        """True when the mark file is there (even if unreadable)."""
        return self.path.exists()

    def read(self) -> Mark | None:
        """The newest valid slot; None when the file is missing. Raises ``ValueError``
        when the file exists but no slot is valid."""
        marks = self.read_all()
        return marks[0] if marks else None

    def read_all(self) -> list[Mark]:
        """The valid slots, newest first; [] when the file is missing. Raises
        ``ValueError`` when the file exists but no slot is valid."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        found: list[Mark] = []
        for start in (0, _SLOT):
            slot = data[start : start + _SLOT]
            if len(slot) < _LAYOUT.size + _CRC.size:
                continue
            body = slot[: _LAYOUT.size]
            (crc,) = _CRC.unpack_from(slot, _LAYOUT.size)
            if zlib.crc32(body) != crc:
                continue
            magic, journal_id, generation, seq, command_crc, event_id, event_crc = _LAYOUT.unpack(
                body
            )
            if magic != _MAGIC:
                continue
            found.append(Mark(journal_id, generation, seq, command_crc, event_id, event_crc))
        if not found:
            raise ValueError("no readable slot")
        return sorted(found, key=lambda mark: mark.generation, reverse=True)

    def write(self, mark: Mark) -> None:
        """Write ``mark`` into its slot (by generation) and sync it to disk."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        body = _LAYOUT.pack(
            _MAGIC,
            mark.journal_id,
            mark.generation,
            mark.seq,
            mark.command_crc,
            mark.event_id,
            mark.event_crc,
        )
        slot = (body + _CRC.pack(zlib.crc32(body))).ljust(_SLOT, b"\0")
        os.pwrite(self._fd, slot, (mark.generation % 2) * _SLOT)
        # The file keeps its size once both slots exist: syncing the data is enough.
        sync = os.fdatasync if hasattr(os, "fdatasync") and mark.generation > 2 else os.fsync
        sync(self._fd)

    def close(self) -> None:
        """Close the file handle (the file stays)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
