"""Fixtures of the routing tests."""

from __future__ import annotations

import pytest
from routing_helpers import Clock, Recorder


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
