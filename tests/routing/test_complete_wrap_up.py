"""complete(wrap_up=...) takes finite seconds >= 0 only; a refused call changes nothing."""

from __future__ import annotations

import math

import pytest

import omnirouter as om
from omnirouter.testing import ManualClock


@pytest.mark.parametrize("wrap_up", [-1, math.nan, math.inf, -math.inf, "30", None])
def test_a_wrap_up_that_is_not_finite_seconds_is_refused(wrap_up: object) -> None:
    router = om.Router(clock=ManualClock())
    router.add_agent(om.Agent(id="ana", capacity={"voice": 1}))
    router.set_presence("ana", "available")
    router.submit(om.Interaction(id="call", channel="voice"))
    before = router.snapshot()
    with pytest.raises(om.ValidationError) as caught:
        router.complete("call", wrap_up=wrap_up)  # type: ignore[arg-type]
    assert caught.value.fields == ["wrap_up"]
    assert router.snapshot() == before
    router.complete("call", wrap_up=30)
    assert router.agent_status("ana").wrapping_up == ("call",)
