"""Reachability (a channel needs an identity for it) and the contact-wide opt-out."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outbound_factories import consent, person, utc

import omnirouter as om
from omnirouter.outbound import (
    EVERYTHING,
    OutboundPolicy,
    Rule,
    may_contact,
    plan_campaign,
    unreachable_reason,
)

JAN = utc(2024, 1, 10)
NOW = utc(2024, 6, 3, 12)
NOBODY = om.Identities()


def opted_in_everywhere(contact_id: str = "c-1", **fields: object) -> om.Contact:
    channels = ("email", "sms", "voice", "whatsapp", "facebook_messenger", "letter", "fax")
    records = [consent(channel, "opt_in", JAN) for channel in channels]
    records.append(consent("social_private", "opt_in", JAN))
    return person(contact_id, *records, **fields)


@pytest.mark.parametrize(
    ("channel", "identities", "address"),
    [
        ("email", om.Identities(emails=["a@example.org"]), None),
        ("sms", om.Identities(phones=["+491511"]), None),
        ("voice", om.Identities(phones=["+491511"]), None),
        ("fax", om.Identities(phones=["+491511"]), None),
        ("whatsapp", om.Identities(phones=["+491511"]), None),
        (
            "facebook_messenger",
            om.Identities(handles=[{"platform": "facebook", "handle": "a"}]),
            None,
        ),
        ("social_private", om.Identities(handles=[{"platform": "x", "handle": "a"}]), None),
        ("letter", NOBODY, om.PostalAddress(street="Ring 2", city="Köln")),
    ],
)
def test_each_known_channel_needs_its_own_identity(
    channel: str, identities: om.Identities, address: om.PostalAddress | None
) -> None:
    reachable = opted_in_everywhere(identities=identities, address=address)
    assert may_contact(reachable, channel, "promotion", NOW).allowed
    nobody = opted_in_everywhere(identities=NOBODY, address=None)
    refused = may_contact(nobody, channel, "promotion", NOW)
    assert refused.rules == (Rule.UNREACHABLE,)
    assert channel in refused.refusals[0].message


def test_the_refusal_says_which_identity_is_missing() -> None:
    only_phone = opted_in_everywhere(identities=om.Identities(phones=["+491511"]), address=None)
    email = may_contact(only_phone, "email", "promotion", NOW)
    assert email.rule == "unreachable"
    assert "identities.emails" in email.refusals[0].message
    facebook = may_contact(only_phone, "facebook_messenger", "promotion", NOW)
    assert "facebook" in facebook.refusals[0].message
    half_address = om.PostalAddress(city="Köln")  # no street, no postcode
    letter = may_contact(opted_in_everywhere(address=half_address), "letter", "promotion", NOW)
    assert "postal address" in letter.refusals[0].message


def test_unreachable_comes_first_and_other_rules_still_report() -> None:
    nobody = person("c-1", identities=NOBODY)  # no e-mail address and no opt-in either
    decision = may_contact(nobody, "email", "promotion", NOW)
    assert decision.rules == (Rule.UNREACHABLE, Rule.NO_CONSENT)


def test_a_social_family_channel_needs_a_handle_on_its_own_platform() -> None:
    registry = om.ChannelRegistry()
    registry.register(
        om.ChannelTraits(
            name="instagram",
            synchronous=False,
            family="social_private",
            service_level_target=3600,
        )
    )
    on_x = om.Identities(handles=[{"platform": "x", "handle": "kim"}])
    on_instagram = om.Identities(handles=[{"platform": "Instagram", "handle": "kim"}])
    status = "status"  # a service message: no opt-in needed, reachability still is
    refused = may_contact(person(identities=on_x), "instagram", status, NOW, channels=registry)
    assert refused.rules == (Rule.UNREACHABLE,)
    assert "no handle on instagram" in refused.refusals[0].message
    assert may_contact(person(identities=on_instagram), "instagram", status, NOW, channels=registry)


def test_unknown_channels_are_reachable_by_default_or_as_the_policy_decides() -> None:
    nobody = person("c-1", identities=NOBODY, address=None)
    assert may_contact(nobody, "chat", "status", NOW).allowed  # documented default
    asked: list[tuple[str, str]] = []

    def session_only(contact: om.Contact, channel: str) -> bool:
        asked.append((contact.id, channel))
        return bool(contact.identities.session_ids)

    policy = OutboundPolicy(reach_unknown=session_only)
    decision = may_contact(nobody, "chat", "status", NOW, policy=policy)
    assert decision.rules == (Rule.UNREACHABLE,)
    assert "reach_unknown" in decision.refusals[0].message
    visitor = person("c-2", identities=om.Identities(session_ids=["s-1"]))
    assert may_contact(visitor, "chat", "status", NOW, policy=policy).allowed
    assert asked == [("c-1", "chat"), ("c-2", "chat")]
    # Known channels never ask the callable.
    assert may_contact(visitor, "email", "status", NOW, policy=policy).rule == "unreachable"
    assert len(asked) == 2


def test_a_policy_refuses_a_reach_unknown_that_is_not_callable() -> None:
    with pytest.raises(om.ValidationError, match="reach_unknown"):
        OutboundPolicy(reach_unknown="yes")  # type: ignore[arg-type]


def test_a_campaign_passes_over_channels_the_contact_has_no_identity_for() -> None:
    phone_only = opted_in_everywhere(
        "phone-only", identities=om.Identities(phones=["+491511"]), address=None
    )
    nothing = opted_in_everywhere("nothing", identities=NOBODY, address=None)
    plan = plan_campaign(
        [phone_only, nothing],
        {"email": "Our summer offer", "sms": "Summer offer: 20 % off"},
        purpose="promotion",
        at=NOW,
    )
    assert [(p.contact_id, p.channel) for p in plan.planned] == [("phone-only", "sms")]
    assert plan.planned[0].passed_over[0].rules == (Rule.UNREACHABLE,)
    assert plan.skipped[0].contact_id == "nothing"
    assert plan.skipped[0].rules == (Rule.UNREACHABLE,)
    assert plan.skipped_by_rule() == {"unreachable": 1}


def test_unreachable_reason_is_none_when_reachable() -> None:
    registry = om.ChannelRegistry()
    reachable = person()
    for channel in ("email", "sms", "voice", "callback", "rcs", "telegram", "letter"):
        assert unreachable_reason(reachable, channel, registry, lambda c, ch: False) is None


# -- the contact-wide opt-out ---------------------------------------------------------


MARCH = utc(2024, 3, 1)


def everything_out(at: datetime = MARCH, channel: str = "letter") -> om.ConsentRecord:
    return consent(channel, "opt_out", at, purpose=EVERYTHING, source="letter: never again")


def test_opting_out_of_everything_stops_every_channel_and_purpose() -> None:
    contact = person(
        "c-1",
        consent("email", "opt_in", JAN),
        consent("sms", "opt_in", JAN),
        everything_out(),
    )
    for channel in ("email", "sms", "voice", "whatsapp", "letter"):
        for purpose in ("promotion", "newsletter", "status", "callback"):
            decision = may_contact(contact, channel, purpose, NOW)
            assert decision.rule == Rule.OPTED_OUT, (channel, purpose)
            refusal = decision.refusals[0]
            assert refusal.consent is not None
            assert refusal.consent.purpose == EVERYTHING
            assert "opted out of everything (received on letter)" in refusal.message


def test_the_contact_wide_opt_out_wins_a_tie_and_only_a_newer_specific_opt_in_lifts_it() -> None:
    tie = utc(2024, 3, 1)
    contact = person("c-1", consent("email", "opt_in", tie), everything_out(tie))
    assert may_contact(contact, "email", "promotion", NOW).rule == Rule.OPTED_OUT
    later = person(
        "c-1",
        consent("sms", "opt_in", JAN),
        everything_out(),
        consent("email", "opt_in", utc(2024, 5, 1)),
    )
    assert may_contact(later, "email", "promotion", NOW).allowed  # newer, this channel only
    assert may_contact(later, "sms", "promotion", NOW).rule == Rule.OPTED_OUT
    assert may_contact(later, "email", "status", NOW).rule == Rule.OPTED_OUT  # other purpose


def test_an_everything_opt_in_grants_nothing_and_lifts_nothing() -> None:
    wide_in = consent("email", "opt_in", utc(2024, 4, 1), purpose=EVERYTHING)
    assert may_contact(person("c-1", wide_in), "email", "promotion", NOW).rule == "no_consent"
    contact = person("c-1", everything_out(), wide_in)
    assert may_contact(contact, "sms", "status", NOW).rule == Rule.OPTED_OUT


def test_the_contact_wide_opt_out_applies_from_its_time_on() -> None:
    contact = person("c-1", consent("email", "opt_in", JAN), everything_out(utc(2024, 7, 1)))
    assert may_contact(contact, "email", "promotion", NOW).allowed
    assert not may_contact(contact, "email", "promotion", utc(2024, 7, 2))


@settings(max_examples=60, deadline=None)
@given(
    channel=st.sampled_from(["email", "sms", "voice", "whatsapp", "letter"]),
    purpose=st.sampled_from(["promotion", "status", "newsletter", "survey"]),
    opt_ins=st.lists(st.integers(0, 200), max_size=4),
    out_day=st.integers(0, 200),
)
def test_nothing_decided_before_a_contact_wide_opt_out_allows_contact_after_it(
    channel: str, purpose: str, opt_ins: list[int], out_day: int
) -> None:
    start = utc(2024, 1, 1)
    policy = OutboundPolicy()
    records = [
        consent(
            channel, "opt_in", start + timedelta(days=d), purpose=policy.consent_purpose(purpose)
        )
        for d in opt_ins
        if d <= out_day
    ]
    contact = person("c-1", *records, everything_out(start + timedelta(days=out_day)))
    at = start + timedelta(days=out_day, hours=1)
    assert may_contact(contact, channel, purpose, at).rule == Rule.OPTED_OUT
