"""Queues, steps that widen or narrow, push assignment, events and errors."""

from __future__ import annotations

import pytest
from routing_helpers import Clock, Recorder, agent, staffed, work

import omnirouter as om

S = om.InteractionState


def vip_router(clock: Clock) -> om.Router:
    return om.Router(
        queues=[
            om.Queue(
                "vip_billing",
                accepts='reason == "billing" AND attributes.tier == "gold"',
                steps=[
                    om.Step(target="skills.billing >= 4", timeout=20),
                    om.Step(target="skills.billing >= 2"),
                ],
            ),
            om.Queue("general"),
        ],
        clock=clock,
    )


def test_first_matching_queue_takes_the_work(clock: Clock, recorder: Recorder) -> None:
    router = vip_router(clock)
    router.subscribe(recorder)
    router.submit(work("a", "email", reason="billing", attributes={"tier": "gold"}))
    router.submit(work("b", "email", reason="billing", attributes={"tier": "silver"}))
    queued = {e.interaction_id: e.queue for e in recorder.of("queued")}
    assert queued == {"a": "vip_billing", "b": "general"}
    assert router.waiting("vip_billing") == ["a"]
    assert router.waiting() == ["a", "b"]


def test_no_queue_accepts_is_refused_and_changes_nothing(clock: Clock) -> None:
    router = om.Router(queues=[om.Queue("only_voice", accepts='channel == "voice"')], clock=clock)
    with pytest.raises(om.NoQueueError, match="no queue accepts"):
        router.submit(work("x", "email"))
    with pytest.raises(om.UnknownInteractionError):
        router.state_of("x")
    router.submit(work("x", "voice"))  # the id is still free
    assert router.state_of("x") is S.QUEUED


def test_target_widens_after_the_step_timeout(clock: Clock, recorder: Recorder) -> None:
    router = vip_router(clock)
    router.subscribe(recorder)
    staffed(router, [agent("junior", skills={"billing": 2})])
    router.submit(work("i-1", "email", reason="billing", attributes={"tier": "gold"}))
    assert router.state_of("i-1") is S.QUEUED
    assert router.next_wakeup() == clock.now + 20
    clock.advance(19.9)
    router.tick()
    assert router.state_of("i-1") is S.QUEUED
    clock.advance(0.1)
    router.tick()
    assert router.state_of("i-1") is S.ASSIGNED
    assert router.agent_of("i-1") == "junior"
    assert recorder.kinds("i-1") == ["queued", "step_expired", "assigned"]


def test_expert_gets_it_in_the_first_step(clock: Clock) -> None:
    router = vip_router(clock)
    staffed(
        router, [agent("junior", skills={"billing": 2}), agent("expert", skills={"billing": 5})]
    )
    router.submit(work("i-1", "email", reason="billing", attributes={"tier": "gold"}))
    assert router.agent_of("i-1") == "expert"


def test_steps_can_narrow_too(clock: Clock) -> None:
    router = om.Router(
        queues=[
            om.Queue(
                "q",
                steps=[om.Step("", timeout=10), om.Step("skills.sales >= 3")],
            )
        ],
        clock=clock,
    )
    router.submit(work("w", "chat"))
    clock.advance(10)
    router.tick()
    staffed(router, [agent("novice", skills={"sales": 1})])
    assert router.state_of("w") is S.QUEUED  # the narrowed target excludes the novice
    staffed(router, [agent("pro", skills={"sales": 4})])
    assert router.agent_of("w") == "pro"


def test_language_target_reads_the_interaction(clock: Clock) -> None:
    router = om.Router(
        queues=[om.Queue("q", steps=[om.Step("languages HAS interaction.language")])], clock=clock
    )
    staffed(router, [agent("en", languages=["en"]), agent("de", languages=["de"])])
    router.submit(work("w", "chat", language="de"))
    assert router.agent_of("w") == "de"


def test_channel_specific_skills(clock: Clock) -> None:
    router = om.Router(queues=[om.Queue("q", steps=[om.Step("skills.billing >= 4")])], clock=clock)
    talker = agent("talker", skills={"billing": 5}, channel_skills={"email": {"billing": 1}})
    staffed(router, [talker])
    router.submit(work("mail", "email"))
    router.submit(work("call", "voice"))
    assert router.state_of("mail") is S.QUEUED
    assert router.agent_of("call") == "talker"


