"""Operations: the durable journal, crash recovery, timer drivers, live statistics,
reports, portfolio notifications and negative-post alerts (R-MO1, R-MO2, R-MO3)."""

from omnirouter.ops.journal import Batch, Command, Durability, Journal, Snapshot, SQLiteJournal
from omnirouter.ops.writer import JournalWriter

__all__ = [
    "Batch",
    "Command",
    "Durability",
    "Journal",
    "JournalWriter",
    "SQLiteJournal",
    "Snapshot",
]
