"""Planned outbound contacts become outbound interactions for the router."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from outbound_factories import consent, person, utc

import omnirouter as om
from omnirouter.outbound import may_contact, outbound_interaction, plan_campaign

AT = utc(2024, 6, 4, 10)


def test_planned_campaign_contact_becomes_an_outbound_interaction() -> None:
    contact = person("c-7", consent("email", "opt_in", utc(2024, 1, 1)))
    plan = plan_campaign(
        [contact], {"email": "Summer sale."}, purpose="promotion", at=AT, name="summer"
    )
    interaction = outbound_interaction(plan.planned[0])
    assert isinstance(interaction, om.Interaction)
    assert interaction.direction is om.Direction.OUTBOUND
    assert interaction.channel == "email"
    assert interaction.customer_id == "c-7"
    assert interaction.reason == "promotion"
    assert interaction.preview == "Summer sale."
    assert interaction.created_at == AT
    assert interaction.attributes == {"purpose": "promotion", "campaign": "summer"}
    assert interaction.id == "out-c-7-email-20240604T100000+0000"
    assert interaction.state is om.InteractionState.NEW


def test_an_allowed_callback_decision_becomes_scheduled_work() -> None:
    due = AT + timedelta(hours=2)
    decision = may_contact(person("c-8"), "callback", "callback", due)
    interaction = outbound_interaction(
        decision,
        interaction_id="cb-1",
        scheduled_at=due,
        reason="billing",
        attributes={"ticket": "T-42"},
    )
    assert interaction.id == "cb-1"
    assert interaction.channel == "callback"
    assert interaction.direction is om.Direction.OUTBOUND
    assert interaction.scheduled_at == due
    assert interaction.reason == "billing"
    assert interaction.attributes == {"purpose": "callback", "ticket": "T-42"}


def test_a_refused_decision_cannot_become_work() -> None:
    opted_out = person("c-9", consent("sms", "opt_out", utc(2024, 1, 1)))
    decision = may_contact(opted_out, "sms", "promotion", AT)
    with pytest.raises(om.ContactNotAllowedError, match="opted_out") as caught:
        outbound_interaction(decision)
    assert caught.value.decision is decision


def test_custom_channels_validate_through_the_registry() -> None:
    registry = om.ChannelRegistry()
    registry.register(om.ChannelTraits(name="pager", synchronous=False, service_level_target=60))
    decision = may_contact(person("c-1"), "pager", "alert", AT, channels=registry)
    assert outbound_interaction(decision, channels=registry).channel == "pager"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda d: outbound_interaction("c-1"), "planned"),
        (lambda d: outbound_interaction(d, scheduled_at=datetime(2024, 6, 4)), "scheduled_at"),
        (lambda d: outbound_interaction(d, reason="x" * 200), "reason"),
    ],
)
def test_bad_arguments_are_typed_errors(call: object, field: str) -> None:
    decision = may_contact(person("c-1"), "callback", "callback", AT)
    with pytest.raises(om.ValidationError) as caught:
        call(decision)  # type: ignore[operator]
    assert caught.value.fields == [field]
