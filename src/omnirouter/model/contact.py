"""Contacts: a person's names, identities across channels, consent per channel."""

from __future__ import annotations

import enum
from datetime import date, datetime

import pydantic
from pydantic import AwareDatetime, Field

from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import (
    Attributes,
    Identifier,
    KnownChannel,
    LanguageTag,
    TimeZoneName,
)

__all__ = [
    "ConsentRecord",
    "ConsentStatus",
    "Contact",
    "Identities",
    "PostalAddress",
    "SocialHandle",
]


class SocialHandle(BoundaryModel):
    """A handle on a platform, e.g. ``Hasei4711`` on ``x``.

    Attributes:
        platform: The platform's short name: ``x``, ``facebook``, ``instagram`` …
        handle: The handle as the platform shows it.
    """

    model_config = pydantic.ConfigDict(frozen=True)

    platform: str = Field(min_length=1, max_length=64)
    handle: str = Field(min_length=1, max_length=256)


class Identities(BoundaryModel):
    """Everything that can identify the person on some channel.

    Contact history links records that share any of these (normalised): an e-mail
    address, a phone number, a social handle, a customer number or a session id.

    Attributes:
        emails: E-mail addresses, as given.
        phones: Phone numbers, as given (any format; compared as E.164).
        handles: Social-media handles (:class:`SocialHandle`).
        customer_numbers: Your own customer numbers.
        session_ids: Web or chat session ids, which link a chat to a later call.
    """

    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    handles: list[SocialHandle] = Field(default_factory=list)
    customer_numbers: list[str] = Field(default_factory=list)
    session_ids: list[str] = Field(default_factory=list)


class PostalAddress(BoundaryModel):
    """A postal address as given; normalisation happens in ``omnirouter.history``.

    Every field is optional: ``street``, ``house_number``, ``postcode``, ``city`` and
    ``country`` (ISO 3166 alpha-2, e.g. ``DE``).
    """

    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = Field(default=None, description="ISO 3166 alpha-2, e.g. DE")


class ConsentStatus(enum.StrEnum):
    """A consent decision: ``opt_in`` (the person agreed) or ``opt_out`` (they refused)."""

    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"


class ConsentRecord(BoundaryModel):
    """One consent decision for one channel, with when and where it was given.

    Records are kept as a log, never overwritten: an opt-out recorded after an
    opt-in is a new record, so the history stays auditable.
    """

    channel: KnownChannel
    status: ConsentStatus
    at: AwareDatetime
    source: str = Field(min_length=1, description="Where it was given: web form, call, letter …")
    purpose: str = Field(default="marketing", min_length=1)
    expires_at: AwareDatetime | None = None

    @pydantic.model_validator(mode="after")
    def _expires_after_given(self) -> ConsentRecord:
        if self.expires_at is not None and self.expires_at <= self.at:
            raise ValueError("expires_at must be after at")
        return self


class Contact(BoundaryModel):
    """A customer or contact person, as a CRM knows them.

    Build it from keyword arguments or from a dict or JSON with ``model_validate``;
    bad input raises :class:`~omnirouter.ValidationError` listing every bad field. Pass
    it to ``router.submit(work, customer=contact)`` to let queues read it as
    ``customer.…``; :mod:`omnirouter.history` merges and deduplicates contacts.

    Attributes:
        id: Your id of the contact.
        given_name: Given (first) name.
        family_name: Family (last) name.
        title: Academic or other title, e.g. ``Dr.``.
        birth_date: Date of birth.
        identities: E-mail addresses, phone numbers, handles, customer numbers and
            session ids (:class:`Identities`).
        address: Postal address (:class:`PostalAddress`).
        consent: The consent log (:class:`ConsentRecord`), per channel and purpose.
        tier: A service tier such as ``gold`` (read by priority strategies).
        segment: A customer segment.
        advisor_id: The personal advisor's agent id.
        language: Preferred language (a tag such as ``de``).
        timezone: Time-zone name, e.g. ``Europe/Berlin`` (used for quiet hours).
        preferred_channels: Channels the person prefers, most preferred first.
        attributes: Anything else, as JSON-able data.

    Example:
        >>> contact = Contact(id="c-1", given_name="Anna", family_name="Meyer",
        ...                   identities={"emails": ["anna@example.org"]})
        >>> contact.display_name
        'Anna Meyer'
    """

    id: Identifier
    given_name: str | None = None
    family_name: str | None = None
    title: str | None = None
    birth_date: date | None = None
    identities: Identities = Field(default_factory=Identities)
    address: PostalAddress | None = None
    consent: list[ConsentRecord] = Field(default_factory=list)
    tier: str | None = None
    segment: str | None = None
    advisor_id: Identifier | None = Field(default=None, description="The personal advisor.")
    language: LanguageTag | None = None
    timezone: TimeZoneName | None = None
    preferred_channels: list[KnownChannel] = Field(default_factory=list)
    attributes: Attributes = Field(default_factory=dict)

    @property
    def display_name(self) -> str:
        """Given and family name joined, or the id when neither is known."""
        parts = [p for p in (self.title, self.given_name, self.family_name) if p]
        return " ".join(parts) or self.id

    def consent_records(self, channel: str) -> list[ConsentRecord]:
        """The consent log of one channel, oldest first."""
        return sorted((c for c in self.consent if c.channel == channel), key=lambda c: c.at)

    def latest_consent(
        self, channel: str, at: datetime, purpose: str = "marketing"
    ) -> ConsentRecord | None:
        """The newest decision for ``channel`` and ``purpose`` made at or before ``at``."""
        decided = [c for c in self.consent_records(channel) if c.purpose == purpose and c.at <= at]
        return decided[-1] if decided else None
