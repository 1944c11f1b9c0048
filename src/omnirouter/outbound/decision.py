"""The answer to "may we contact them?": allowed, or refused with every reason."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from omnirouter.model import ConsentRecord
from omnirouter.outbound.pressure import ContactCap

__all__ = ["ContactDecision", "Refusal", "Rule"]


class Rule(enum.StrEnum):
    """The rule behind a refusal."""

    #: The contact has no identity for the channel (no e-mail address, no phone …).
    UNREACHABLE = "unreachable"
    #: No opt-in on this channel for a purpose that needs one.
    NO_CONSENT = "no_consent"
    #: The newest consent decision for this channel and purpose is an opt-out.
    OPTED_OUT = "opted_out"
    #: The newest opt-in has expired.
    CONSENT_EXPIRED = "consent_expired"
    #: Inside a quiet window on the contact's local clock.
    QUIET_HOURS = "quiet_hours"
    #: The business calendar is closed.
    CALENDAR_CLOSED = "calendar_closed"
    #: A contact-pressure cap is reached within its rolling window.
    CONTACT_CAP = "contact_cap"
    #: The campaign's message does not fit the channel (length or SMS segments).
    MESSAGE_TOO_LONG = "message_too_long"
    #: None of the campaign's channels is open to the contact.
    NO_CHANNEL = "no_channel"


@attrs.frozen
class Refusal:
    """One reason not to contact: the ``rule``, a sentence, and the evidence.

    ``consent`` is the consent record the rule relied on (the opt-out, the expired
    opt-in), ``cap`` the contact-pressure cap that is full, and ``retry_at`` the
    earliest moment this reason lifts, when it can be known.
    """

    rule: Rule
    message: str
    consent: ConsentRecord | None = None
    cap: ContactCap | None = None
    retry_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready facts of this refusal."""
        return {
            "rule": self.rule.value,
            "message": self.message,
            "consent": None if self.consent is None else self.consent.model_dump(mode="json"),
            "cap": None if self.cap is None else self.cap.describe(),
            "retry_at": None if self.retry_at is None else self.retry_at.isoformat(),
        }


@attrs.frozen
class ContactDecision:
    """Whether ``contact_id`` may be contacted on ``channel`` for ``purpose`` at ``at``.

    True in a boolean context when allowed. ``refusals`` lists every rule that
    refuses, in the order reachability, consent, quiet hours, calendar, caps, message. ``consent``
    is the consent record the decision relied on (the opt-in that allows a
    promotion), or ``None`` when there is none.
    """

    contact_id: str
    channel: str
    purpose: str
    at: datetime
    consent: ConsentRecord | None = None
    refusals: tuple[Refusal, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when no rule refuses."""
        return not self.refusals

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def rule(self) -> Rule | None:
        """The first refusing rule, or ``None`` when allowed."""
        return self.refusals[0].rule if self.refusals else None

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every refusing rule, in order."""
        return tuple(refusal.rule for refusal in self.refusals)

    @property
    def retry_at(self) -> datetime | None:
        """When every refusal is known to lift (``None`` if any cannot be known)."""
        if not self.refusals or any(r.retry_at is None for r in self.refusals):
            return None
        return max(r.retry_at for r in self.refusals if r.retry_at is not None)

    def explain(self) -> str:
        """A few lines a person can read: the verdict, then one line per refusal."""
        head = f"{self.purpose} to {self.contact_id} on {self.channel} at {self.at.isoformat()}"
        if self.allowed:
            basis = ""
            if self.consent is not None:
                basis = f" (opt-in of {self.consent.at.isoformat()} via {self.consent.source})"
            return f"allowed: {head}{basis}"
        lines = [f"refused: {head}"]
        lines += [f"  - {refusal.rule.value}: {refusal.message}" for refusal in self.refusals]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready facts of this decision."""
        return {
            "contact_id": self.contact_id,
            "channel": self.channel,
            "purpose": self.purpose,
            "at": self.at.isoformat(),
            "allowed": self.allowed,
            "consent": None if self.consent is None else self.consent.model_dump(mode="json"),
            "refusals": [refusal.as_dict() for refusal in self.refusals],
        }
