"""Reports from events and from journals: figures, intervals, groupings, exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from ops_helpers import Clock, staffed

import omnirouter as om
from omnirouter.ops import build_report, journal_report

HOUR = 3600.0


def _day_of_work(router: om.Router, clock: Clock) -> None:
    router.submit(om.Interaction(id="v1", channel="voice", reason="billing"))
    router.submit(om.Interaction(id="v2", channel="voice", reason="tech"))
    router.submit(om.Interaction(id="v3", channel="voice", reason="billing"))  # waits
    clock.advance(60)
    router.complete("v1")  # v3 answered after 60 s
    clock.advance(HOUR)
    router.submit(om.Interaction(id="e1", channel="email", reason="billing"))
    clock.advance(600)
    router.complete("e1")
    router.submit(om.Interaction(id="v4", channel="voice"))
    clock.advance(5)
    router.abandon("v4")


def test_report_figures_per_hour_and_channel(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000.0 - 1_700_000_000.0 % HOUR)
    events: list[om.Event] = []
    router = staffed(clock)
    router.subscribe(events.append)
    _day_of_work(router, clock)
    report = build_report(events, interval="hour", by=["channel"])
    rows = {(r.interval_start.hour, r.group["channel"]): r for r in report.rows}
    first = rows[(22, "voice")]
    assert (first.offered, first.answered, first.answered_in_target) == (3, 3, 2)
    assert first.asa == pytest.approx(20.0)
    assert first.handled == 1
    assert first.aht == pytest.approx(60.0)
    assert first.service_level == pytest.approx(2 / 3)
    email = rows[(23, "email")]
    assert (email.offered, email.answered, email.handled) == (1, 1, 1)
    assert email.asa == pytest.approx(600.0)  # asynchronous: answered when completed
    late_voice = rows[(23, "voice")]
    assert (late_voice.offered, late_voice.abandoned, late_voice.answered) == (1, 1, 0)
    assert late_voice.service_level == 0.0
    assert report.totals()["offered"] == 5


def test_journal_report_knows_reasons_and_teams(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000.0)
    router = staffed(clock, om.SQLiteJournal(tmp_path / "r.db"))
    _day_of_work(router, clock)
    assert router.journal is not None
    router.journal.close()
    report = journal_report(om.SQLiteJournal(tmp_path / "r.db"), interval="day", by=["team"])
    teams = {r.group["team"]: r for r in report.rows}
    assert teams["billing"].handled + teams["tech"].handled == 2
    by_reason = journal_report(om.SQLiteJournal(tmp_path / "r.db"), interval="day", by=["reason"])
    reasons = {r.group["reason"]: r.offered for r in by_reason.rows}
    assert reasons == {"billing": 3, "tech": 1, "(none)": 1}


def test_journal_without_events_is_replayed_for_the_report(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000.0)
    stored = staffed(clock, om.SQLiteJournal(tmp_path / "a.db"))
    _day_of_work(stored, clock)
    clock = Clock(1_700_000_000.0)
    bare = staffed(clock, om.SQLiteJournal(tmp_path / "b.db", keep_events=False))
    _day_of_work(bare, clock)
    for router in (stored, bare):
        assert router.journal is not None
        router.journal.close()
    with_events = journal_report(om.SQLiteJournal(tmp_path / "a.db"), by=["advisor"])
    replayed = journal_report(om.SQLiteJournal(tmp_path / "b.db"), by=["advisor"])
    assert replayed.to_dicts() == with_events.to_dicts()


def test_exports(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000.0)
    events: list[om.Event] = []
    router = staffed(clock)
    router.subscribe(events.append)
    _day_of_work(router, clock)
    report = build_report([e.to_json() for e in events], interval="15min", by=["channel", "reason"])
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == len(report.rows)
    assert set(rows[0]) >= {"interval_start", "channel", "reason", "offered", "aht"}
    data = json.loads(report.to_json())
    assert data["interval"] == "15min"
    assert data["rows"] == report.to_dicts()
    page = report.to_html(title="Team view")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("data:image/png;base64,") == 3
    assert "<title>Team view</title>" in page


def test_bad_report_options_are_refused() -> None:
    with pytest.raises(om.ValidationError, match="interval"):
        build_report([], interval="week")
    with pytest.raises(om.ValidationError, match="by"):
        build_report([], by=["channel", "colour"])


def test_report_handling_time_leaves_out_paused_time() -> None:
    clock = Clock()
    router = om.Router(clock=clock)
    router.add_agent(om.Agent(id="anna", capacity={"email": 1}))
    router.set_presence("anna", "available")
    events: list[om.Event] = []
    router.subscribe(events.append)
    router.submit(om.Interaction(id="e1", channel="email"))
    clock.advance(100)
    router.pause("e1")
    clock.advance(900)  # paused: no handling time
    router.resume("e1")
    clock.advance(20)
    router.complete("e1")
    for given in (events, [event.to_json() for event in events]):
        (row,) = build_report(given, interval="day", by=["channel"]).rows
        assert row.handled == 1
        assert row.aht == pytest.approx(120.0)
