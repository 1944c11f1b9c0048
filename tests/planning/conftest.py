"""Small planning scenarios shared by the planning tests (each plans in seconds)."""

from __future__ import annotations

from typing import Any

import pytest

import omnirouter as om
from omnirouter.simulation import Scenario

#: One skill, one channel, a constant rate: Erlang C's M/M/N, where the staffing is 7
#: (service level 0.88 with 7 agents, 0.72 with 6, against 80 % in 20 s).
SINGLE = """
name = "one queue"
horizon_hours = 2
seed = 21
interval_minutes = 30

[[teams]]
name = "desk"
size = 1
capacity = { voice = 1 }

[[workload]]
channel = "voice"
rate_per_hour = 130
handle_time = { distribution = "exponential", mean_seconds = 120 }
"""

#: The "N" centre: voice calls go to the voice desk first and to the cross-trained
#: agents after 15 s; video calls (ahead in line) only to the cross-trained agents.
N_CENTRE = """
name = "N centre"
horizon_hours = 2
seed = 5
interval_minutes = 30

[[channels]]
name = "video"
synchronous = true
service_level_target = 20
service_level_goal = 0.8

[[queues]]
name = "voice"
accepts = "channel == 'voice'"
  [[queues.steps]]
  target = "skills.voice >= 1 AND skills.video < 1"
  timeout = 15
  [[queues.steps]]
  target = "skills.voice >= 1"

[[queues]]
name = "video"
accepts = "channel == 'video'"
  [[queues.steps]]
  target = "skills.video >= 1"

[[teams]]
name = "voice desk"
size = 2
skills = { voice = 1 }

[[teams]]
name = "cross-trained"
size = 2
skills = { voice = 1, video = 1 }

[[workload]]
channel = "voice"
rate_per_hour = 90
handle_time = { distribution = "exponential", mean_seconds = 240 }

[[workload]]
channel = "video"
priority = 10
rate_per_hour = 40
handle_time = { distribution = "exponential", mean_seconds = 300 }
"""


@pytest.fixture(scope="session")
def single_toml() -> str:
    return SINGLE


@pytest.fixture(scope="session")
def single() -> Scenario:
    return Scenario.from_toml(SINGLE)


@pytest.fixture(scope="session")
def n_centre() -> Scenario:
    return Scenario.from_toml(N_CENTRE)


@pytest.fixture(scope="session")
def single_plan(single: Scenario) -> Any:
    small = single.with_changes(horizon_hours=1.0)
    return om.planning.plan_staffing(
        small, 30, workers=1, replications=4, verification_replications=4
    )


@pytest.fixture(scope="session")
def n_plan(n_centre: Scenario) -> Any:
    return om.planning.plan_staffing(n_centre, 30, workers=1, verification_replications=40)
