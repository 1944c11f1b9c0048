"""Small builders shared by the outbound tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import omnirouter as om


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def consent(
    channel: str,
    status: str,
    at: datetime,
    *,
    purpose: str = "marketing",
    source: str = "web form",
    expires_at: datetime | None = None,
) -> om.ConsentRecord:
    """One consent record."""
    return om.ConsentRecord(
        channel=channel,
        status=status,
        at=at,
        source=source,
        purpose=purpose,
        expires_at=expires_at,
    )


#: Identities that make a contact reachable on every channel with a known identity.
REACHABLE = om.Identities(
    emails=["kim@example.org"],
    phones=["+4915112345678"],
    handles=[om.SocialHandle(platform="facebook", handle="kim.k")],
)
ADDRESS = om.PostalAddress(street="Hauptstraße", house_number="1", postcode="10115", city="Berlin")


def person(contact_id: str = "c-1", *records: om.ConsentRecord, **fields: Any) -> om.Contact:
    """A contact with the given consent log and fields, reachable everywhere unless the
    fields say otherwise (``identities=om.Identities()`` for nobody's address)."""
    fields = {"identities": REACHABLE, "address": ADDRESS, **fields}
    return om.Contact(id=contact_id, consent=list(records), **fields)
