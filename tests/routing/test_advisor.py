"""Personal advisor → backup → team (R-RT3), sticky agents, overflow."""

from __future__ import annotations

from routing_helpers import Clock, Recorder, staffed, work

import omnirouter as om

S = om.InteractionState


def advisor_router(clock: Clock) -> om.Router:
    return om.Router(
        clock=clock,
        queues=[
            om.Queue(
                "personal",
                accepts="customer_id != null",
                steps=[
                    om.Step(
                        "portfolio HAS interaction.customer_id", timeout=20, skip_if_absent=True
                    ),
                    om.Step("id == advisor.backup_advisor_id", timeout=30, skip_if_absent=True),
                    om.Step("team == advisor.team"),
                ],
            ),
            om.Queue("general"),
        ],
    )


def team() -> list[om.Agent]:
    cap = {"voice": 1, "email": 3}
    return [
        om.Agent(id="mia", team="north", portfolio=["c-1"], backup_advisor_id="ben", capacity=cap),
        om.Agent(id="ben", team="north", capacity=cap),
        om.Agent(id="ole", team="north", capacity=cap),
        om.Agent(id="zoe", team="south", capacity=cap),
    ]


def test_advisor_first(clock: Clock) -> None:
    router = staffed(advisor_router(clock), team())
    router.submit(work("w", "email", customer_id="c-1"))
    assert router.agent_of("w") == "mia"


def test_backup_while_advisor_is_busy_then_team(clock: Clock, recorder: Recorder) -> None:
    router = staffed(advisor_router(clock), team())
    router.subscribe(recorder)
    router.submit(work("call-1", "voice", customer_id="c-1"))  # mia
    router.submit(work("block", "voice"))  # someone of the others
    router.submit(work("call-2", "voice", customer_id="c-1"))
    assert router.agent_of("call-1") == "mia"
    blocker = router.agent_of("block")
    assert router.state_of("call-2") is S.QUEUED
    clock.advance(20)
    router.tick()
    if blocker == "ben":  # the backup is busy too: wait for the team step
        assert router.state_of("call-2") is S.QUEUED
        clock.advance(30)
        router.tick()
        assert router.agent_of("call-2") == "ole"  # never zoe of the south team
    else:
        assert router.agent_of("call-2") == "ben"


def test_backup_at_once_when_the_advisor_is_away(clock: Clock, recorder: Recorder) -> None:
    router = staffed(advisor_router(clock), team())
    router.subscribe(recorder)
    router.set_presence("mia", "away")
    router.submit(work("w", "email", customer_id="c-1"))
    assert router.agent_of("w") == "ben"
    assert recorder.of("step_expired")[0].detail["skipped"] is True


def test_team_when_advisor_and_backup_are_away(clock: Clock) -> None:
    router = staffed(advisor_router(clock), team())
    router.set_presence("mia", "offline")
    router.set_presence("ben", "away")
    router.submit(work("w", "email", customer_id="c-1"))
    assert router.agent_of("w") == "ole"


def test_sticky_agent_across_channels_only_when_available(clock: Clock) -> None:
    router = om.Router(clock=clock, queues=[om.Queue("q", sticky=True)])
    cap = {"voice": 1, "chat": 1, "email": 1}
    staffed(router, [om.Agent(id="a", capacity=cap), om.Agent(id="b", capacity=cap)])
    router.submit(work("chat-1", "chat", customer_id="k"))
    served = router.agent_of("chat-1")
    other = "b" if served == "a" else "a"
    router.complete("chat-1")
    clock.advance(1)
    router.submit(work("call", "voice", customer_id="k"))
    assert router.agent_of("call") == served  # not longest idle, the sticky agent
    router.set_presence(served or "", "away")
    router.submit(work("mail", "email", customer_id="k"))
    assert router.agent_of("mail") == other


def test_overflow_after_waiting_in_the_last_step(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(
        clock=clock,
        queues=[
            om.Queue(
                "experts",
                accepts='reason == "hard"',
                steps=[om.Step("skills.x >= 3")],
                overflow=om.Overflow("backoffice", after=60),
            ),
            om.Queue("backoffice", accepts="false"),
        ],
    )
    router.subscribe(recorder)
    staffed(router, [om.Agent(id="generalist", capacity={"email": 1})])
    router.submit(work("w", "email", reason="hard"))
    clock.advance(60)
    router.tick()
    assert recorder.of("overflowed")[0].detail == {"to": "backoffice", "reason": "after"}
    assert router.agent_of("w") == "generalist"


def test_overflow_on_queue_length(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(
        clock=clock,
        queues=[
            om.Queue("main", overflow=om.Overflow("spill", max_waiting=2)),
            om.Queue("spill", accepts="false"),
        ],
    )
    router.subscribe(recorder)
    for n in range(4):
        router.submit(work(f"w{n}"))
    assert router.waiting("main") == ["w0", "w1"]
    assert router.waiting("spill") == ["w2", "w3"]
    assert len(recorder.of("overflowed")) == 2
