"""Campaign planning: preference order, consent, caps, message limits, skip reasons."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from outbound_factories import consent, person, utc

import omnirouter as om
from omnirouter.outbound import (
    ContactCap,
    ContactLog,
    OutboundPolicy,
    QuietHours,
    Rule,
    plan_campaign,
)

JAN = utc(2024, 1, 1)
AT = utc(2024, 6, 4, 10)  # a Tuesday, 12:00 in Berlin
MESSAGES = {
    "email": "Summer sale: 20 % off all routers until Sunday.",
    "sms": "Summer sale: 20% off until Sunday. Reply STOP to opt out.",
}
POLICY = OutboundPolicy(caps=[ContactCap(1, timedelta(days=7), purposes={"marketing"})])


def both_opted_in(contact_id: str, **fields: object) -> om.Contact:
    return person(
        contact_id, consent("email", "opt_in", JAN), consent("sms", "opt_in", JAN), **fields
    )


def test_each_contact_gets_the_first_allowed_channel_in_their_order() -> None:
    contacts = [
        both_opted_in("likes-sms", preferred_channels=["sms", "email"]),
        both_opted_in("likes-email", preferred_channels=["email"]),
        both_opted_in("no-preference"),  # the campaign's order: email first
        person("sms-only", consent("sms", "opt_in", JAN), preferred_channels=["email", "sms"]),
    ]
    plan = plan_campaign(contacts, MESSAGES, purpose="promotion", at=AT, policy=POLICY)
    chosen = {p.contact_id: p.channel for p in plan.planned}
    assert chosen == {
        "likes-sms": "sms",
        "likes-email": "email",
        "no-preference": "email",
        "sms-only": "sms",
    }
    assert plan.skipped == ()
    sms_only = next(p for p in plan.planned if p.contact_id == "sms-only")
    assert [d.channel for d in sms_only.passed_over] == ["email"]
    assert sms_only.passed_over[0].rules == (Rule.NO_CONSENT,)
    assert sms_only.segments is not None
    assert sms_only.segments.segments == 1
    assert sms_only.message == MESSAGES["sms"]
    assert plan.by_channel() == {"sms": 2, "email": 2}


def test_skipped_contacts_carry_every_reason() -> None:
    opted_out = person(
        "opted-out",
        consent("email", "opt_in", JAN),
        consent("email", "opt_out", utc(2024, 3, 1), source="unsubscribe link"),
    )
    expired = person("expired", consent("sms", "opt_in", JAN, expires_at=utc(2024, 6, 1)))
    capped = both_opted_in("capped")
    history = ContactLog([("capped", "whatsapp", utc(2024, 6, 1), "newsletter")])
    plan = plan_campaign(
        [opted_out, expired, capped],
        MESSAGES,
        purpose="promotion",
        at=AT,
        policy=POLICY,
        history=history,
    )
    assert plan.planned == ()
    skipped = {s.contact_id: s for s in plan.skipped}
    assert skipped["opted-out"].rules == (Rule.OPTED_OUT, Rule.NO_CONSENT)
    assert skipped["opted-out"].attempts[0].refusals[0].consent == opted_out.consent[1]
    assert "unsubscribe link" in skipped["opted-out"].reason
    assert skipped["expired"].rules == (Rule.NO_CONSENT, Rule.CONSENT_EXPIRED)
    assert skipped["capped"].rules == (Rule.CONTACT_CAP,)
    assert "sms: " in skipped["capped"].reason
    assert plan.skipped_by_rule()["no_consent"] == 2
    assert plan.summary() == (
        "campaign: 0 planned (none); 3 skipped "
        "(consent_expired 1, contact_cap 1, no_consent 2, opted_out 1)"
    )


def test_a_campaign_may_use_only_preferred_channels() -> None:
    contact = both_opted_in("c-1", preferred_channels=["whatsapp"])
    plan = plan_campaign(
        [contact], MESSAGES, purpose="promotion", at=AT, policy=POLICY, preferred_only=True
    )
    assert plan.skipped[0].rules == (Rule.NO_CHANNEL,)
    assert plan.skipped[0].attempts == ()
    assert "preferred channels" in plan.skipped[0].reason


def test_sms_segments_are_capped_and_too_long_messages_skip_the_channel() -> None:
    long_sms = "Grüße! Unser Sommerangebot – 20 % auf alle Router bis Sonntag."  # the dash: UCS-2
    contact = person("c-1", consent("sms", "opt_in", JAN), consent("email", "opt_in", JAN))
    messages = {"sms": long_sms * 2, "email": "Summer sale."}
    plan = plan_campaign([contact], messages, purpose="promotion", at=AT)
    planned = plan.planned[0]
    assert planned.channel == "email"
    refused_sms = planned.passed_over[0]
    assert refused_sms.rules == (Rule.MESSAGE_TOO_LONG,)
    assert "UCS-2 because of '–'" in refused_sms.refusals[0].message
    assert "the cap is 1" in refused_sms.refusals[0].message
    wider = plan_campaign([contact], messages, purpose="promotion", at=AT, max_sms_segments=2)
    assert wider.planned[0].channel == "sms"
    assert wider.planned[0].segments is not None
    assert wider.planned[0].segments.segments == 2


def test_quiet_hours_and_service_purposes_in_a_campaign() -> None:
    policy = OutboundPolicy(
        quiet_hours=QuietHours.between(time(21), time(8), default_timezone="Europe/Berlin")
    )
    contacts = [person("berlin"), person("tokyo", timezone="Asia/Tokyo")]
    status = {"sms": "Your parcel arrives today between 14:00 and 16:00."}
    afternoon = utc(2024, 6, 4, 13)  # 15:00 in Berlin, 22:00 in Tokyo
    plan = plan_campaign(
        contacts, status, purpose="status", at=afternoon, policy=policy, name="parcels"
    )
    assert [p.contact_id for p in plan.planned] == ["berlin"]  # no opt-in needed for status
    assert plan.skipped[0].contact_id == "tokyo"
    assert plan.skipped[0].rules == (Rule.QUIET_HOURS,)
    assert plan.skipped[0].attempts[0].retry_at == utc(2024, 6, 4, 23)  # 08:00 in Tokyo


def test_records_of_the_plan_feed_the_contact_log() -> None:
    contacts = [both_opted_in("a"), both_opted_in("b")]
    log = ContactLog()
    first = plan_campaign(
        contacts, MESSAGES, purpose="promotion", at=AT, policy=POLICY, history=log
    )
    assert len(first.planned) == 2
    assert len(log) == 0  # planning changes nothing
    log.extend(first.records())
    again = plan_campaign(
        contacts,
        MESSAGES,
        purpose="promotion",
        at=AT + timedelta(days=1),
        policy=POLICY,
        history=log,
    )
    assert again.planned == ()
    assert {s.rules for s in again.skipped} == {(Rule.CONTACT_CAP,)}


@pytest.mark.parametrize(
    ("kwargs", "error", "where"),
    [
        ({"messages": {}}, om.ValidationError, "messages"),
        ({"messages": {"email": " "}}, om.ValidationError, "messages.email"),
        ({"messages": {"e-mail": "hi"}}, om.UnknownChannelError, None),
        ({"at": datetime(2024, 6, 4, 10)}, om.ValidationError, "at"),
        ({"purpose": ""}, om.ValidationError, "purpose"),
        ({"contacts": [both_opted_in("a"), both_opted_in("a")]}, om.ValidationError, "1"),
        ({"contacts": ["a"]}, om.ValidationError, "0"),
    ],
)
def test_bad_campaign_arguments_are_typed_errors(
    kwargs: dict[str, object], error: type[Exception], where: str | None
) -> None:
    arguments: dict[str, object] = {
        "contacts": [both_opted_in("a")],
        "messages": MESSAGES,
        "purpose": "promotion",
        "at": AT,
    } | kwargs
    contacts = arguments.pop("contacts")
    messages = arguments.pop("messages")
    with pytest.raises(error) as caught:
        plan_campaign(contacts, messages, **arguments)  # type: ignore[arg-type]
    if where is not None:
        assert isinstance(caught.value, om.ValidationError)
        assert caught.value.fields == [where]
