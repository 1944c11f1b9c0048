"""Skill groups: which team takes which work, and the roster a staffing becomes."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.planning._forecast import planning_day
from omnirouter.planning._groups import eligibility, roster, skill_groups
from omnirouter.simulation import Scenario
from omnirouter.simulation.runner import _presence_plan

TWO_TEAMS = Scenario.from_toml(
    """
    horizon_hours = 3
    start = 2024-03-04T22:00:00+01:00

    [[queues]]
    name = "billing"
    accepts = "reason == 'billing'"
      [[queues.steps]]
      target = "skills.billing >= 1"

    [[queues]]
    name = "rest"

    [[teams]]
    name = "billing"
    size = 2
    skills = { billing = 1 }
    portfolio_size = 3

    [[teams]]
    name = "general"
    size = 1
    capacity = { per_channel = { email = 3 }, total = 3 }

    [[workload]]
    channel = "voice"
    reason = "billing"
    rate_per_hour = 20
    handle_time = { distribution = "exponential", mean_seconds = 120 }

    [[workload]]
    channel = "email"
    rate_per_hour = 10
    handle_time = { distribution = "exponential", mean_seconds = 300 }
    """
)


def test_eligibility_asks_the_router() -> None:
    day = planning_day(TWO_TEAMS, 30)
    groups = skill_groups(TWO_TEAMS, None)
    found = eligibility(day.template, groups)
    # Billing calls need the billing skill; only the general team may hold e-mail (the
    # billing team's empty capacity profile allows any channel, but the "rest" queue
    # has no step, so anybody can take e-mail).
    assert found["voice:billing"] == frozenset({"billing"})
    assert found["email"] == frozenset({"billing", "general"})
    assert groups[1].concurrency("email") == 3
    assert groups[1].concurrency("voice") == 0


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None)
def test_roster_puts_exactly_the_staffing_on_duty(rows: list[tuple[int, int]]) -> None:
    scenario = TWO_TEAMS.with_changes(horizon_hours=len(rows) / 2)
    day = planning_day(scenario, 30)
    groups = skill_groups(scenario, None)
    staffing = tuple(rows)
    agents = roster(day.template, groups, staffing, 30)
    template = day.template.model_copy(update={"teams": [], "agents": agents})
    # Every named member is there (their customers exist), on duty or not.
    ids = {entry.agent.id for entry in agents}
    assert {"billing-01", "billing-02", "general-01"} <= ids
    plans = {entry.agent.id: _presence_plan(entry, template) for entry in agents}
    team = {entry.agent.id: entry.agent.team for entry in agents}
    for index in [*range(len(rows)), len(rows)]:  # the last: the drain after the plan
        moment = (day.start + timedelta(minutes=30 * index + 7)).timestamp()
        expected = rows[min(index, len(rows) - 1)]
        for position, group in enumerate(("billing", "general")):
            on_duty = sum(
                1
                for agent_id, plan in plans.items()
                if team[agent_id] == group and _state(plan, moment) == "available"
            )
            assert on_duty == expected[position]


def _state(plan: list[tuple[float, str]], moment: float) -> str:
    state = "offline"
    for at, presence in plan:
        if at <= moment:
            state = presence
    return state


def test_work_nobody_on_duty_can_take_counts_as_missed() -> None:
    from omnirouter.planning._evaluate import _replicate

    scenario = TWO_TEAMS.with_changes(horizon_hours=1.0)
    day = planning_day(scenario, 30)
    groups = tuple(skill_groups(scenario, None))
    # No billing agent on duty: billing calls are never answered (no patience: they
    # would wait forever) and must count against their interval, not vanish.
    counts = _replicate(day.template, groups, ((0, 1), (0, 1)), 0, 1)
    voice = counts["voice"]
    assert all(answered == 0 and within == 0 for answered, within, _ in voice)
    assert sum(lost for _, _, lost in voice) > 0
