"""Channel blending: the seed's verbatim rule, interruptible work, reservations with
hysteresis, rule events, snapshots and replay (R-BL1..R-BL4)."""

from __future__ import annotations

from typing import Any

import pytest
from routing_helpers import Clock, Recorder, staffed, work

import omnirouter as om

S = om.InteractionState

#: R-BL2, first sentence: more than three calls waiting → agents on an e-mail or fax get one.
CALLS_WAITING = om.BlendRule(
    "calls_waiting",
    when="waiting.voice > 3",
    agents="holding.email > 0 OR holding.fax > 0",
    offer=["voice"],
)
#: R-BL2, second sentence: an agent on the phone is not delivered a fax.
NO_FAX_ON_PHONE = om.BlendRule("no_fax_on_phone", agents="holding.voice > 0", deny=["fax"])

ONE_AT_A_TIME = om.CapacityProfile(per_channel={"voice": 1, "email": 1, "fax": 1}, total=1)


def router_with(clock: Clock, rules: list[Any], recorder: Recorder | None = None) -> om.Router:
    router = om.Router(clock=clock, blending=rules)
    if recorder is not None:
        router.subscribe(recorder)
    return router


# ---------------------------------------------------------------------- the verbatim rule


@pytest.mark.parametrize("rules", [[CALLS_WAITING, NO_FAX_ON_PHONE], []])
def test_four_calls_waiting_pull_the_agent_off_their_email(clock: Clock, rules: list[Any]) -> None:
    router = router_with(clock, rules)
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))
    assert router.agent_of("mail") == "mara"
    for n in range(3):
        router.submit(work(f"call{n}", "voice"))
    assert router.waiting() == ["call0", "call1", "call2"]  # three waiting: not yet
    router.submit(work("call3", "voice"))
    if rules:
        assert router.agent_of("call0") == "mara"
        assert router.state_of("mail") is S.PAUSED
        assert router.agent_of("mail") == "mara"  # kept, not lost
        assert router.waiting() == ["call1", "call2", "call3"]
    else:  # without the rule the agent stays on the e-mail and the calls wait
        assert router.agent_of("call0") is None
        assert router.state_of("mail") is S.ASSIGNED
        assert len(router.waiting()) == 4


def test_the_rule_stops_pulling_agents_once_three_calls_are_left(clock: Clock) -> None:
    router = router_with(clock, [CALLS_WAITING])
    staffed(router, [om.Agent(id=f"a{n}", capacity=ONE_AT_A_TIME) for n in range(4)])
    for n in range(4):
        router.submit(work(f"mail{n}", "email"))
    for n in range(6):
        router.submit(work(f"call{n}", "voice"))
    # Six waiting → three agents switch, one by one, until "more than three" no longer holds.
    on_calls = {a for a in ("a0", "a1", "a2", "a3") if router.agent_status(a).paused}
    assert len(on_calls) == 3
    assert len(router.waiting()) == 3


@pytest.mark.parametrize("rules", [[CALLS_WAITING, NO_FAX_ON_PHONE], [CALLS_WAITING]])
def test_an_agent_on_the_phone_is_never_delivered_a_fax(clock: Clock, rules: list[Any]) -> None:
    router = router_with(clock, rules)
    # Voice and fax together would fit this profile: only the rule keeps the fax away.
    staffed(router, [om.Agent(id="pia", capacity={"voice": 1, "fax": 1})])
    router.submit(work("call", "voice"))
    router.submit(work("fax", "fax"))
    if NO_FAX_ON_PHONE in rules:
        assert router.state_of("fax") is S.QUEUED
        why = {x["agent_id"]: x for x in router.explain("fax")["excluded"]}
        assert why["pia"]["reason"] == "capacity"
        assert "no_fax_on_phone" in why["pia"]["detail"]
        with pytest.raises(om.CapacityExceededError, match="no_fax_on_phone"):
            router.pull("pia", "fax")
        router.complete("call")
        assert router.agent_of("fax") == "pia"  # off the phone: now the fax comes
    else:
        assert router.agent_of("fax") == "pia"


