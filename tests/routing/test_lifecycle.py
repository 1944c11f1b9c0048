"""The offer lifecycle and the work operations: decline, timeout, transfer, pull, cancel,
abandon, priorities, callbacks, bot hand-over, split/consult, four-eyes review, SLA marks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from routing_helpers import Clock, Recorder, agent, staffed, work

import omnirouter as om

S = om.InteractionState


def voice_agents(*ids: str) -> list[om.Agent]:
    return [om.Agent(id=i, capacity={"voice": 1, "email": 2, "social_public": 2}) for i in ids]


def test_offer_accept(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, offer_timeout=15)
    router.subscribe(recorder)
    staffed(router, voice_agents("a"))
    router.submit(work("w"))
    assert router.state_of("w") is S.OFFERED
    router.accept("w")
    assert router.state_of("w") is S.ASSIGNED
    assert recorder.kinds("w") == ["queued", "offered", "assigned"]
    with pytest.raises(om.InvalidStateError, match="not offered"):
        router.accept("w")


def test_declining_agent_is_not_offered_the_work_again(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, offer_timeout=15)
    router.subscribe(recorder)
    staffed(router, voice_agents("a", "b"))
    router.submit(work("w"))
    first = router.agent_of("w")
    router.decline("w")
    second = router.agent_of("w")
    assert {first, second} == {"a", "b"}
    router.decline("w")
    assert router.state_of("w") is S.QUEUED
    assert recorder.kinds("w") == [
        "queued", "offered", "declined", "requeued", "offered", "declined", "requeued"
    ]  # fmt: skip
    assert router.explain("w")["declined_by"] == ["a", "b"]
    staffed(router, voice_agents("c"))
    assert router.agent_of("w") == "c"


def test_offer_timeout_requeues_and_excludes_the_silent_agent(
    clock: Clock, recorder: Recorder
) -> None:
    router = om.Router(clock=clock, offer_timeout=15)
    router.subscribe(recorder)
    staffed(router, voice_agents("a", "b"))
    router.submit(work("w"))
    silent = router.agent_of("w")
    clock.advance(15)
    router.tick()
    assert "offer_timeout" in recorder.kinds("w")
    assert router.agent_of("w") not in (None, silent)
    assert router.agent_status(silent or "").work == ()


def test_requeued_work_keeps_its_place(clock: Clock) -> None:
    router = om.Router(clock=clock, offer_timeout=15)
    staffed(router, voice_agents("a"))
    router.submit(work("old"))
    clock.advance(5)
    router.submit(work("new"))
    router.decline("old")  # a is excluded for old, so a is offered new
    assert router.agent_of("new") == "a"
    router.set_presence("a", "away")  # withdraws the offer of new: requeued, not excluded
    assert router.waiting() == ["old", "new"]
    staffed(router, voice_agents("b"))
    assert router.agent_of("old") == "b"


def test_presence_away_withdraws_open_offers(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, offer_timeout=15)
    router.subscribe(recorder)
    staffed(router, voice_agents("a"))
    router.submit(work("w"))
    router.set_presence("a", "away")
    assert router.state_of("w") is S.QUEUED
    assert recorder.of("requeued")[0].detail["reason"] == "presence"


def test_transfer_to_queue_keeps_the_place(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(
        clock=clock,
        queues=[
            om.Queue("first", accepts='reason == "first"'),
            om.Queue("experts", accepts='reason == "experts"', steps=[om.Step("skills.x >= 1")]),
        ],
    )
    router.subscribe(recorder)
    staffed(router, voice_agents("a"))
    router.submit(work("w", reason="first"))
    clock.advance(10)
    router.submit(work("later", reason="experts"))
    router.transfer("w", queue="experts")
    assert router.waiting("experts") == ["w", "later"]
    assert recorder.of("transferred")[0].detail == {"to_queue": "experts", "to_agent": None}
    assert recorder.of("transferred")[0].agent_id == "a"
    with pytest.raises(om.UnknownQueueError):
        router.transfer("w", queue="nowhere")
    with pytest.raises(om.ValidationError):
        router.transfer("w")


def test_transfer_to_a_busy_agent_waits_for_them(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, voice_agents("a", "b"))
    router.submit(work("x"))
    router.submit(work("y"))
    assert (router.agent_of("x"), router.agent_of("y")) == ("a", "b")
    router.transfer("x", agent="b")
    assert router.state_of("x") is S.QUEUED
    router.submit(work("z"))  # a is free again and takes new work, not the reserved x
    assert router.agent_of("z") == "a"
    router.complete("y")
    assert router.agent_of("x") == "b"


def test_pull_named_and_best(clock: Clock) -> None:
    router = om.Router(clock=clock, queues=[om.Queue("q", steps=[om.Step("skills.vip >= 1")])])
    router.add_agent(om.Agent(id="me", capacity={"email": 2}))
    router.set_presence("me", "away")
    router.submit(work("e1", "email"))
    router.submit(work("e2", "email", manual_priority=5))
    assert router.pull("me", "e1") == "e1"  # own choice, despite the target
    assert router.agent_of("e1") == "me"
    assert router.pull("me") is None  # the target excludes me for the rest
    router.add_agent(om.Agent(id="full", capacity={"voice": 1}))
    with pytest.raises(om.InvalidStateError, match="offline"):
        router.pull("full", "e2")
    router.set_presence("full", "away")
    with pytest.raises(om.CapacityExceededError, match="not in the agent's capacity"):
        router.pull("full", "e2")
    with pytest.raises(om.InvalidStateError):
        router.pull("me", "e1")


def test_pull_best_takes_highest_priority(clock: Clock) -> None:
    router = om.Router(clock=clock)
    router.submit(work("e1", "email"))
    router.submit(work("e2", "email", manual_priority=5))
    router.add_agent(om.Agent(id="me", capacity={"email": 2}))
    router.set_presence("me", "away")
    assert router.pull("me") == "e2"


def test_abandon_and_cancel(clock: Clock) -> None:
    router = om.Router(clock=clock)
    staffed(router, voice_agents("a"))
    router.submit(work("taken"))
    router.submit(work("waiting"))
    router.abandon("waiting")
    assert router.state_of("waiting") is S.ABANDONED
    with pytest.raises(om.InvalidStateError, match="abandoned"):
        router.abandon("taken")
    router.cancel("taken")
    assert router.state_of("taken") is S.CANCELLED
    assert router.agent_status("a").work == ()
    with pytest.raises(om.InvalidStateError, match="already cancelled"):
        router.cancel("taken")


def test_set_priority_reranks_waiting_work(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock)
    router.subscribe(recorder)
    router.submit(work("a"))
    clock.advance(30)
    router.submit(work("b"))
    assert router.waiting() == ["a", "b"]
    router.set_priority("b", 1)  # 60 s of virtual waiting time
    assert router.waiting() == ["b", "a"]
    router.set_priority("b", om.ManualPriority(value=0, reason="calmed down"))
    assert router.waiting() == ["a", "b"]
    assert recorder.of("priority_changed")[0].detail["head_start"] == 60.0


def test_low_priority_cannot_starve(clock: Clock) -> None:
    router = om.Router(clock=clock)
    router.submit(work("low", manual_priority=-2))  # 120 s behind
    clock.advance(121)
    router.submit(work("normal"))
    assert router.waiting() == ["low", "normal"]


def test_priority_hook_and_live_swap(clock: Clock) -> None:
    def vip_first(interaction: om.Interaction, now: float) -> float:
        return 1000.0 if interaction.attributes.get("vip") else 0.0

    router = om.Router(clock=clock, priority=vip_first)
    router.submit(work("plain"))
    clock.advance(10)
    router.submit(work("vip", attributes={"vip": True}))
    assert router.waiting() == ["vip", "plain"]
    router.set_priority_strategy(lambda interaction, now: 0.0)
    assert router.waiting() == ["plain", "vip"]


def test_scheduled_callback_enters_at_its_due_time(clock: Clock, recorder: Recorder) -> None:
    clock.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
    router = om.Router(clock=clock)
    router.subscribe(recorder)
    staffed(router, voice_agents("a"))
    due = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    router.submit(work("cb", "callback", scheduled_at=due))
    assert router.state_of("cb") is S.SCHEDULED
    assert router.next_wakeup() == due.timestamp()
    clock.now = due.timestamp()
    router.tick()
    assert recorder.kinds("cb") == ["scheduled", "queued"]  # no callback capacity


def test_callback_is_assigned_when_due(clock: Clock) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
    clock.now = now
    router = om.Router(clock=clock)
    staffed(router, [om.Agent(id="a", capacity={"callback": 1})])
    router.submit(work("cb", "callback", scheduled_at=datetime.fromtimestamp(now + 60, UTC)))
    clock.advance(60)
    router.tick()
    assert router.agent_of("cb") == "a"


def test_bot_handover_rides_on_the_offer(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, offer_timeout=20)
    router.subscribe(recorder)
    staffed(router, [om.Agent(id="a", capacity={"chat": 2})])
    handover = om.BotHandover(
        bot="faq-bot", transcript=["Hi", "My invoice is wrong"], extracted={"invoice": "R-17"}
    )
    router.submit(work("w", "chat", handover=handover))
    offered = recorder.of("offered")[0]
    assert offered.detail["handover"]["extracted"] == {"invoice": "R-17"}
    assert offered.detail["handover"]["transcript"][1] == "My invoice is wrong"
    router.accept("w")
    assert recorder.of("assigned")[0].detail["handover"]["bot"] == "faq-bot"


def test_split_routes_parts_and_completes_the_parent(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(
        clock=clock,
        queues=[
            om.Queue(
                "billing", accepts='reason == "billing"', steps=[om.Step("skills.billing >= 1")]
            ),
            om.Queue("tech", accepts='reason == "tech"', steps=[om.Step("skills.tech >= 1")]),
            om.Queue("general"),
        ],
    )
    router.subscribe(recorder)
    staffed(
        router,
        [
            om.Agent(id="gen", capacity={"email": 1}),
            om.Agent(id="bill", skills={"billing": 3}, capacity={"email": 1}),
            om.Agent(id="tec", skills={"tech": 3}, capacity={"email": 1}),
        ],
    )
    router.submit(work("mail", "email"))
    assert router.agent_of("mail") == "gen"
    parts = router.split(
        "mail",
        [work("mail/1", "email", reason="billing"), work("mail/2", "email", reason="tech")],
    )
    assert parts == ["mail/1", "mail/2"]
    assert router.state_of("mail") is S.WAITING_FOR_CHILDREN
    assert (router.agent_of("mail/1"), router.agent_of("mail/2")) == ("bill", "tec")
    assert router.agent_status("gen").work == ()
    router.complete("mail/1")
    assert router.state_of("mail") is S.WAITING_FOR_CHILDREN
    router.complete("mail/2")
    assert router.state_of("mail") is S.COMPLETED
    done = next(e for e in recorder.of("completed") if e.interaction_id == "mail")
    assert done.detail["children"] == {"mail/1": "completed", "mail/2": "completed"}


def test_split_refuses_bad_parts_and_changes_nothing(clock: Clock) -> None:
    router = om.Router(clock=clock)
    router.submit(work("mail", "email"))
    with pytest.raises(om.DuplicateIdError):
        router.split("mail", [work("mail", "email")])
    with pytest.raises(om.ValidationError, match="distinct"):
        router.split("mail", [work("p", "email"), work("p", "email")])
    assert router.state_of("mail") is S.QUEUED


def test_consult_blocks_completion_until_answered(clock: Clock) -> None:
    router = om.Router(
        clock=clock,
        queues=[
            om.Queue("experts", accepts='reason == "ask"', steps=[om.Step("skills.law >= 1")]),
            om.Queue("general"),
        ],
    )
    staffed(
        router,
        [
            om.Agent(id="me", capacity={"email": 1}),
            om.Agent(id="lawyer", skills={"law": 5}, capacity={"email": 1}),
        ],
    )
    router.submit(work("case", "email"))
    assert router.agent_of("case") == "me"
    question = router.consult("case", work("case?", "email", reason="ask"))
    assert router.agent_of(question) == "lawyer"
    assert router.state_of("case") is S.ASSIGNED
    with pytest.raises(om.InvalidStateError, match="consultation"):
        router.complete("case")
    router.complete(question)
    router.complete("case")
    assert router.state_of("case") is S.COMPLETED


def test_four_eyes_review_of_public_replies(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, four_eyes=om.FourEyes(reviewer="skills.reviewer >= 1"))
    router.subscribe(recorder)
    staffed(
        router,
        [
            om.Agent(id="author", skills={"reviewer": 1}, capacity={"social_public": 1}),
            om.Agent(id="boss", skills={"reviewer": 2}, capacity={"social_public": 1}),
        ],
    )
    router.submit(work("post", "social_public"))
    author = router.agent_of("post")
    router.complete("post")
    assert router.state_of("post") is S.WAITING_FOR_CHILDREN
    review = recorder.of("review_requested")[0].detail["review"]
    reviewer = router.agent_of(review)
    assert reviewer is not None
    assert reviewer != author
    router.complete(review)
    assert router.state_of("post") is S.COMPLETED
    final = next(e for e in recorder.of("completed") if e.interaction_id == "post")
    assert final.detail["reviewed_by"] == reviewer


def test_four_eyes_only_in_core_hours(clock: Clock) -> None:
    rule = om.FourEyes(when=lambda now: False)
    router = om.Router(clock=clock, four_eyes=rule)
    staffed(router, [om.Agent(id="a", capacity={"social_public": 1})])
    router.submit(work("post", "social_public"))
    router.complete("post")
    assert router.state_of("post") is S.COMPLETED


class Deadline:
    """A small SLA hook: the channel's target from submission."""

    at_risk_fraction = 0.5

    def deadline(
        self, interaction: om.Interaction, traits: om.ChannelTraits, submitted_at: float
    ) -> float | None:
        return submitted_at + traits.service_level_target.total_seconds()


