"""Erasure: what is left of a person after :meth:`ContactHistory.forget`.

Only what the caller marks as legally required stays (``keep``); everything else
that says who the person is — names, e-mail addresses, phone numbers, handles,
message texts, identity hints — goes. The erased contact stays as a tombstone with
its id, so records that must be kept (an invoice's customer number, the proof of
an opt-out) still have something to point at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history.identity import IdentityKey, IdentityKind, hint_keys
from omnirouter.history.timeline import PlannedActivity
from omnirouter.model._redact import INTERACTION_FACTS
from omnirouter.model.contact import Contact
from omnirouter.model.interaction import Interaction

__all__ = [
    "KEEPABLE",
    "ErasureReport",
    "erase_activity",
    "erase_contact",
    "erase_interaction",
    "keep_set",
    "scrub_hints",
    "scrubbed_kinds",
]

_CONTACT_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "title",
        "birth_date",
        "address",
        "consent",
        "tier",
        "segment",
        "advisor_id",
        "language",
        "timezone",
        "preferred_channels",
        "attributes",
    }
)
_IDENTITY_FIELDS = frozenset({"emails", "phones", "handles", "customer_numbers", "session_ids"})

#: What ``keep`` may name: contact fields, identity lists, and ``interactions`` (keep
#: each interaction's bare facts — channel, times, case, reason, state — without
#: content or identity hints) and ``activities`` (keep planned activities without
#: their text).
KEEPABLE = frozenset({*_CONTACT_FIELDS, *_IDENTITY_FIELDS, "interactions", "activities"})

# The facts of an interaction that say nothing about who wrote or what was said.
_INTERACTION_FACTS = INTERACTION_FACTS


def keep_set(keep: Iterable[str]) -> frozenset[str]:
    """``keep`` checked against :data:`KEEPABLE`; unknown names raise ValidationError."""
    wanted = frozenset(keep) if not isinstance(keep, str) else frozenset({keep})
    unknown = sorted(wanted - KEEPABLE)
    if unknown:
        allowed = ", ".join(sorted(KEEPABLE))
        raise ValidationError(
            "forget",
            [
                ErrorDetail(["keep", name], f"cannot keep {name!r}; keepable: {allowed}")
                for name in unknown
            ],
        )
    return wanted


def erase_contact(contact: Contact, keep: frozenset[str]) -> Contact:
    """The tombstone of ``contact``: its id and the kept fields, nothing else."""
    data: dict[str, Any] = {"id": contact.id}
    for field in _CONTACT_FIELDS & keep:
        data[field] = getattr(contact, field)
    identities = {field: getattr(contact.identities, field) for field in _IDENTITY_FIELDS & keep}
    if identities:
        data["identities"] = identities
    return Contact.model_validate(data)


def erase_interaction(interaction: Interaction, customer_id: str) -> Interaction:
    """The bare facts of ``interaction``, now attributed to ``customer_id`` by id alone."""
    data = {field: getattr(interaction, field) for field in _INTERACTION_FACTS}
    data["customer_id"] = customer_id
    return Interaction.model_validate(data)


def erase_activity(activity: PlannedActivity, customer_id: str) -> PlannedActivity:
    """A planned activity without its text."""
    return activity.model_copy(update={"what": "(erased)", "customer_id": customer_id})


_KEPT_KINDS = {
    "emails": IdentityKind.EMAIL,
    "phones": IdentityKind.PHONE,
    "handles": IdentityKind.HANDLE,
    "customer_numbers": IdentityKind.CUSTOMER_NUMBER,
    "session_ids": IdentityKind.SESSION,
}


def scrubbed_kinds(keep: frozenset[str]) -> frozenset[IdentityKind]:
    """The identity kinds an erasure removes everywhere: all that ``keep`` does not keep."""
    return frozenset(kind for name, kind in _KEPT_KINDS.items() if name not in keep)


def scrub_hints(
    interaction: Interaction, forgotten: Iterable[IdentityKey], *, default_region: str = "DE"
) -> Interaction | None:
    """``interaction`` without the identity hints that are among ``forgotten`` keys, or
    ``None`` when it carries none of them.

    Another person's interaction can name the forgotten person's phone or e-mail (a
    call made from a relative's phone); the hint goes, the interaction stays.
    """
    gone = frozenset(forgotten)
    fields = [
        f for f, key in hint_keys(interaction, default_region=default_region).items() if key in gone
    ]
    if not fields:
        return None
    identity = interaction.identity.model_copy(update=dict.fromkeys(fields))
    return interaction.model_copy(update={"identity": identity})


@attrs.frozen
class ErasureReport:
    """What :meth:`ContactHistory.forget` did; it holds ids only, never personal data.

    ``interaction_ids`` were the person's (removed, or reduced to bare facts);
    ``scrubbed_ids`` are other people's interactions that lost a hint naming the person.
    """

    contact_id: str
    at: datetime
    contact_ids: tuple[str, ...]
    interaction_ids: tuple[str, ...]
    scrubbed_ids: tuple[str, ...]
    activity_ids: tuple[str, ...]
    kept: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "contact_id": self.contact_id,
            "at": self.at.isoformat(),
            "contact_ids": list(self.contact_ids),
            "interaction_ids": list(self.interaction_ids),
            "scrubbed_ids": list(self.scrubbed_ids),
            "activity_ids": list(self.activity_ids),
            "kept": list(self.kept),
        }
