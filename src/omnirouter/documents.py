"""The documents users write, as validated models with JSON Schemas.

A scenario (TOML), a priority strategy, a service-level policy, blending and
invitation rules, an outbound policy, and the boundary records (channels,
interactions, agents, contacts): :data:`SCHEMA_DOCUMENTS` lists them all, and
:func:`json_schema` gives each one's JSON Schema with ``$schema`` and ``$id``, so
editors complete and check TOML and JSON files (``omnirouter schema`` writes them).

Invitation rules and outbound policies are built in code as plain objects
(:class:`omnirouter.InviteRule`, :class:`omnirouter.outbound.OutboundPolicy`);
:class:`InviteRuleDocument` and :class:`OutboundPolicyDocument` are the same as data:
validate a document and call ``rule()`` / ``policy()``.
"""

from __future__ import annotations

from datetime import time, timedelta
from importlib import metadata
from typing import Annotated, Any, Literal

from pydantic import Field

from omnirouter.model import SCHEMA_MODELS
from omnirouter.model._base import BoundaryModel
from omnirouter.model.channels import ChannelName
from omnirouter.outbound.policy import DEFAULT_CONSENT_PURPOSES, OutboundPolicy
from omnirouter.outbound.pressure import ContactCap
from omnirouter.outbound.quiet_hours import LocalWindow, QuietHours
from omnirouter.priority.strategy import Strategy
from omnirouter.routing.blending import InviteRule
from omnirouter.simulation.scenario import BlendRuleSpec, Scenario
from omnirouter.sla.targets import ServiceLevelPolicy

__all__ = [
    "SCHEMA_DOCUMENTS",
    "ContactCapDocument",
    "InviteRuleDocument",
    "OutboundPolicyDocument",
    "QuietHoursDocument",
    "QuietWindowDocument",
    "json_schema",
]

_Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WEEKDAYS: tuple[_Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_Name = Annotated[str, Field(min_length=1, max_length=200)]


class InviteRuleDocument(BoundaryModel):
    """A proactive chat rule as data: :class:`omnirouter.InviteRule`'s arguments."""

    name: _Name
    when: Annotated[str, Field(min_length=1)]
    channel: ChannelName = "chat"

    def rule(self) -> InviteRule:
        """The router's rule."""
        return InviteRule(self.name, self.when, channel=self.channel)


class QuietWindowDocument(BoundaryModel):
    """A quiet window on the contact's local clock, ``start`` up to ``end`` (may wrap)."""

    start: time
    end: time
    weekdays: list[_Weekday] | None = None


class QuietHoursDocument(BoundaryModel):
    """Quiet hours: windows in each contact's own time zone (else ``default_timezone``)."""

    windows: list[QuietWindowDocument] = Field(default_factory=list)
    default_timezone: str = "UTC"
    channels: list[ChannelName] | None = None
    exempt_purposes: list[str] = Field(default_factory=lambda: ["alert", "verification"])


class ContactCapDocument(BoundaryModel):
    """At most ``limit`` contacts within ``window`` (seconds, or ISO 8601 like ``P7D``)."""

    limit: Annotated[int, Field(ge=1)]
    window: timedelta = Field(gt=timedelta(0))
    channel: ChannelName | None = None
    purposes: list[str] | None = None
    name: str = ""


class OutboundPolicyDocument(BoundaryModel):
    """An outbound policy as data: :meth:`policy` builds the ``OutboundPolicy``."""

    consent_purposes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CONSENT_PURPOSES))
    no_opt_in_needed: list[str] = Field(default_factory=lambda: ["service"])
    quiet_hours: QuietHoursDocument | None = None
    caps: list[ContactCapDocument] = Field(default_factory=list)

    def policy(self) -> OutboundPolicy:
        """The policy :func:`omnirouter.outbound.may_contact` applies."""
        quiet = None
        if self.quiet_hours is not None:
            hours = self.quiet_hours
            quiet = QuietHours(
                windows=[
                    LocalWindow(
                        window.start,
                        window.end,
                        None
                        if window.weekdays is None
                        else frozenset(_WEEKDAYS.index(day) for day in window.weekdays),
                    )
                    for window in hours.windows
                ],
                default_timezone=hours.default_timezone,
                channels=hours.channels,
                exempt_purposes=hours.exempt_purposes,
            )
        return OutboundPolicy(
            consent_purposes=self.consent_purposes,
            no_opt_in_needed=self.no_opt_in_needed,
            quiet_hours=quiet,
            caps=[
                ContactCap(
                    cap.limit,
                    cap.window,
                    channel=cap.channel,
                    purposes=cap.purposes,
                    name=cap.name,
                )
                for cap in self.caps
            ],
        )


#: Every document a user writes, by the name its schema file gets.
SCHEMA_DOCUMENTS: tuple[type[BoundaryModel], ...] = (
    Scenario,
    Strategy,
    ServiceLevelPolicy,
    BlendRuleSpec,
    InviteRuleDocument,
    OutboundPolicyDocument,
    *SCHEMA_MODELS,
)

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(model: type[BoundaryModel]) -> dict[str, Any]:
    """The model's JSON Schema with ``$schema`` (draft 2020-12) and a stable ``$id``."""
    schema = model.model_json_schema()
    return {
        "$schema": _DRAFT,
        "$id": f"urn:omnirouter:{metadata.version('omnirouter')}:schema:{model.__name__}",
        **schema,
    }
