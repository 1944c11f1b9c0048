"""Outbound work goes through the same router as inbound work: planned contact → Interaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from omnirouter.errors import ContactNotAllowedError
from omnirouter.model import ChannelRegistry, Direction, Interaction
from omnirouter.outbound._checks import bad_argument, require_aware
from omnirouter.outbound.campaign import PlannedContact
from omnirouter.outbound.decision import ContactDecision

__all__ = ["outbound_interaction"]


def outbound_interaction(
    planned: PlannedContact | ContactDecision,
    *,
    interaction_id: str | None = None,
    scheduled_at: datetime | None = None,
    reason: str | None = None,
    attributes: dict[str, Any] | None = None,
    channels: ChannelRegistry | None = None,
) -> Interaction:
    """An ``Interaction(direction="outbound")`` ready for ``router.submit``.

    Give a campaign's :class:`PlannedContact` or an allowed :class:`ContactDecision`
    (for a callback: ``may_contact(contact, "callback", "callback", due)``). A refused
    decision raises :class:`omnirouter.ContactNotAllowedError`, so nothing the rules
    refused can reach an agent's desk. ``interaction_id`` defaults to one built from
    the contact, the channel and the time; ``reason`` defaults to the purpose;
    ``scheduled_at`` makes it scheduled work (a callback due later). The purpose,
    and the campaign if any, are kept in ``attributes``.
    """
    if isinstance(planned, PlannedContact):
        decision, message, campaign = planned.decision, planned.message, planned.campaign
    elif isinstance(planned, ContactDecision):
        decision, message, campaign = planned, None, None
    else:
        raise bad_argument(
            "outbound_interaction",
            "planned",
            f"expected a PlannedContact or a ContactDecision, got {type(planned).__name__}",
        )
    if not decision.allowed:
        raise ContactNotAllowedError(decision.explain(), decision)
    if scheduled_at is not None:
        require_aware(scheduled_at, "scheduled_at", "outbound_interaction")
    stamp = decision.at.strftime("%Y%m%dT%H%M%S%z")
    facts: dict[str, Any] = {"purpose": decision.purpose}
    if campaign is not None:
        facts["campaign"] = campaign
    facts.update(attributes or {})
    data: dict[str, Any] = {
        "id": interaction_id or f"out-{decision.contact_id}-{decision.channel}-{stamp}",
        "channel": decision.channel,
        "direction": Direction.OUTBOUND,
        "customer_id": decision.contact_id,
        "reason": reason if reason is not None else decision.purpose,
        "created_at": decision.at,
        "scheduled_at": scheduled_at,
        "preview": message,
        "attributes": facts,
    }
    registry = channels if channels is not None else ChannelRegistry()
    return registry.validate(Interaction, data)
