"""Outcomes: pooled service levels, the safety bar, and channels some replications lack."""

from __future__ import annotations

import math

import pytest

from omnirouter.planning._evaluate import Outcome


def test_a_channel_missing_from_a_replication_is_judged_on_the_others() -> None:
    # Callbacks happen in some replications only.
    outcome = Outcome(
        staffing=((1,),),
        replications=(
            {"voice": ((8, 6, 2),), "callback": ((2, 2, 0),)},
            {"voice": ((9, 9, 1),)},
            {"voice": ((10, 7, 0),), "callback": ((1, 0, 0),)},
        ),
        goals={"voice": 0.8, "callback": 0.8},
        safety=1.0,
    )
    assert outcome.pooled("callback", 0) == (3, 2, 0)
    assert outcome.service_level("voice", 0) == pytest.approx(22 / 30)
    # The bar sits one standard error (between replications) above the goal.
    levels = [0.6, 0.9, 0.7]
    mean = sum(levels) / 3
    error = math.sqrt(sum((level - mean) ** 2 for level in levels) / 2) / math.sqrt(3)
    assert outcome.short("voice", 0) == pytest.approx(0.8 + error - 22 / 30)
    assert outcome.short("callback", 0) > 0
    assert not outcome.meets(0)
    assert outcome.estimate("callback", 0).replications == 2


def test_an_empty_interval_meets_its_targets() -> None:
    outcome = Outcome(((0,),), ({"voice": ((0, 0, 0),)},), {"voice": 0.8}, 1.0)
    assert outcome.meets(0)
    assert math.isnan(outcome.service_level("voice", 0))