def test_under_call_load_a_fax_agent_is_switched_and_gets_no_fax_on_the_call(
    clock: Clock,
) -> None:
    router = router_with(clock, [CALLS_WAITING, NO_FAX_ON_PHONE])
    profile = om.CapacityProfile(per_channel={"voice": 1, "fax": 2}, exclusive=["voice"])
    staffed(router, [om.Agent(id="pia", capacity=profile)])
    router.submit(work("fax0", "fax"))
    for n in range(4):
        router.submit(work(f"call{n}", "voice"))
    assert router.agent_of("call0") == "pia"
    assert router.state_of("fax0") is S.PAUSED  # interrupted for the call
    router.submit(work("fax1", "fax"))
    assert router.state_of("fax1") is S.QUEUED
    router.complete("call0")  # three calls still wait: the rule is off, back to faxes
    assert router.state_of("fax0") is S.ASSIGNED
    assert router.agent_of("fax1") == "pia"


# ---------------------------------------------------------------------- interruptible work


def test_paused_time_is_not_handling_time(clock: Clock) -> None:
    recorder = Recorder()
    router = router_with(clock, [CALLS_WAITING], recorder)
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))  # t = 1000
    clock.advance(100)
    for n in range(4):
        router.submit(work(f"call{n}", "voice"))  # t = 1100: the e-mail pauses
    clock.advance(300)
    router.abandon("call1")
    router.abandon("call2")
    router.abandon("call3")
    router.complete("call0")  # t = 1400: no call left, the e-mail resumes
    assert router.state_of("mail") is S.ASSIGNED
    clock.advance(100)
    router.complete("mail")  # t = 1500
    completed = next(e for e in recorder.of("completed") if e.interaction_id == "mail")
    assert completed.detail["paused_seconds"] == 300
    resumed = recorder.of("resumed")[0]
    assert resumed.detail == {"rule": "calls_waiting", "paused_seconds": 300}
    times = om.blending.handling_times(recorder.events)
    assert times["mail"] == 200  # 500 s with the agent, 300 s of it paused
    assert times["call0"] == 300
    assert om.blending.handling_times(e.to_json() for e in recorder.events) == times


def test_manual_pause_is_excluded_from_handling_time_too(clock: Clock) -> None:
    recorder = Recorder()
    router = router_with(clock, [], recorder)
    staffed(router, [om.Agent(id="x", capacity={"email": 1})])
    router.submit(work("mail", "email"))
    clock.advance(10)
    router.pause("mail")
    clock.advance(50)
    router.resume("mail")
    clock.advance(5)
    router.complete("mail")
    assert om.blending.handling_times(recorder.events) == {"mail": 15}


def test_paused_email_is_never_given_to_another_agent(clock: Clock) -> None:
    router = router_with(clock, [CALLS_WAITING])
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))
    for n in range(4):
        router.submit(work(f"call{n}", "voice"))
    assert router.state_of("mail") is S.PAUSED
    # An idle e-mail agent arrives: the paused e-mail is not waiting work, it stays with mara.
    staffed(router, [om.Agent(id="eve", capacity={"email": 3})])
    router.submit(work("mail2", "email"))
    assert router.agent_of("mail2") == "eve"
    assert router.agent_of("mail") == "mara"
    assert "mail" not in router.waiting()
    assert router.agent_status("mara").paused == ("mail",)
    assert router.agent_status("eve").work == ("mail2",)


