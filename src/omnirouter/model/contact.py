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
    """A handle on a platform, e.g. ``Hasei4711`` on ``x``."""

    model_config = pydantic.ConfigDict(frozen=True)

    platform: str = Field(min_length=1, max_length=64)
    handle: str = Field(min_length=1, max_length=256)


class Identities(BoundaryModel):
    """Everything that can identify the person on some channel."""

    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)
    handles: list[SocialHandle] = Field(default_factory=list)
    customer_numbers: list[str] = Field(default_factory=list)
    session_ids: list[str] = Field(default_factory=list)


class PostalAddress(BoundaryModel):
    """A postal address as given; normalisation happens in ``omnirouter.history``."""

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
    """A customer or contact person, as a CRM knows them."""

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
