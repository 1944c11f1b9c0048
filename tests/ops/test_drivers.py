"""The threaded and asyncio drivers fire timers on time, and wake early for new timers."""

from __future__ import annotations

import asyncio
import time

import pytest

import omnirouter as om


def _router() -> om.Router:
    router = om.Router(clock=time.time, offer_timeout=0.05)
    router.add_agent(om.Agent(id="anna", capacity={"chat": 1}))
    router.add_agent(om.Agent(id="ben", capacity={"chat": 1}))
    router.set_presence("anna", "available")
    router.set_presence("ben", "available")
    return router


def _wait_for(condition: object, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.01)
    return False


def test_threaded_driver_fires_offer_timeouts() -> None:
    router = _router()
    kinds: list[str] = []
    router.subscribe(lambda e: kinds.append(e.kind), ["offer_timeout"])
    with om.ThreadedDriver(router, max_sleep=10.0) as driver:
        assert driver.running
        router.submit(om.Interaction(id="c1", channel="chat"))  # sets a timer 50 ms ahead
        assert _wait_for(lambda: len(kinds) >= 2)  # anna, then ben let it time out
    assert not driver.running
    assert driver.ticks >= 2
    assert driver.error is None


def test_asyncio_driver_fires_offer_timeouts() -> None:
    router = _router()
    kinds: list[str] = []
    router.subscribe(lambda e: kinds.append(e.kind), ["offer_timeout"])

    async def main() -> int:
        async with om.AsyncioDriver(router, max_sleep=10.0) as driver:
            router.submit(om.Interaction(id="c1", channel="chat"))
            for _ in range(500):
                if len(kinds) >= 2:
                    break
                await asyncio.sleep(0.01)
            return driver.ticks

    ticks = asyncio.run(main())
    assert len(kinds) >= 2
    assert ticks >= 2


def test_driver_options_are_checked() -> None:
    with pytest.raises(om.ValidationError, match="max_sleep"):
        om.ThreadedDriver(_router(), max_sleep=0)