def test_the_agent_takes_the_next_call_while_the_rule_holds(clock: Clock) -> None:
    router = router_with(clock, [CALLS_WAITING])
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))
    for n in range(6):
        router.submit(work(f"call{n}", "voice"))
    assert router.agent_of("call0") == "mara"
    assert len(router.waiting()) == 5
    router.complete("call0")  # five waited: the rule holds, the next call comes
    assert router.agent_of("call1") == "mara"
    assert router.state_of("mail") is S.PAUSED
    router.complete("call1")  # four waited: one more call, then three are left
    assert router.agent_of("call2") == "mara"
    router.complete("call2")  # three wait: the rule is off, back to the e-mail
    assert router.state_of("mail") is S.ASSIGNED
    assert router.waiting() == ["call3", "call4", "call5"]


def test_multi_chat_is_per_agent_and_channel(clock: Clock) -> None:
    router = router_with(clock, [NO_FAX_ON_PHONE])
    staffed(
        router,
        [om.Agent(id="five", capacity={"chat": 5}), om.Agent(id="one", capacity={"chat": 1})],
    )
    for n in range(7):
        router.submit(work(f"c{n}", "chat"))
    held = {a: len(router.agent_status(a).work) for a in ("five", "one")}
    assert held == {"five": 5, "one": 1}
    assert router.waiting() == ["c6"]


# ---------------------------------------------------------------------- events


def test_every_blending_decision_is_an_event_with_the_rule(clock: Clock) -> None:
    recorder = Recorder()
    router = router_with(clock, [CALLS_WAITING], recorder)
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))
    for n in range(4):
        router.submit(work(f"call{n}", "voice"))
    switched = recorder.of("blend_switched")
    assert [(e.agent_id, e.detail["active"]) for e in switched] == [
        (None, True),
        ("mara", True),
        (None, False),  # three calls left: the rule is off again
    ]
    assert switched[1].detail == {
        "rule": "calls_waiting",
        "active": True,
        "to": ["voice"],
        "from": ["email"],
    }
    paused = recorder.of("paused")[0]
    assert (paused.interaction_id, paused.agent_id) == ("mail", "mara")
    assert paused.detail == {"rule": "calls_waiting", "for": "voice"}
    assert switched[0].detail == {
        "rule": "calls_waiting",
        "active": True,
        "to": ["voice"],
        "from": [],
    }
    assert "blend_switched" in om.routing.EVENT_KINDS


# ---------------------------------------------------------------------- hysteresis


def chat_surge(until: str | None) -> om.BlendRule:
    return om.BlendRule(
        "chat_surge",
        when="waiting.chat > 4",
        until=until,
        agents="skills.chat >= 1",
        offer=["chat"],
        deny=["email"],
    )


def switches_while_oscillating(clock: Clock, rule: om.BlendRule, levels: list[int]) -> list[bool]:
    """Drive the chat backlog through ``levels``; the rule-level switches, in order."""
    recorder = Recorder()
    router = router_with(clock, [rule], recorder)
    waiting: list[str] = []
    for n, level in enumerate(levels):
        while len(waiting) < level:
            waiting.append(f"c{n}-{len(waiting)}")
            router.submit(work(waiting[-1], "chat"))
        while len(waiting) > level:
            router.abandon(waiting.pop())
        clock.advance(1)
    return [e.detail["active"] for e in recorder.of("blend_switched") if e.agent_id is None]


def test_a_load_around_the_threshold_switches_once(clock: Clock) -> None:
    around = [3, 6, 4, 5, 3, 6, 2, 5, 4, 7, 3] * 3  # crosses 4 many times, never below 2
    assert switches_while_oscillating(clock, chat_surge("waiting.chat < 2"), around) == [True]
    # Without hysteresis the same load flaps at every crossing.
    flaps = switches_while_oscillating(Clock(), chat_surge(None), around)
    assert len(flaps) > 10


def test_full_oscillations_switch_once_each_way(clock: Clock) -> None:
    waves = [0, 3, 6, 8, 5, 3, 1, 0] * 4
    switches = switches_while_oscillating(clock, chat_surge("waiting.chat < 2"), waves)
    assert switches == [True, False] * 4


