"""Common random numbers: two policies on one seed meet the very same customers.

Every random decision about a customer (arrival time, handle time, wrap-up, patience,
whose portfolio they belong to, whether they ask for a callback on giving up) is drawn
from a stream of its own, on arrival. However differently two policies treat the
customers, each customer is the same person under both, for every combination of
workload options.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs
import pytest

from omnirouter.simulation import Scenario, Simulation


@attrs.define
class _Seen:
    """What one run told about each customer, through the router's public listeners."""

    arrived: dict[str, tuple[float, str | None, str]] = attrs.field(factory=dict)
    started: dict[str, float] = attrs.field(factory=dict)
    completed: dict[str, tuple[float, float]] = attrs.field(factory=dict)
    abandoned: dict[str, float] = attrs.field(factory=dict)

    def command(self, name: str, arguments: dict[str, Any], at: float) -> None:
        if name == "submit":
            interaction = arguments["interaction"]
            self.arrived[interaction["id"]] = (
                at,
                interaction.get("customer_id"),
                interaction["channel"],
            )
        elif name == "complete":
            self.completed[arguments["interaction_id"]] = (at, arguments.get("wrap_up") or 0.0)
        elif name == "abandon":
            self.abandoned[arguments["interaction_id"]] = at

    def event(self, event: Any) -> None:
        self.started.setdefault(event.interaction_id, event.at)


def _scenario(
    *, portfolio: bool, callback: bool, patience: bool, wrap_up: bool, helpers: int, selection: str
) -> Scenario:
    workload: dict[str, Any] = {
        "name": "calls",
        "channel": "voice",
        "rate_per_hour": 90,
        "handle_time": {"distribution": "exponential", "mean_seconds": 240},
    }
    if portfolio:
        workload["portfolio_share"] = 0.6
    if patience:
        workload["patience"] = {"distribution": "exponential", "mean_seconds": 60}
    if callback:
        workload["callback_share"] = 0.5
        workload["callback_delay"] = 300
    if wrap_up:
        workload["wrap_up"] = {"distribution": "exponential", "mean_seconds": 30}
    teams: list[dict[str, Any]] = [
        {
            "name": "desk",
            "size": 5,
            "capacity": {"voice": 1, "callback": 1},
            "portfolio_size": 5 if portfolio else 0,
        }
    ]
    if helpers:
        teams.append({"name": "helpers", "size": helpers, "capacity": {"voice": 1, "callback": 1}})
    return Scenario.model_validate(
        {
            "name": f"{helpers} helpers, {selection}",
            "horizon_hours": 3,
            "warmup_hours": 0,
            "replications": 1,
            "seed": 21,
            "router": {"selection": selection},
            "teams": teams,
            "workload": [workload],
        }
    )


def _run(scenario: Scenario) -> _Seen:
    simulation = Simulation(scenario)
    seen = _Seen()
    simulation.router.add_command_listener(seen.command)
    simulation.router.subscribe(seen.event, kinds=["assigned"])
    simulation.run()
    return seen


OPTIONS = list(itertools.product([False, True], repeat=4))


@pytest.mark.parametrize(("portfolio", "callback", "patience", "wrap_up"), OPTIONS)
def test_two_policies_meet_the_same_customers(
    portfolio: bool, callback: bool, patience: bool, wrap_up: bool
) -> None:
    options = {
        "portfolio": portfolio,
        "callback": callback,
        "patience": patience,
        "wrap_up": wrap_up,
    }
    # Five agents taken longest-idle first against the same five plus a helper (who has
    # no portfolio) taken in turn: a different policy and a different team, so other
    # customers wait, give up and call back.
    first = _run(_scenario(**options, helpers=0, selection="longest_idle"))
    second = _run(_scenario(**options, helpers=1, selection="round_robin"))

    def originals(seen: _Seen) -> dict[str, tuple[float, str | None, str]]:
        return {key: value for key, value in seen.arrived.items() if not key.endswith("-cb")}

    # Arrivals, and whose customer each one is.
    assert len(originals(first)) > 200
    assert originals(first) == originals(second)
    if portfolio:
        assert sum(customer is not None for _, customer, _ in first.arrived.values()) > 50

    # Handle time and wrap-up: from being taken to completion, for work both finished.
    both_done = first.completed.keys() & second.completed.keys()
    assert len(both_done) > 100
    for key in both_done:
        took = first.completed[key][0] - first.started[key]
        assert took == pytest.approx(second.completed[key][0] - second.started[key])
        assert first.completed[key][1] == second.completed[key][1]
    if wrap_up:
        assert any(wrap > 0 for _, wrap in first.completed.values())

    # Patience, and the callback decision, for callers who gave up under both.
    both_gave_up = first.abandoned.keys() & second.abandoned.keys()
    if not patience:
        assert not first.abandoned
        assert not second.abandoned
        return
    assert len(both_gave_up) > 10
    for key in both_gave_up:
        arrived = first.arrived[key][0]
        assert first.abandoned[key] - arrived == pytest.approx(second.abandoned[key] - arrived)
        assert (f"{key}-cb" in first.arrived) == (f"{key}-cb" in second.arrived)
    if callback:
        assert any(key.endswith("-cb") for key in first.arrived)
