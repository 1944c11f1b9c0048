"""RouterView: what code outside the routing core reads of a router."""

from __future__ import annotations

from routing_helpers import Clock, agent, staffed, work

import omnirouter as om
from omnirouter.routing.view import Extensions


def test_the_view_shows_work_agents_queues_and_advisors(clock: Clock) -> None:
    router = staffed(
        om.Router(clock=clock, queues=[om.Queue("q")]),
        [agent("a", portfolio=["k1"]), agent("b")],
    )
    router.submit(work("i1", customer_id="k1"))
    router.submit(work("i2"))
    view = router.view
    assert view.clock() == clock.now
    assert [i for i, _ in view.open_work()] == ["i1", "i2"]
    found = view.work("i1")
    assert found is not None
    assert found.state is om.InteractionState.ASSIGNED
    assert found.agent == router.agent_of("i1")
    assert view.work("nope") is None
    assert [a.id for a in view.agents()] == ["a", "b"] == view.agent_ids()
    held = view.agent(router.agent_of("i1") or "")
    assert held is not None
    assert dict(held.items) == {"i1": "voice"}
    assert held.load.occupancy() == 1.0
    assert view.agent("nobody") is None
    assert view.queue_names() == ["q"]
    assert view.advisor_of("k1") == "a"
    assert view.advisor_of("k2") is None
    with view.lock:  # re-entrant: the router's own calls still work inside
        router.submit(work("i3"))


def test_extensions_hold_one_add_on_per_type() -> None:
    class Collector:
        pass

    extensions = Extensions()
    assert extensions.get(Collector) is None
    made = extensions.setdefault(Collector, Collector)
    assert extensions.setdefault(Collector, Collector) is made
    assert extensions.get(Collector) is made
    other = Collector()
    extensions.put(other)
    assert extensions.get(Collector) is other
    assert extensions.pop(Collector) is other
    assert extensions.get(Collector) is None
    assert extensions.pop(Collector) is None


def test_execute_at_a_time_runs_the_call_then_and_keeps_the_clock(clock: Clock) -> None:
    router = staffed(om.Router(clock=clock, offer_timeout=10), [agent("a")])
    router.execute("submit", {"interaction": {"id": "i1", "channel": "voice"}}, at=500.0)
    assert router.snapshot()["now"] == clock.now  # staffing happened at the clock's time
    assert router.next_wakeup() == 510.0  # the offer was made at 500
    assert router.view.clock() == clock.now
