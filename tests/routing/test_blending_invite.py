"""Proactive chat rules ("web radar", R-RT6): ``Router.should_invite``."""

from __future__ import annotations

import pytest
from routing_helpers import Clock, staffed

import omnirouter as om

WEB_RADAR = om.InviteRule(
    "web_radar",
    when='((page == "form_x" AND seconds_on_page > 120) OR product IN ["loan", "mortgage"])'
    ' AND available("chat", target="skills.sales >= 1") > 0',
)


def radar(clock: Clock) -> om.Router:
    router = om.Router(clock=clock, blending=[WEB_RADAR])
    staffed(router, [om.Agent(id="sam", skills={"sales": 3}, capacity={"chat": 1})])
    staffed(router, [om.Agent(id="bo", skills={"billing": 3}, capacity={"chat": 4})])
    return router


def test_visitor_facts_and_live_availability_decide(clock: Clock) -> None:
    router = radar(clock)
    long_on_form = router.should_invite({"page": "form_x", "seconds_on_page": 130})
    assert long_on_form == om.Invitation(True, "web_radar", "chat")
    assert long_on_form
    assert not router.should_invite({"page": "form_x", "seconds_on_page": 60})
    assert router.should_invite({"page": "/home", "product": "mortgage"}).rule == "web_radar"
    assert not router.should_invite({"page": "/home", "product": "cards"})
    assert not router.should_invite({})


def test_no_invitation_without_a_sales_agent_with_room(clock: Clock) -> None:
    router = radar(clock)
    router.submit(om.Interaction(id="busy", channel="chat"))  # sam, longest idle, takes it
    assert router.agent_of("busy") == "sam"
    assert not router.should_invite({"product": "loan"})  # bo has room but no sales skill
    router.complete("busy")
    assert router.should_invite({"product": "loan"})
    router.set_presence("sam", "away")
    assert not router.should_invite({"product": "loan"})


def test_an_accepted_invitation_is_a_chat_routed_as_usual(clock: Clock) -> None:
    router = radar(clock)
    invitation = router.should_invite({"page": "form_x", "seconds_on_page": 200})
    chat = invitation.interaction("chat-1", reason="loan")
    assert chat.channel == "chat"
    assert chat.attributes == {"invited_by": "web_radar"}
    router.submit(chat)
    assert router.state_of("chat-1") is om.InteractionState.ASSIGNED
    with pytest.raises(om.ValidationError, match="no invitation"):
        router.should_invite({}).interaction("chat-2")


def test_the_first_matching_rule_fires(clock: Clock) -> None:
    vip = om.InviteRule("vip", when='segment == "gold" AND available("video") > 0', channel="video")
    router = om.Router(clock=clock, blending=[vip, WEB_RADAR])
    staffed(
        router,
        [om.Agent(id="sam", skills={"sales": 3}, capacity={"chat": 1, "video": 1})],
    )
    assert router.should_invite({"segment": "gold", "product": "loan"}) == om.Invitation(
        True, "vip", "video"
    )
    assert router.should_invite({"segment": "silver", "product": "loan"}).rule == "web_radar"


def test_live_figures_can_be_read_by_function(clock: Clock) -> None:
    busy = om.InviteRule("quiet", when='waiting("chat") == 0 AND longest_wait("chat") < 30')
    router = om.Router(clock=clock, blending=[busy])
    assert router.should_invite({})
    router.submit(om.Interaction(id="c1", channel="chat"))  # nobody staffed: it waits
    assert not router.should_invite({})


def test_bad_questions_get_clear_errors(clock: Clock) -> None:
    with pytest.raises(om.InvalidStateError, match="no invite rules"):
        om.Router(clock=clock).should_invite({"page": "x"})
    router = radar(clock)
    with pytest.raises(om.ValidationError, match="visitor"):
        router.should_invite(["page", "form_x"])  # type: ignore[arg-type]
    with pytest.raises(om.ExpressionError):
        om.InviteRule("broken", when="page ==")
    with pytest.raises(om.ValidationError, match="non-empty"):
        om.InviteRule("empty", when=" ")
    with pytest.raises(om.ValidationError, match="unknown channel"):
        om.Router(clock=clock, blending=[om.InviteRule("x", when="true", channel="pager")])
    # A target that does not compile reads as null: no invitation, no exception.
    odd = om.InviteRule("odd", when='available("chat", target="skills.sales >=") > 0')
    assert not om.Router(clock=clock, blending=[odd]).should_invite({})