def test_sla_hook_marks_at_risk_and_breach(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, sla=Deadline())
    router.subscribe(recorder)
    router.submit(work("call"))  # voice: 20 s
    router.submit(work("mail", "email"))  # e-mail: 24 h
    clock.advance(10)
    router.tick()
    assert [e.interaction_id for e in recorder.of("sla_at_risk")] == ["call"]
    staffed(router, [om.Agent(id="a", capacity={"voice": 1, "email": 1})])
    clock.advance(10)
    router.tick()
    assert recorder.of("sla_breached") == []  # the call was answered in time
    router.complete("mail")
    clock.advance(86_400)
    router.tick()
    assert recorder.of("sla_breached") == []  # the e-mail was completed: answered


def test_sla_breach_of_unanswered_work(clock: Clock, recorder: Recorder) -> None:
    router = om.Router(clock=clock, sla=Deadline())
    router.subscribe(recorder)
    router.submit(work("call"))
    clock.advance(20)
    router.tick()
    assert [e.kind for e in recorder.events if e.kind.startswith("sla")] == [
        "sla_at_risk",
        "sla_breached",
    ]


def test_cancelling_work_with_an_open_consultation_offers_it_to_nobody(clock: Clock) -> None:
    """The work is taken out of its line before its parts end: an agent freed by a
    part's end must not be offered the work being cancelled (the transition table
    refuses cancelled → offered)."""
    recorder = Recorder()
    router = staffed(
        om.Router(clock=clock, offer_timeout=30),
        [agent("a", capacity={"voice": 1, "email": 1}), agent("b", capacity={"email": 1})],
    )
    router.subscribe(recorder)
    router.submit(work("mail", "email"))
    router.accept("mail")
    holder = router.agent_of("mail")
    router.consult("mail", work("ask", "email"))
    router.accept("ask")
    router.set_presence(holder or "", "away")
    router.transfer("mail", queue="default")  # back in line, its consultation still open
    assert router.state_of("mail") is om.InteractionState.QUEUED
    recorder.events.clear()
    router.cancel("mail")
    assert router.state_of("mail") is om.InteractionState.CANCELLED
    assert router.state_of("ask") is om.InteractionState.CANCELLED
    kinds = [(e.kind, e.interaction_id) for e in recorder.events]
    assert kinds == [("cancelled", "ask"), ("cancelled", "mail")]
