"""A stateful test: the tracker's figures always match a plain model of the calls."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from omnirouter.sla import ServiceLevelPolicy, ServiceLevelTracker

POLICY = ServiceLevelPolicy(targets={"voice": {"threshold": 20}})
SHORT = 5.0


class TrackerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tracker = ServiceLevelTracker(POLICY)
        self.now = 0.0
        self.count = 0
        self.waiting: dict[str, float] = {}
        self.answered: list[float] = []  # waits
        self.abandoned: list[float] = []

    def event(self, kind: str, iid: str, **extra: Any) -> None:
        self.tracker(
            {
                "kind": kind,
                "at": self.now,
                "interaction_id": iid,
                "channel": "voice",
                "queue": "q",
                **extra,
            }
        )

    @rule(seconds=st.floats(0, 60))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds

    @rule()
    def call_arrives(self) -> None:
        self.count += 1
        iid = f"c{self.count}"
        self.waiting[iid] = self.now
        self.event("queued", iid)

    @precondition(lambda self: self.waiting)
    @rule(data=st.data())
    def agent_answers(self, data: st.DataObject) -> None:
        iid = data.draw(st.sampled_from(sorted(self.waiting)))
        self.answered.append(self.now - self.waiting.pop(iid))
        self.event("assigned", iid, agent_id="anna")
        self.event("completed", iid, agent_id="anna")  # ignored: already answered

    @precondition(lambda self: self.waiting)
    @rule(data=st.data())
    def caller_hangs_up(self, data: st.DataObject) -> None:
        iid = data.draw(st.sampled_from(sorted(self.waiting)))
        self.abandoned.append(self.now - self.waiting.pop(iid))
        self.event("abandoned", iid)

    @invariant()
    def figures_match_the_model(self) -> None:
        in_time = sum(wait <= 20 for wait in self.answered)
        short = sum(wait <= SHORT for wait in self.abandoned)
        expected = {
            "count": len(self.answered) + len(self.abandoned),
            "exclude": len(self.answered),
            "exclude_short": len(self.answered) + len(self.abandoned) - short,
        }
        for convention, offered in expected.items():
            figures = self.tracker.figures("total", abandoned=convention, short_abandon=SHORT)
            if self.count == 0:  # a group appears with its first offered call
                assert figures == []
                continue
            (total,) = figures
            assert total.offered == offered
            assert total.answered_in_time == in_time
            assert total.abandoned_short == short
            assert total.service_level == (in_time / offered if offered else None)


TrackerMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_tracker_matches_model = TrackerMachine.TestCase
