"""Consent per channel: opt-in, opt-out wins, expiry, purposes, and bad arguments."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from outbound_factories import consent, person, utc

import omnirouter as om
from omnirouter.outbound import OutboundPolicy, Rule, may_contact

JAN = utc(2024, 1, 10, 12)
NOW = utc(2024, 6, 3, 12)


def test_opt_in_on_the_channel_allows_a_promotion_and_names_the_record() -> None:
    record = consent("email", "opt_in", JAN)
    decision = may_contact(person("c-1", record), "email", "promotion", NOW)
    assert decision.allowed
    assert bool(decision) is True
    assert decision.consent == record
    assert decision.rule is None
    assert "opt-in of 2024-01-10" in decision.explain()


def test_no_opt_in_refuses_a_promotion() -> None:
    decision = may_contact(person(), "email", "promotion", NOW)
    assert not decision
    assert decision.rule is Rule.NO_CONSENT
    assert decision.consent is None
    assert "no marketing opt-in on email" in decision.refusals[0].message


def test_consent_is_per_channel() -> None:
    contact = person("c-1", consent("email", "opt_in", JAN))
    assert may_contact(contact, "email", "promotion", NOW).allowed
    sms = may_contact(contact, "sms", "promotion", NOW)
    assert sms.rules == (Rule.NO_CONSENT,)


def test_opt_out_recorded_after_an_opt_in_refuses_and_names_the_opt_out() -> None:
    opt_in = consent("sms", "opt_in", JAN)
    opt_out = consent("sms", "opt_out", utc(2024, 3, 1), source="STOP reply")
    contact = person("c-1", opt_in, opt_out)
    decision = may_contact(contact, "sms", "promotion", NOW)
    assert decision.rules == (Rule.OPTED_OUT,)
    assert decision.refusals[0].consent == opt_out
    assert "STOP reply" in decision.refusals[0].message
    # Before the opt-out was recorded, the opt-in still held.
    assert may_contact(contact, "sms", "promotion", utc(2024, 2, 1)).consent == opt_in


def test_opt_in_after_an_opt_out_allows_again() -> None:
    contact = person(
        "c-1", consent("sms", "opt_out", JAN), consent("sms", "opt_in", utc(2024, 4, 1))
    )
    assert may_contact(contact, "sms", "promotion", NOW).allowed


def test_opt_out_wins_a_tie_in_either_order() -> None:
    opt_in = consent("email", "opt_in", JAN)
    opt_out = consent("email", "opt_out", JAN, source="call")
    for records in ((opt_in, opt_out), (opt_out, opt_in)):
        decision = may_contact(person("c-1", *records), "email", "promotion", NOW)
        assert decision.rules == (Rule.OPTED_OUT,)
        assert decision.refusals[0].consent == opt_out


def test_expired_consent_refuses_with_the_expired_record() -> None:
    record = consent("email", "opt_in", JAN, expires_at=utc(2024, 5, 1))
    contact = person("c-1", record)
    assert may_contact(contact, "email", "promotion", utc(2024, 4, 30, 23, 59)).allowed
    at_expiry = may_contact(contact, "email", "promotion", utc(2024, 5, 1))
    assert at_expiry.rules == (Rule.CONSENT_EXPIRED,)
    assert at_expiry.refusals[0].consent == record
    assert "expired at 2024-05-01" in at_expiry.refusals[0].message


def test_consent_given_later_than_the_question_does_not_count() -> None:
    contact = person("c-1", consent("email", "opt_in", utc(2024, 7, 1)))
    assert may_contact(contact, "email", "promotion", NOW).rule is Rule.NO_CONSENT


@pytest.mark.parametrize("purpose", ["callback", "status", "verification", "alert", "service"])
def test_service_messages_need_no_marketing_opt_in(purpose: str) -> None:
    contact = person("c-1", consent("sms", "opt_out", JAN))  # opted out of marketing only
    decision = may_contact(contact, "sms", purpose, NOW)
    assert decision.allowed
    assert decision.consent is None


def test_an_opt_out_of_service_messages_stops_them() -> None:
    record = consent("sms", "opt_out", JAN, purpose="service")
    decision = may_contact(person("c-1", record), "sms", "status", NOW)
    assert decision.rules == (Rule.OPTED_OUT,)
    assert decision.refusals[0].consent == record


def test_marketing_consent_purposes_are_configurable() -> None:
    contact = person("c-1", consent("email", "opt_in", JAN, purpose="newsletter"))
    default = may_contact(contact, "email", "newsletter", NOW)
    assert default.rule is Rule.NO_CONSENT  # default: newsletters need marketing consent
    own = OutboundPolicy(consent_purposes={})
    assert may_contact(contact, "email", "newsletter", NOW, policy=own).allowed
    assert own.needs_opt_in("callback")  # with the mapping cleared, callback is its own purpose


def test_unknown_channel_is_a_typed_error() -> None:
    with pytest.raises(om.UnknownChannelError, match="pigeon"):
        may_contact(person(), "pigeon", "promotion", NOW)


def test_custom_channel_through_a_registry() -> None:
    registry = om.ChannelRegistry()
    registry.register(
        om.ChannelTraits(name="pager", synchronous=False, service_level_target=timedelta(hours=1))
    )
    decision = may_contact(person(), "pager", "alert", NOW, channels=registry)
    assert decision.allowed


def test_naive_datetime_is_a_typed_error_naming_the_argument() -> None:
    with pytest.raises(om.ValidationError) as caught:
        may_contact(person(), "email", "promotion", datetime(2024, 6, 3, 12))
    assert caught.value.fields == ["at"]
    assert "naive datetime" in str(caught.value)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("not a contact", "email", "promotion", NOW), "contact"),
        ((person(), "email", "", NOW), "purpose"),
        ((person(), "email", "promotion", "2024-06-03"), "at"),
    ],
)
def test_bad_arguments_name_the_field(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(om.ValidationError) as caught:
        may_contact(*args)  # type: ignore[arg-type]
    assert caught.value.fields == [field]


def test_decision_as_dict_is_json_ready() -> None:
    import json

    record = consent("sms", "opt_out", JAN)
    data = may_contact(person("c-1", record), "sms", "promotion", NOW).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["allowed"] is False
    assert data["refusals"][0]["rule"] == "opted_out"
    assert data["refusals"][0]["consent"]["status"] == "opt_out"