def reservation(**limits: Any) -> om.BlendRule:
    return om.BlendRule(
        "chat_surge",
        when="waiting.chat > 4",
        until="waiting.chat == 0",
        agents="skills.chat >= 1",
        offer=["chat"],
        deny=["email"],
        **limits,
    )


def mail_team(clock: Clock, rule: om.BlendRule, recorder: Recorder) -> om.Router:
    router = router_with(clock, [rule], recorder)
    profile = om.CapacityProfile(per_channel={"chat": 2, "email": 1}, total=1)
    staffed(router, [om.Agent(id=f"m{n}", skills={"chat": 2}, capacity=profile) for n in range(4)])
    for n in range(4):
        router.submit(work(f"mail{n}", "email"))
    return router


def test_reservation_moves_agents_and_keeps_a_minimum_on_email(clock: Clock) -> None:
    recorder = Recorder()
    router = mail_team(clock, reservation(keep={"email": 1}), recorder)
    for n in range(6):
        router.submit(work(f"chat{n}", "chat"))
    moved = [e for e in recorder.of("blend_switched") if e.agent_id is not None]
    assert [(e.agent_id, e.detail["active"]) for e in moved] == [
        ("m0", True),
        ("m1", True),
        ("m2", True),
    ]
    assert moved[0].detail == {
        "rule": "chat_surge",
        "active": True,
        "to": ["chat"],
        "from": ["email"],
    }
    assert [router.agent_of(f"chat{n}") for n in range(3)] == ["m0", "m1", "m2"]
    assert [router.state_of(f"mail{n}") for n in range(4)] == [S.PAUSED] * 3 + [S.ASSIGNED]
    assert router.waiting() == ["chat3", "chat4", "chat5"]  # not yet 0: the rule holds
    router.submit(work("mail4", "email"))
    assert router.state_of("mail4") is S.QUEUED  # m3 is busy, the others are on chat
    router.complete("chat0")  # m0 stays reserved: the next chat, not an e-mail
    assert router.agent_of("chat3") == "m0"
    assert router.state_of("mail0") is S.PAUSED
    router.abandon("chat4")
    router.abandon("chat5")  # nothing waits: the reservation ends
    back = [e for e in recorder.of("blend_switched") if e.agent_id is not None][3:]
    assert [(e.agent_id, e.detail["active"], e.detail["to"]) for e in back] == [
        ("m0", False, ["email"]),
        ("m1", False, ["email"]),
        ("m2", False, ["email"]),
    ]
    for chat in ("chat1", "chat2", "chat3"):
        router.complete(chat)
    # Each goes back to the e-mail it left before taking anything new.
    assert [router.state_of(f"mail{n}") for n in range(3)] == [S.ASSIGNED] * 3
    assert router.state_of("mail4") is S.QUEUED


def test_reservation_moves_at_most_max_agents(clock: Clock) -> None:
    recorder = Recorder()
    router = mail_team(clock, reservation(max_agents=1), recorder)
    for n in range(5):
        router.submit(work(f"chat{n}", "chat"))
    moved = [e.agent_id for e in recorder.of("blend_switched") if e.agent_id is not None]
    assert moved == ["m0"]
    assert router.agent_of("chat0") == "m0"
    assert router.waiting() == ["chat1", "chat2", "chat3", "chat4"]


# ---------------------------------------------------------------------- snapshot, replay


def test_snapshot_and_restore_keep_the_blending_state(clock: Clock) -> None:
    router = router_with(clock, [CALLS_WAITING, NO_FAX_ON_PHONE])
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))
    for n in range(5):
        router.submit(work(f"call{n}", "voice"))
    data = router.snapshot()
    assert data["blending"]["active"] == ["calls_waiting", "no_fax_on_phone"]
    assert data["blending"]["paused"] == {"mara": {"mail": "calls_waiting"}}
    copy = om.Router.restore(data, clock=clock)
    assert copy.snapshot() == data
    for each in (router, copy):
        each.complete("call0")  # 4 left: still on, next call
        each.complete("call1")  # 3 left: off, the e-mail resumes
        assert each.state_of("mail") is S.ASSIGNED
    assert copy.snapshot() == router.snapshot()


