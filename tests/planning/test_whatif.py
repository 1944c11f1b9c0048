"""What-if: a grown scenario's plan beside its base, and the DataFrame and plots."""

from __future__ import annotations

from typing import Any

import pytest

import omnirouter as om
from omnirouter.errors import ValidationError
from omnirouter.simulation import Scenario


@pytest.fixture(scope="module")
def grown(single: Scenario) -> Any:
    small = single.with_changes(horizon_hours=1.0).grow(voice=1.5)
    return om.planning.plan_staffing(
        small, 30, workers=1, replications=4, verification_replications=4
    )


def test_more_calls_need_more_agent_hours(single_plan: Any, grown: Any) -> None:
    table = om.planning.compare_plans(single_plan, grown)
    rows = {item: (base, variant, change) for item, base, variant, change in table.rows}
    base, variant, change = rows["agent-hours"]
    assert variant > base
    assert change == variant - base
    assert rows["agent-hours desk"][0] == single_plan.agent_hours("desk")
    assert "service level voice" in rows
    text = str(table)
    assert "agent-hours" in text
    assert "+" in text


def test_plans_of_other_groups_are_not_compared(single_plan: Any, n_centre: Scenario) -> None:
    other = om.planning.plan_staffing(
        n_centre.with_changes(horizon_hours=0.5),
        30,
        workers=1,
        replications=2,
        verification_replications=2,
    )
    with pytest.raises(ValidationError):
        om.planning.compare_plans(single_plan, other)


def test_dataframe_and_plots(single_plan: Any) -> None:
    pytest.importorskip("pandas")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    frame = single_plan.to_dataframe()
    assert list(frame["desk agents"]) == [row[0] for row in single_plan.agents]
    assert {"voice service level", "voice low", "voice high", "voice met"} <= set(frame.columns)
    heat = single_plan.plot_staffing()
    assert heat.get_title().endswith("agents on duty by interval and group")
    levels = single_plan.plot_service_level("voice")
    assert len(levels.lines) >= 2  # the levels and the goal
    with pytest.raises(KeyError):
        single_plan.plot_service_level("fax")


def test_comparison_and_roster_frames(single_plan: Any, grown: Any) -> None:
    pytest.importorskip("pandas")
    frame = om.planning.compare_plans(single_plan, grown).to_dataframe()
    assert frame.loc["agent-hours", "change"] > 0
    roster = om.planning.schedule_shifts(
        single_plan, [{"name": "hour", "start": "08:00", "hours": 1}], workers=1, replications=2
    )
    shifts = roster.to_dataframe()
    assert shifts.loc["hour", "desk"] == max(row[0] for row in single_plan.agents)