def test_free_agent_takes_best_work_across_queues(clock: Clock) -> None:
    router = om.Router(
        queues=[
            om.Queue("a", accepts='reason == "a"'),
            om.Queue("b", accepts='reason == "b"'),
        ],
        clock=clock,
    )
    router.submit(work("b-old", "voice", reason="b"))
    clock.advance(1)
    router.submit(work("a-new", "voice", reason="a"))
    clock.advance(1)
    router.submit(work("a-urgent", "voice", reason="a", manual_priority=1))  # 60 s head start
    staffed(router, [agent("x")])
    assert router.agent_of("a-urgent") == "x"
    router.complete("a-urgent")
    assert router.agent_of("b-old") == "x"
    router.complete("b-old")
    assert router.agent_of("a-new") == "x"


def test_duplicate_and_unknown_ids(clock: Clock) -> None:
    router = om.Router(clock=clock)
    router.submit(work("w"))
    with pytest.raises(om.DuplicateIdError):
        router.submit(work("w"))
    with pytest.raises(om.UnknownInteractionError, match="nope"):
        router.complete("nope")
    with pytest.raises(om.UnknownAgentError):
        router.set_presence("ghost", "available")
    router.add_agent(agent("x"))
    with pytest.raises(om.DuplicateIdError):
        router.add_agent(agent("x"))
    with pytest.raises(om.ValidationError, match="presence"):
        router.set_presence("x", "sleeping")
    with pytest.raises(om.InvalidStateError, match="not assigned"):
        router.complete("w")


def test_custom_channel_from_the_registry(clock: Clock) -> None:
    registry = om.ChannelRegistry()
    registry.register(om.ChannelTraits(name="pager", synchronous=False, service_level_target=60))
    router = om.Router(clock=clock, channels=registry)
    staffed(router, [registry.validate(om.Agent, {"id": "p", "capacity": {"pager": 2}})])
    router.submit(registry.validate(om.Interaction, {"id": "w", "channel": "pager"}))
    assert router.agent_of("w") == "p"
    other = om.Router(clock=clock)
    with pytest.raises(om.UnknownChannelError, match="pager"):
        other.submit(registry.validate(om.Interaction, {"id": "w", "channel": "pager"}))


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(om.ExpressionError):
        om.Queue("q", accepts="reason ==")
    with pytest.raises(om.ValidationError, match="duplicate queue"):
        om.Router(queues=[om.Queue("q"), om.Queue("q")])
    with pytest.raises(om.ValidationError, match="unknown queue"):
        om.Router(queues=[om.Queue("q", overflow=om.Overflow("nowhere", after=5))])
    with pytest.raises(om.ValidationError, match="timeout"):
        om.Step("", timeout=-1)
    with pytest.raises(om.ValidationError, match="unknown policy"):
        om.Router(selection="fastest")
    with pytest.raises(om.ValidationError, match="offer_timeout"):
        om.Router(offer_timeout=0)


def test_events_are_typed_records(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock)
    router.subscribe(recorder)
    staffed(router, [agent("x")])
    router.submit(work("w", "chat"))
    event = recorder.of("assigned")[0]
    assert (event.kind, event.interaction_id, event.agent_id, event.queue, event.channel) == (
        "assigned",
        "w",
        "x",
        "default",
        "chat",
    )
    assert event.at == clock.now
    assert event.to_json()["kind"] == "assigned"
    with pytest.raises(AttributeError):
        event.kind = "other"  # type: ignore[misc]


def test_subscribe_by_kind_and_unsubscribe(clock: Clock) -> None:
    router = om.Router(clock=clock)
    seen: list[str] = []
    stop = router.subscribe(lambda e: seen.append(e.kind), kinds=["completed"])
    staffed(router, [agent("x")])
    router.submit(work("w"))
    router.complete("w")
    stop()
    router.submit(work("v"))
    router.complete("v")
    assert seen == ["completed"]


def test_subscriber_may_call_the_router_and_events_stay_in_order(clock: Clock) -> None:
    router = om.Router(clock=clock, offer_timeout=30)
    kinds: list[str] = []

    def auto_accept(event: om.Event) -> None:
        kinds.append(event.kind)
        if event.kind == "offered":
            router.accept(event.interaction_id or "")

    router.subscribe(auto_accept)
    staffed(router, [agent("x")])
    router.submit(work("w"))
    assert router.state_of("w") is S.ASSIGNED
    assert kinds[-3:] == ["queued", "offered", "assigned"]


def test_removing_an_agent_requeues_their_work(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock)
    router.subscribe(recorder)
    staffed(router, [agent("x")])
    router.submit(work("w"))
    router.remove_agent("x")
    assert router.state_of("w") is S.QUEUED
    assert recorder.of("requeued")[0].detail["reason"] == "agent_removed"
    with pytest.raises(om.UnknownAgentError):
        router.agent_status("x")
    staffed(router, [agent("y")])
    assert router.agent_of("w") == "y"