def test_recorded_commands_replay_to_the_same_state(clock: Clock) -> None:
    rules = [CALLS_WAITING, NO_FAX_ON_PHONE, chat_surge("waiting.chat < 2")]
    router = router_with(clock, rules)
    log: list[tuple[str, dict[str, Any], float]] = []
    router.add_command_listener(lambda name, args, at: log.append((name, args, at)))
    staffed(
        router,
        [
            om.Agent(id="a", skills={"chat": 1}, capacity=ONE_AT_A_TIME),
            om.Agent(id="b", skills={"chat": 1}, capacity={"chat": 3, "email": 2, "fax": 1}),
        ],
    )
    for n in range(3):
        router.submit(work(f"mail{n}", "email"))
        router.submit(work(f"fax{n}", "fax"))
    for n in range(6):
        clock.advance(5)
        router.submit(work(f"call{n}", "voice"))
        router.submit(work(f"chat{n}", "chat"))
    router.complete("call0")
    replay_clock = Clock()
    replayed = om.Router(clock=replay_clock, blending=rules)
    for name, args, at in log:
        replay_clock.now = at
        replayed.execute(name, args)
    assert replayed.snapshot() == router.snapshot()


# ---------------------------------------------------------------------- errors


def test_rules_are_checked_when_written() -> None:
    with pytest.raises(om.ExpressionError):
        om.BlendRule("x", when="waiting.voice >", offer="voice")
    with pytest.raises(om.ValidationError, match="may read only"):
        om.BlendRule("x", agents="waiting.voice > 3", offer="voice")
    with pytest.raises(om.ValidationError, match="may read only"):
        om.BlendRule("x", when="holding.voice > 0", offer="voice")
    with pytest.raises(om.ValidationError, match="offer or to deny"):
        om.BlendRule("x", when="waiting.voice > 3")
    with pytest.raises(om.ValidationError, match="both offered and denied"):
        om.BlendRule("x", offer="voice", deny="voice")
    with pytest.raises(om.ValidationError, match="needs a when"):
        om.BlendRule("x", until="waiting.voice < 1", offer="voice")
    with pytest.raises(om.ValidationError, match=r"keep\.email"):
        om.BlendRule("x", offer="voice", keep={"email": -1})
    with pytest.raises(om.ValidationError, match="max_agents"):
        om.BlendRule("x", offer="voice", max_agents=0)
    with pytest.raises(om.ValidationError, match="not a channel name"):
        om.BlendRule("x", offer=["Voice!"])


def test_the_router_refuses_bad_blending_lists(clock: Clock) -> None:
    with pytest.raises(om.ValidationError, match="unknown channel 'pager'"):
        om.Router(clock=clock, blending=[om.BlendRule("x", offer="pager")])
    with pytest.raises(om.ValidationError, match="duplicate rule name"):
        om.Router(clock=clock, blending=[CALLS_WAITING, CALLS_WAITING])
    with pytest.raises(om.ValidationError, match=r"blending\.0"):
        om.Router(clock=clock, blending=["waiting.voice > 3"])


def test_rules_round_trip_as_data(clock: Clock) -> None:
    for rule in (CALLS_WAITING, NO_FAX_ON_PHONE, chat_surge("waiting.chat < 2")):
        again = om.BlendRule.from_json(rule.to_json())
        assert again.to_json() == rule.to_json()
    router = om.Router(clock=clock, blending=[CALLS_WAITING.to_json()])
    staffed(router, [om.Agent(id="mara", capacity=ONE_AT_A_TIME)])
    router.submit(work("mail", "email"))
    for n in range(4):
        router.submit(work(f"call{n}", "voice"))
    assert router.agent_of("call0") == "mara"


