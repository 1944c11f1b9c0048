"""Shift scheduling: the least-cost cover of a plan, loading templates, re-verification."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import omnirouter as om
from omnirouter.errors import ValidationError
from omnirouter.planning import ShiftTemplate, load_shifts, schedule_shifts
from omnirouter.planning.shifts import _coverage, _solve

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_milp_picks_the_cheapest_cover() -> None:
    # Two intervals needing 2 then 3 agents. A shift covering both costs 3; one
    # covering only the second costs 1. Best: 2 long shifts and 1 short one (cost 7),
    # not 3 long ones (cost 9).
    counts = _solve(
        need=[[2], [3]],
        cover=[[1.0, 1.0], [0.0, 1.0]],
        costs=[[3.0], [1.0]],
        allowed=[[True], [True]],
    )
    assert counts == [[2], [1]]


def test_coverage_leaves_out_breaks() -> None:
    day = om.planning.plan.planning_day(
        om.simulation.Scenario.from_toml(
            """
            horizon_hours = 2
            start = 2024-03-04T08:00:00+00:00
            [[teams]]
            name = "desk"
            size = 1
            [[workload]]
            channel = "voice"
            rate_per_hour = 10
            handle_time = { distribution = "exponential", mean_seconds = 60 }
            """
        ),
        30,
    )
    shift = ShiftTemplate(
        name="morning", start="08:30", hours=1.0, breaks=[{"start": "09:00", "minutes": 15}]
    )
    assert _coverage(shift, day) == [0.0, 1.0, 0.5, 0.0]
    assert shift.times(datetime(2024, 3, 4, 8, tzinfo=UTC))[0].hour == 8


def test_example_shifts_load() -> None:
    shifts = load_shifts(EXAMPLES / "bank_shifts.toml")
    assert {shift.name for shift in shifts} >= {"early", "late"}
    assert all(shift.hours > 0 for shift in shifts)


def test_bad_shift_files_name_the_field(tmp_path: Path) -> None:
    path = tmp_path / "shifts.toml"
    path.write_text('[[shifts]]\nname = "x"\nstart = "25:00"\nhours = -1\n', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_shifts(path)
    assert set(caught.value.fields) == {"shifts.0.start", "shifts.0.hours"}
    with pytest.raises(ValidationError, match="cannot read"):
        load_shifts(tmp_path / "missing.toml")


def test_roster_covers_the_plan_and_is_reverified(single_plan: Any) -> None:
    shifts = [
        {"name": "early", "start": "08:00", "hours": 0.5},
        {"name": "all", "start": "08:00", "hours": 1.0, "cost": 0.9},
    ]
    roster = schedule_shifts(single_plan, shifts, workers=1, replications=3)
    for index, row in enumerate(single_plan.agents):
        assert roster.agents[index][0] >= row[0]
    # The one-hour shift costs less than two half-hour ones: it carries the base load.
    assert roster.assignments["all"]["desk"] == min(row[0] for row in single_plan.agents)
    assert roster.money == pytest.approx(
        roster.assignments["all"]["desk"] * 0.9 + roster.assignments["early"]["desk"] * 0.5
    )
    assert len(roster.kpis) == len(single_plan.kpis)
    assert "every target" in roster.table() or "missed" in roster.table()


def test_a_plan_no_shift_covers_is_refused(single_plan: Any) -> None:
    with pytest.raises(ValidationError, match="no shift covers"):
        schedule_shifts(single_plan, [{"name": "night", "start": "20:00", "hours": 2}])
