"""router.stats(): live state and today's counters."""

from __future__ import annotations

import json

import pytest
from ops_helpers import Clock, staffed

import omnirouter as om


def test_stats_count_waiting_service_level_and_handling() -> None:
    clock = Clock(1_700_000_000.0)  # 2023-11-14 22:13:20 UTC
    router = staffed(clock)
    router.stats()  # start counting
    router.submit(om.Interaction(id="v1", channel="voice", reason="billing"))  # to anna
    router.submit(om.Interaction(id="v2", channel="voice", reason="billing"))  # to ben
    router.submit(om.Interaction(id="v3", channel="voice", reason="tech"))  # waits
    clock.advance(30)
    router.complete("v1")  # anna handled 30 s; v3 answered after 30 s (> 20 s target)
    clock.advance(10)
    router.submit(om.Interaction(id="v4", channel="voice"))
    clock.advance(5)
    router.abandon("v4")
    stats = router.stats()
    voice = stats.channels["voice"]
    assert (voice.offered, voice.answered, voice.answered_in_target, voice.abandoned) == (
        4,
        3,
        2,
        1,
    )
    assert voice.service_level == pytest.approx(2 / 4)
    assert voice.handled == 1
    assert voice.average_handling_time == pytest.approx(30.0)
    assert voice.waiting == 0
    assert stats.agents["anna"].handled == 1
    assert stats.agents["anna"].holding == {"voice": 1}  # v3
    assert stats.teams["billing"].handled == 1
    assert stats.teams["tech"].handled == 0
    assert stats.reasons["billing"].handled == 1
    assert stats.reasons["tech"].answered == 1
    assert stats.presence == {"available": 2}
    assert stats.holding == {"voice": 2}
    assert voice.agents_serving == 2
    assert voice.occupancy == pytest.approx(1.0)
    json.dumps(stats.to_json())


def test_waiting_and_longest_wait_per_channel_and_queue() -> None:
    clock = Clock()
    router = om.Router(clock=clock)
    router.submit(om.Interaction(id="e1", channel="email", reason="billing"))
    clock.advance(100)
    router.submit(om.Interaction(id="e2", channel="email"))
    clock.advance(20)
    stats = router.stats()
    assert stats.waiting == 2
    assert stats.longest_wait == pytest.approx(120.0)
    assert stats.channels["email"].waiting == 2
    assert stats.queues["default"].waiting_by_channel == {"email": 2}
    assert stats.queues["default"].longest_wait == pytest.approx(120.0)
    assert stats.reasons["billing"].waiting == 1
    assert stats.reasons["(none)"].waiting == 1


def test_counters_restart_at_midnight() -> None:
    clock = Clock(1_700_006_400.0 - 60)  # one minute before midnight UTC
    router = staffed(clock)
    router.stats()
    router.submit(om.Interaction(id="late", channel="chat"))
    assert router.stats().channels["chat"].offered == 1
    clock.advance(120)
    stats = router.stats()
    assert str(stats.day) == "2023-11-15"
    assert "chat" in stats.channels  # still held by an agent
    assert stats.channels["chat"].offered == 0