class CallsBeforeChats:
    """A custom policy: while any call waits, chat agents get no new chat."""

    name = "calls_first"
    offers: frozenset[str] = frozenset()
    denies = frozenset({"chat"})

    def active(self, load: om.blending.LiveLoad, was_active: bool) -> bool:
        return load.waiting["voice"] > 0

    def applies_to(self, agent: om.blending.AgentLoad) -> bool:
        return agent.holding["voice"] == 0


def test_a_custom_policy_follows_the_protocol(clock: Clock) -> None:
    assert isinstance(CallsBeforeChats(), om.BlendingPolicy)
    router = router_with(clock, [CallsBeforeChats()])
    staffed(router, [om.Agent(id="x", capacity={"chat": 2})])
    staffed(router, [om.Agent(id="v", capacity={"voice": 1})])
    router.submit(work("call0", "voice"))
    router.submit(work("call1", "voice"))  # waits: v is busy
    router.submit(work("chat", "chat"))
    assert router.state_of("chat") is S.QUEUED
    router.abandon("call1")
    assert router.agent_of("chat") == "x"
    with pytest.raises(om.ValidationError, match="custom blending policy"):
        om.Router.restore(router.snapshot(), clock=clock)
    copy = om.Router.restore(router.snapshot(), clock=clock, blending=[CallsBeforeChats()])
    assert copy.snapshot() == router.snapshot()


def test_rules_on_waiting_time_are_rechecked_by_a_timer(clock: Clock) -> None:
    slow_chat = om.BlendRule(
        "slow_chat",
        when="longest_wait.chat > 60",
        agents="skills.chat >= 1",
        offer=["chat"],
        recheck=5,
    )
    router = router_with(clock, [slow_chat])
    profile = om.CapacityProfile(per_channel={"chat": 1, "email": 1}, total=1)
    staffed(router, [om.Agent(id="m", skills={"chat": 1}, capacity=profile)])
    router.submit(work("mail", "email"))
    assert router.next_wakeup() is None  # nothing waits: no re-check
    router.submit(work("chat", "chat"))
    assert router.next_wakeup() == clock.now + 5
    while router.state_of("chat") is S.QUEUED:
        clock.now = router.next_wakeup() or clock.now + 1
        router.tick()
    assert clock.now == 1065  # the first re-check after a wait of more than 60 s
    assert router.agent_of("chat") == "m"
    assert router.state_of("mail") is S.PAUSED
    assert router.next_wakeup() is None  # nothing waits any more


def test_overlapping_when_and_until_cannot_flap_without_end(clock: Clock) -> None:
    recorder = Recorder()
    odd = om.BlendRule("odd", when="waiting.voice > 1", until="waiting.voice < 5", deny="fax")
    router = router_with(clock, [odd], recorder)
    for n in range(3):
        router.submit(work(f"call{n}", "voice"))
    for n in range(3, 6):
        router.submit(work(f"call{n}", "voice"))
    switches = [e.detail["active"] for e in recorder.of("blend_switched")]
    # While both hold, each operation switches once (2 → on, 3 → off, 4 → on); from 5 on
    # `until` no longer holds and the rule stays on. It never loops within an operation.
    assert switches == [True, False, True]


@pytest.mark.parametrize(
    ("condition", "field", "hint"),
    [
        ({"when": "waiting.vocie > 2"}, "blending.0.when", "did you mean 'voice'?"),
        ({"when": "longest_wait.emial > 60"}, "blending.0.when", "did you mean 'email'?"),
        (
            {"when": "waiting.voice > 2", "agents": "holding.vocie >= 1"},
            "blending.0.agents",
            "did you mean 'voice'?",
        ),
    ],
)
def test_a_rule_reading_a_channel_nobody_has_is_refused(
    condition: dict[str, str], field: str, hint: str
) -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Router(blending=[om.BlendRule("r", offer="voice", **condition)])
    assert caught.value.fields == [field]
    assert hint in str(caught.value)
