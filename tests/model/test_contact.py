from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

import omnirouter as om

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 3, 1, tzinfo=UTC)


def make_contact() -> om.Contact:
    return om.Contact(
        id="c-1",
        given_name="Hans",
        family_name="Meier",
        birth_date=date(1970, 5, 17),
        identities=om.Identities(
            emails=["hans.meier@example.de"],
            phones=["+4930123456"],
            handles=[om.SocialHandle(platform="x", handle="Hasei4711")],
            customer_numbers=["K-1001"],
        ),
        address=om.PostalAddress(street="Hauptstr.", house_number="1", postcode="10115"),
        consent=[
            om.ConsentRecord(channel="email", status="opt_in", at=T0, source="web form"),
            om.ConsentRecord(channel="email", status="opt_out", at=T1, source="call"),
        ],
        tier="gold",
        advisor_id="anna",
        timezone="Europe/Berlin",
        preferred_channels=["email", "sms"],
    )


def test_latest_consent_respects_time() -> None:
    contact = make_contact()
    latest = contact.latest_consent("email", datetime(2026, 2, 1, tzinfo=UTC))
    assert latest is not None
    assert latest.status is om.ConsentStatus.OPT_IN
    latest_now = contact.latest_consent("email", datetime(2026, 6, 1, tzinfo=UTC))
    assert latest_now is not None
    assert latest_now.status is om.ConsentStatus.OPT_OUT
    assert contact.latest_consent("sms", T1) is None


def test_display_name() -> None:
    assert make_contact().display_name == "Hans Meier"
    assert om.Contact(id="c-9").display_name == "c-9"


def test_bad_contact_names_every_field() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Contact.model_validate(
            {
                "id": "c",
                "timezone": "Mars/Olympus",
                "consent": [{"channel": "email", "status": "maybe", "at": "2026-01-01T00:00:00"}],
                "preferred_channels": ["pigeon"],
            }
        )
    fields = set(caught.value.fields)
    assert "timezone" in fields
    assert {"consent.0.status", "consent.0.at", "consent.0.source"} <= fields
    assert "preferred_channels.0" in fields


def test_consent_expiry_must_follow_grant() -> None:
    with pytest.raises(om.ValidationError, match="expires_at"):
        om.ConsentRecord(channel="sms", status="opt_in", at=T1, source="x", expires_at=T0)


def test_contact_round_trip() -> None:
    contact = make_contact()
    assert om.Contact.model_validate_json(contact.model_dump_json()) == contact
