"""Erasure of one customer from recorded commands and events (the pure part of
:meth:`SQLiteJournal.erase <omnirouter.ops.SQLiteJournal.erase>`).

A command that brought the customer's work in (``submit``, ``split``, ``consult``) keeps
the interaction's and contact's non-personal fields (see
:func:`omnirouter.model._redact.redact_interaction_json`); events of that work keep
everything but the bot hand-over's transcript and extracted data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnirouter.model._redact import redact_contact_json, redact_interaction_json

__all__ = ["redact_command", "redact_event", "redact_snapshot"]


def _belongs(interaction: Any, customer_id: str, ids: set[str]) -> bool:
    if not isinstance(interaction, Mapping):
        return False
    return interaction.get("customer_id") == customer_id or interaction.get("parent_id") in ids


def _redact_pair(
    interaction: Any, customer: Any, customer_id: str, ids: set[str]
) -> tuple[Any, Any] | None:
    """An interaction and its contact (JSON) without personal data when they are the
    customer's (adding the interaction's id to ``ids``); None when they are not."""
    ours = isinstance(customer, Mapping) and customer.get("id") == customer_id
    known = isinstance(interaction, Mapping) and interaction.get("id") in ids
    if not (ours or known or _belongs(interaction, customer_id, ids)):
        return None
    if isinstance(interaction, Mapping):
        ids.add(str(interaction.get("id")))
        interaction = redact_interaction_json(interaction)
    if isinstance(customer, Mapping):
        customer = redact_contact_json(customer)
    return interaction, customer


def redact_command(
    name: str, arguments: Mapping[str, Any], customer_id: str, ids: set[str]
) -> dict[str, Any] | None:
    """The command's arguments without the customer's personal data, or None when it
    holds none. Adds the ids of the customer's interactions it names to ``ids``."""
    if name == "submit":
        pair = _redact_pair(
            arguments.get("interaction"), arguments.get("customer"), customer_id, ids
        )
        if pair is None:
            return None
        redacted = {**arguments, "interaction": pair[0], "customer": pair[1]}
        return None if redacted == dict(arguments) else redacted
    if name in ("split", "consult"):
        parts = arguments.get("parts")
        if not isinstance(parts, list):
            return None
        parent = arguments.get("interaction_id")
        new_parts = []
        for part in parts:
            if isinstance(part, Mapping) and (parent in ids or _belongs(part, customer_id, ids)):
                ids.add(str(part.get("id")))
                new_parts.append(redact_interaction_json(part))
            else:
                new_parts.append(part)
        redacted = {**arguments, "parts": new_parts}
        return None if redacted == dict(arguments) else redacted
    return None


def redact_event(event: Mapping[str, Any], ids: set[str]) -> dict[str, Any] | None:
    """The event (as JSON) without personal data when it is about one of ``ids``; None
    when nothing changes."""
    if event.get("interaction_id") not in ids:
        return None
    detail = event.get("detail")
    if not isinstance(detail, Mapping) or "handover" not in detail:
        return None
    handover = detail["handover"]
    bot = handover.get("bot") if isinstance(handover, Mapping) else None
    redacted = {**event, "detail": {**detail, "handover": {"bot": bot}}}
    return None if redacted == dict(event) else redacted


def redact_snapshot(
    data: Mapping[str, Any], customer_id: str, ids: set[str]
) -> dict[str, Any] | None:
    """A router snapshot (as JSON) without the customer's personal data; None when it
    holds none. Adds the ids of the customer's work it holds to ``ids``."""
    work = data.get("work")
    if not isinstance(work, list):
        return None
    items = []
    for item in work:
        if isinstance(item, Mapping):
            pair = _redact_pair(item.get("interaction"), item.get("customer"), customer_id, ids)
            if pair is not None:
                item = {**item, "interaction": pair[0], "customer": pair[1]}
        items.append(item)
    redacted = {**data, "work": items}
    return None if redacted == dict(data) else redacted
