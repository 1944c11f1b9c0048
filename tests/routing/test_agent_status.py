"""AgentStatus: what one agent is doing now, and its plain JSON form."""

from __future__ import annotations

import doctest
import json

import omnirouter as om
from omnirouter.testing import ManualClock


def _busy_router() -> om.Router:
    clock = ManualClock(start=1_000.0)
    router = om.Router(clock=clock)
    router.add_agent(om.Agent(id="kim", capacity={"voice": 1, "email": 2, "chat": 4}))
    router.set_presence("kim", "available")
    router.submit(om.Interaction(id="mail-1", channel="email"))
    router.submit(om.Interaction(id="chat-1", channel="chat"))
    router.submit(om.Interaction(id="chat-2", channel="chat"))
    clock.advance(5)
    router.complete("chat-1", wrap_up=30)
    return router


def test_to_json_holds_every_field_as_plain_data() -> None:
    router = _busy_router()
    status = router.agent_status("kim")
    data = status.to_json()
    assert data == {
        "agent_id": "kim",
        "presence": "available",
        "idle_since": status.idle_since,
        "work": ["mail-1", "chat-2"],
        "wrapping_up": ["chat-1"],
        "occupancy": status.occupancy,
        "paused": [],
    }
    assert set(data) == {field.name for field in om.AgentStatus.__attrs_attrs__}
    assert json.loads(json.dumps(data)) == data
    assert 0.0 < data["occupancy"] <= 1.0


def test_to_json_lists_paused_work() -> None:
    router = _busy_router()
    router.pause("mail-1")  # an e-mail interrupted for something more urgent
    data = router.agent_status("kim").to_json()
    assert data["paused"] == ["mail-1"]
    assert data["work"] == ["chat-2"]


def test_to_json_is_a_fresh_copy_each_time() -> None:
    status = _busy_router().agent_status("kim")
    first = status.to_json()
    first["work"].append("not-there")
    assert status.to_json()["work"] == ["mail-1", "chat-2"]


def test_docstring_example_runs() -> None:
    finder = doctest.DocTestFinder()
    tests = finder.find(om.AgentStatus, "AgentStatus", globs={})
    runner = doctest.DocTestRunner()
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).attempted >= 5
    assert runner.summarize(verbose=False).failed == 0
