"""What erasure keeps of an interaction or a contact: the facts routing and reports need
(ids, channel, reason, language, times, priority), never what identifies or describes
the person (names, addresses, e-mail, phone, handles, texts, transcripts, attributes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from omnirouter.model.contact import Contact
from omnirouter.model.interaction import BotHandover, Interaction, ManualPriority

__all__ = [
    "CONTACT_KEEPS",
    "INTERACTION_FACTS",
    "INTERACTION_KEEPS",
    "redact_contact",
    "redact_contact_json",
    "redact_interaction",
    "redact_interaction_json",
]

#: The facts of an interaction that say nothing about who wrote or what was said
#: (what the contact history keeps of an erased person's interactions, too).
INTERACTION_FACTS: Final = (
    "id",
    "channel",
    "direction",
    "conversation_id",
    "case_id",
    "parent_id",
    "reason",
    "language",
    "created_at",
    "scheduled_at",
    "state",
)

#: The interaction fields the router's erasure keeps: the facts and the customer's id
#: (``manual_priority`` keeps its value only and a bot hand-over the bot's name only).
INTERACTION_KEEPS: Final = frozenset({*INTERACTION_FACTS, "customer_id"})

#: The contact fields erasure keeps.
CONTACT_KEEPS: Final = frozenset(
    {"id", "tier", "segment", "advisor_id", "language", "preferred_channels"}
)


def redact_interaction_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """An interaction's JSON (as ``model_dump(mode="json")`` gives it) without personal data."""
    kept = {key: value for key, value in data.items() if key in INTERACTION_KEEPS}
    priority = data.get("manual_priority")
    if isinstance(priority, Mapping) and "value" in priority:
        kept["manual_priority"] = {"value": priority["value"]}
    elif priority is not None and not isinstance(priority, Mapping):
        kept["manual_priority"] = priority
    handover = data.get("handover")
    if isinstance(handover, Mapping):
        bot = handover.get("bot")
        kept["handover"] = {} if bot is None else {"bot": bot}
    return kept


def redact_contact_json(data: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's JSON without personal data."""
    return {key: value for key, value in data.items() if key in CONTACT_KEEPS}


def redact_interaction(interaction: Interaction) -> Interaction:
    """The interaction without personal data (see :data:`INTERACTION_KEEPS`)."""
    kept: dict[str, Any] = {name: getattr(interaction, name) for name in INTERACTION_KEEPS}
    if interaction.manual_priority is not None:
        kept["manual_priority"] = ManualPriority(value=interaction.manual_priority.value)
    if interaction.handover is not None:
        kept["handover"] = BotHandover(bot=interaction.handover.bot)
    # Every kept value was validated when the interaction was made.
    return Interaction.model_construct(**kept)


def redact_contact(contact: Contact) -> Contact:
    """The contact without personal data (see :data:`CONTACT_KEEPS`)."""
    return Contact.model_construct(**{name: getattr(contact, name) for name in CONTACT_KEEPS})
