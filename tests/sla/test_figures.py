"""Service-level figures from event streams, with the abandon conventions."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.sla import (
    AbandonConvention,
    ServiceLevelPolicy,
    ServiceLevelTracker,
    service_level_figures,
)

POLICY = ServiceLevelPolicy(
    targets={"voice": {"threshold": 20, "goal": 0.8}, "email": {"threshold": 3600, "goal": 0.9}}
)
TEAMS = {"anna": "billing", "ben": "billing", "cem": "tech"}


@attrs.frozen
class Ev:
    """An event with the fields the router's events carry."""

    kind: str
    at: float
    interaction_id: str | None
    agent_id: str | None = None
    queue: str | None = None
    channel: str | None = None
    detail: dict[str, Any] = attrs.Factory(dict)


def call(
    iid: str,
    at: float,
    *,
    answer: float | None = None,
    abandon: float | None = None,
    agent: str = "anna",
    queue: str = "q1",
) -> list[Ev]:
    events = [Ev("queued", at, iid, queue=queue, channel="voice")]
    if answer is not None:
        events.append(Ev("offered", at + answer - 1, iid, agent, queue, "voice"))
        events.append(Ev("assigned", at + answer, iid, agent, queue, "voice"))
        events.append(Ev("completed", at + answer + 100, iid, agent, queue, "voice"))
    if abandon is not None:
        events.append(Ev("abandoned", at + abandon, iid, None, queue, "voice"))
    return events


def backlog() -> list[Ev]:
    return [
        *call("c1", 0, answer=10),
        *call("c2", 5, answer=30, agent="ben"),
        *call("c3", 7, abandon=3),  # a short abandon
        *call("c4", 9, abandon=60),
        *call("c5", 11, answer=15, agent="cem", queue="q2"),
    ]


def test_conventions_for_abandoned_work() -> None:
    figures = {
        convention: service_level_figures(backlog(), POLICY, abandoned=convention)[0]
        for convention in AbandonConvention
    }
    counted = figures[AbandonConvention.COUNT]
    assert (counted.key, counted.offered, counted.answered_in_time) == ("voice", 5, 2)
    assert counted.service_level == pytest.approx(2 / 5)
    assert counted.abandoned == 2
    assert counted.abandoned_short == 1
    assert counted.goal == 0.8
    assert counted.met is False
    assert figures[AbandonConvention.EXCLUDE].offered == 3
    assert figures[AbandonConvention.EXCLUDE].service_level == pytest.approx(2 / 3)
    assert figures[AbandonConvention.EXCLUDE_SHORT].offered == 4
    assert figures[AbandonConvention.EXCLUDE_SHORT].service_level == pytest.approx(2 / 4)


def test_asynchronous_work_is_answered_when_completed() -> None:
    events = [
        Ev("queued", 0, "m1", channel="email", queue="mail"),
        Ev("assigned", 60, "m1", "anna", "mail", "email"),
        Ev("completed", 4000, "m1", "anna", "mail", "email"),
        Ev("queued", 0, "m2", channel="email", queue="mail"),
        Ev("assigned", 3000, "m2", "cem", "mail", "email"),
        Ev("completed", 3500, "m2", "cem", "mail", "email"),
    ]
    (figure,) = service_level_figures(events, POLICY)
    assert (figure.offered, figure.answered, figure.answered_in_time) == (2, 2, 1)


def test_grouping_by_queue_agent_team_and_total() -> None:
    tracker = ServiceLevelTracker(POLICY, teams=TEAMS).feed(backlog())
    by_queue = {f.key: (f.offered, f.answered_in_time) for f in tracker.figures("queue")}
    assert by_queue == {"q1": (4, 1), "q2": (1, 1)}
    by_agent = {f.key: (f.offered, f.answered_in_time) for f in tracker.figures("agent")}
    assert by_agent == {"anna": (1, 1), "ben": (1, 0), "cem": (1, 1)}
    by_team = {f.key: f.service_level for f in tracker.figures("team")}
    assert by_team == {"billing": 0.5, "tech": 1.0}
    (total,) = tracker.figures("total")
    assert total.offered == 5
    assert total.goal is None
    assert total.to_dict()["met"] is None


def test_overdue_waiting_work_counts_as_missed_with_as_of() -> None:
    events = [*backlog(), Ev("queued", 100, "c6", queue="q1", channel="voice")]
    tracker = ServiceLevelTracker(POLICY).feed(events)
    assert tracker.figures("total", as_of=110)[0].offered == 5
    late = tracker.figures("total", as_of=121)[0]
    assert (late.offered, late.overdue_waiting) == (6, 1)


def test_cancelled_work_is_left_out_and_mappings_are_accepted() -> None:
    events: list[Any] = [
        {"kind": "queued", "at": 0.0, "interaction_id": "x", "channel": "voice", "queue": "q"},
        {"kind": "cancelled", "at": 1.0, "interaction_id": "x", "channel": "voice"},
        {"kind": "queued", "at": 0.0, "interaction_id": "y", "channel": "voice", "queue": "q"},
        {"kind": "assigned", "at": 2.0, "interaction_id": "y", "agent_id": "a"},
        {"kind": "agent_login", "at": 0.0, "interaction_id": None},
    ]
    (figure,) = service_level_figures(events, POLICY)
    assert (figure.offered, figure.answered_in_time) == (1, 1)


def test_bad_report_arguments_are_typed_errors() -> None:
    tracker = ServiceLevelTracker(POLICY).feed(backlog())
    with pytest.raises(om.ValidationError, match="by"):
        tracker.figures("weekday")
    with pytest.raises(om.ValidationError, match="abandoned"):
        tracker.figures(abandoned="ignore")
    with pytest.raises(om.ValidationError, match="channel"):
        tracker(Ev("queued", 0, "z"))


calls = st.lists(
    st.tuples(
        st.floats(0, 1000),
        st.one_of(st.none(), st.floats(0, 60)),
        st.floats(0, 60),
        st.sampled_from(["anna", "ben", "cem"]),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(calls=calls, convention=st.sampled_from(list(AbandonConvention)))
def test_groups_add_up_to_the_total_and_levels_are_shares(
    calls: list[tuple[float, float | None, float, str]], convention: AbandonConvention
) -> None:
    events = []
    for number, (at, answer, abandon, agent) in enumerate(calls):
        if answer is not None:
            events += call(f"c{number}", at, answer=answer, agent=agent)
        else:
            events += call(f"c{number}", at, abandon=abandon)
    tracker = ServiceLevelTracker(POLICY, teams=TEAMS).feed(events)
    totals = tracker.figures("total", abandoned=convention)
    by_queue = tracker.figures("queue", abandoned=convention)
    assert sum(f.offered for f in by_queue) == sum(f.offered for f in totals)
    for figure in [*totals, *by_queue, *tracker.figures("agent", abandoned=convention)]:
        assert figure.answered_in_time <= figure.answered <= figure.offered
        if figure.service_level is not None:
            assert 0.0 <= figure.service_level <= 1.0
