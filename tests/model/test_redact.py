"""Erasure's redaction: the live router and the journal keep the same non-personal facts."""

from __future__ import annotations

from hypothesis import given, settings
from test_roundtrip import contacts, interactions

import omnirouter as om
from omnirouter.model._redact import (
    CONTACT_KEEPS,
    INTERACTION_KEEPS,
    redact_contact,
    redact_contact_json,
    redact_interaction,
    redact_interaction_json,
)


@settings(max_examples=60)
@given(interactions)
def test_an_interaction_is_redacted_alike_live_and_in_json(interaction: om.Interaction) -> None:
    live = redact_interaction(interaction).model_dump(mode="json", exclude_defaults=True)
    recorded = redact_interaction_json(interaction.model_dump(mode="json", exclude_defaults=True))
    assert live == recorded
    assert set(live) <= INTERACTION_KEEPS | {"manual_priority", "handover"}
    if interaction.handover is not None:
        bot = interaction.handover.bot
        assert live["handover"] == ({} if bot is None else {"bot": bot})
    # What is left is itself a valid interaction.
    assert om.Interaction.model_validate(recorded).id == interaction.id


@settings(max_examples=60)
@given(contacts)
def test_a_contact_is_redacted_alike_live_and_in_json(contact: om.Contact) -> None:
    live = redact_contact(contact).model_dump(mode="json", exclude_defaults=True)
    recorded = redact_contact_json(contact.model_dump(mode="json", exclude_defaults=True))
    assert live == recorded
    assert set(live) <= CONTACT_KEEPS
    assert om.Contact.model_validate(recorded).id == contact.id
