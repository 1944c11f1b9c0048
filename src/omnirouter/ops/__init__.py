"""Operations: the durable journal, crash recovery, timer drivers, live statistics,
reports, portfolio notifications and negative-post alerts.

Reach it as ``om.ops``; the main names are also on the ``om`` facade.
"""

from omnirouter.ops.alerts import ALERT_KIND, NegativePostRule, TextClassifier, watch_negative_posts
from omnirouter.ops.drivers import AsyncioDriver, ThreadedDriver
from omnirouter.ops.journal import Batch, Command, Durability, Journal, Snapshot, SQLiteJournal
from omnirouter.ops.portfolio import PortfolioNotice, watch_portfolio
from omnirouter.ops.recovery import replay
from omnirouter.ops.reports import (
    DIMENSIONS,
    INTERVALS,
    Report,
    ReportRow,
    build_report,
    journal_report,
)
from omnirouter.ops.stats import (
    AgentStats,
    ChannelStats,
    LiveStats,
    QueueStats,
    ReasonStats,
    RouterStats,
    TeamStats,
)
from omnirouter.ops.writer import JournalWriter

__all__ = [
    "ALERT_KIND",
    "DIMENSIONS",
    "INTERVALS",
    "AgentStats",
    "AsyncioDriver",
    "Batch",
    "ChannelStats",
    "Command",
    "Durability",
    "Journal",
    "JournalWriter",
    "LiveStats",
    "NegativePostRule",
    "PortfolioNotice",
    "QueueStats",
    "ReasonStats",
    "Report",
    "ReportRow",
    "RouterStats",
    "SQLiteJournal",
    "Snapshot",
    "TeamStats",
    "TextClassifier",
    "ThreadedDriver",
    "build_report",
    "journal_report",
    "replay",
    "watch_negative_posts",
    "watch_portfolio",
]
