"""Staffing plans searched with simulations: Erlang agreement, the N centre, reproducibility."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import omnirouter as om
from omnirouter import erlang
from omnirouter.errors import ValidationError
from omnirouter.simulation import Scenario


def test_one_queue_plan_equals_erlang_c_staffing(single: Scenario) -> None:
    # 130 calls/h of 120 s: Erlang C asks for 7 agents for 80 % in 20 s (88 % with 7,
    # 72 % with 6). Without a safety margin the search asks what Erlang C asks: the
    # mean service level reaches the goal. An interval is "within noise of a boundary"
    # when Erlang's level with N or N - 1 agents lies within two standard errors of the
    # search's estimate (measured from the verification's spread) of the goal.
    scenario = single.with_changes(horizon_hours=3)
    search, verify = 16, 20
    plan = om.planning.plan_staffing(
        scenario, 60, workers=1, replications=search, verification_replications=verify, safety=0
    )
    traffic, aht = 130 / 3600 * 120, 120.0
    staffing = erlang.agents_for_service_level(traffic, aht, 20.0, 0.8)
    assert staffing == 7
    assert plan.baseline.agents == ((7,),) * 3
    compared = 0
    for index, row in enumerate(plan.agents):
        kpi = plan.kpi(index, "voice")
        spread = kpi.service_level.half_width / 2.093 * math.sqrt(verify)
        error = spread / math.sqrt(search)
        near = any(
            abs(erlang.service_level(traffic, count, aht, 20.0) - 0.8) < 2 * error
            for count in (staffing - 1, staffing)
        )
        if near:
            continue
        compared += 1
        assert row == (staffing,), f"interval {index}: {row} agents"
        # The independent verification agrees with the formula.
        assert kpi.service_level.contains(erlang.service_level(traffic, staffing, aht, 20.0))
    assert compared == 3


def test_n_centre_meets_both_targets_with_fewer_agent_hours(n_plan: Any) -> None:
    assert n_plan.groups == ("voice desk", "cross-trained")
    # Each channel's day meets its goal in the independent verification, and no
    # interval falls significantly short (its whole 95 % interval below the goal).
    for channel in ("voice", "video"):
        assert n_plan.service_level(channel) >= 0.8
    assert all(kpi.service_level.high >= kpi.goal for kpi in n_plan.kpis)
    assert n_plan.cost.agent_hours <= n_plan.baseline.cost.agent_hours
    assert n_plan.saving == n_plan.baseline.cost.agent_hours - n_plan.cost.agent_hours
    # Per-channel Erlang ignores that cross-trained agents also answer voice calls:
    # its video level falls below the goal on the day.
    assert n_plan.baseline.service_level("video") < 0.8


def test_plan_is_the_same_whatever_runs_it(single: Scenario) -> None:
    small = single.with_changes(horizon_hours=1.0)
    options: dict[str, Any] = {"replications": 3, "verification_replications": 3}
    alone = om.planning.plan_staffing(small, 30, workers=1, **options)
    with ThreadPoolExecutor(max_workers=3) as pool:
        threads = om.planning.plan_staffing(small, 30, pool, **options)
    processes = om.planning.plan_staffing(small, 30, workers=2, **options)
    for other in (threads, processes):
        assert other.agents == alone.agents
        assert repr(other.kpis) == repr(alone.kpis)
        assert other.simulations == alone.simulations


def test_plan_reports_cost_and_table(single_plan: Any) -> None:
    cost = single_plan.cost
    assert cost.agent_hours == pytest.approx(sum(r[0] for r in single_plan.agents) * 0.5)
    assert cost.money is None
    text = single_plan.table()
    assert "08:00" in text
    assert "agent-hours" in text
    document = single_plan.to_json()
    assert document["agents"] == [list(row) for row in single_plan.agents]
    assert document["baseline"]["method"] == "erlang"


def test_money_and_shrinkage(single: Scenario) -> None:
    small = single.with_changes(horizon_hours=1.0)
    plan = om.planning.plan_staffing(
        small,
        30,
        workers=1,
        hourly_cost={"desk": 30.0},
        shrinkage=0.25,
        replications=2,
        verification_replications=2,
    )
    hours = sum(row[0] for row in plan.agents) * 0.5
    assert plan.cost.agent_hours == pytest.approx(hours)
    assert plan.cost.paid_hours == pytest.approx(hours / 0.75)
    assert plan.cost.money == pytest.approx(hours / 0.75 * 30.0)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"interval_minutes": 45}, "interval_minutes"),
        ({"interval_minutes": math.nan}, "interval_minutes"),
        ({"hourly_cost": {"nobody": 3.0}}, "hourly_cost.nobody"),
        ({"hourly_cost": {"desk": math.inf}}, "hourly_cost.desk"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"shrinkage": math.nan}, "shrinkage"),
        ({"safety": -1.0}, "safety"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
        ({"replications": 1}, "replications"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_options_are_refused_by_name(
    single: Scenario, options: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        om.planning.plan_staffing(single, **{"workers": 1, **options})
    assert field in caught.value.fields


def test_scenarios_planning_cannot_handle_are_refused(single: Scenario) -> None:
    long_day = single.with_changes(horizon_hours=30)
    with pytest.raises(ValidationError, match="at most one day"):
        om.planning.plan_staffing(long_day, workers=1)
    named = Scenario.from_toml(
        """
        horizon_hours = 1
        [[agents]]
        id = "ann"
        [[workload]]
        channel = "voice"
        rate_per_hour = 10
        handle_time = { distribution = "exponential", mean_seconds = 60 }
        """
    )
    with pytest.raises(ValidationError) as caught:
        om.planning.plan_staffing(named, workers=1)
    assert "agents" in caught.value.fields


def test_max_occupancy_keeps_a_floor_of_agents(single: Scenario) -> None:
    small = single.with_changes(horizon_hours=1.0)
    plan = om.planning.plan_staffing(
        small, 30, workers=1, max_occupancy=0.5, replications=2, verification_replications=2
    )
    floor = math.ceil(130 / 3600 * 120 / 0.5)  # 4.33 Erlangs at most 50 % busy: 9 agents
    assert all(row[0] >= floor for row in plan.agents)
    assert all(row[0] >= floor for row in plan.baseline.agents)


def test_a_forecast_drives_the_plan(single: Scenario) -> None:
    small = single.with_changes(horizon_hours=1.0)
    quiet = om.planning.plan_staffing(
        small,
        30,
        workers=1,
        forecast={"voice": [40.0, 130.0]},
        replications=2,
        verification_replications=2,
    )
    assert quiet.forecast == {"voice": (40.0, 130.0)}
    assert quiet.baseline.agents[0][0] < quiet.baseline.agents[1][0]
    assert quiet.kpi(0, "voice").customers.mean < quiet.kpi(1, "voice").customers.mean
