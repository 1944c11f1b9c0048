"""The channel-agnostic interaction: one piece of work from any channel."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import pydantic
from pydantic import AwareDatetime, Field, JsonValue

from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import Attributes, Identifier, KnownChannel, LanguageTag

__all__ = [
    "TERMINAL_STATES",
    "BotHandover",
    "Direction",
    "IdentityHints",
    "Interaction",
    "InteractionState",
    "ManualPriority",
]


class Direction(enum.StrEnum):
    """Who started the contact: ``inbound`` (the customer) or ``outbound`` (you)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class InteractionState(enum.StrEnum):
    """Where an interaction is in its lifecycle.

    Every interaction ends in exactly one terminal state: ``completed``,
    ``abandoned``, ``cancelled`` or ``transferred_out``.
    """

    NEW = "new"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    PAUSED = "paused"
    WAITING_FOR_CHILDREN = "waiting_for_children"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    CANCELLED = "cancelled"
    TRANSFERRED_OUT = "transferred_out"

    @property
    def terminal(self) -> bool:
        """True for the four end states."""
        return self in TERMINAL_STATES


#: The four end states; an interaction in one of them is finished and changes no more.
TERMINAL_STATES = frozenset(
    {
        InteractionState.COMPLETED,
        InteractionState.ABANDONED,
        InteractionState.CANCELLED,
        InteractionState.TRANSFERRED_OUT,
    }
)


class IdentityHints(BoundaryModel):
    """What the channel tells about who is writing or calling, before identification.

    Contact history uses these hints to link the interaction to a customer later, e.g.
    a chat and a call that share a ``session_id``. Every field is optional: ``email``,
    ``phone``, ``handle`` (e.g. ``@Hasei4711``) and ``session_id``.
    """

    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    handle: str | None = Field(default=None, max_length=256, description="e.g. @Hasei4711")
    session_id: str | None = Field(default=None, max_length=256, description="web/chat session")

    @pydantic.field_validator("email")
    @classmethod
    def _plausible_email(cls, value: str | None) -> str | None:
        if value is not None:
            local, at, domain = value.rpartition("@")
            if not at or not local or "." not in domain or " " in value:
                raise ValueError(f"{value!r} is not an e-mail address")
        return value


class ManualPriority(BoundaryModel):
    """A priority an advisor set by hand, with the audit trail: who, when and why.

    Higher values are more urgent. A plain integer is accepted as shorthand.
    """

    value: int = Field(ge=-1000, le=1000)
    set_by: str | None = None
    set_at: AwareDatetime | None = None
    reason: str | None = Field(default=None, max_length=1000)


class BotHandover(BoundaryModel):
    """What a bot or digital assistant hands to the human who takes over.

    It rides on the ``offered`` and ``assigned`` events as ``detail["handover"]``, so
    the agent's screen can show it.

    Attributes:
        bot: The bot's name.
        transcript: The conversation so far, one message per entry.
        extracted: What the bot found out, as JSON-able data (e.g. an invoice number).
    """

    bot: str | None = None
    transcript: list[str] = Field(default_factory=list)
    extracted: dict[str, JsonValue] = Field(default_factory=dict)


class Interaction(BoundaryModel):
    """One piece of work on any channel: a call, an e-mail, a chat, a post, a letter …

    ``created_at`` must carry a time zone (naive datetimes are refused); leave it
    out and the router stamps the time of submission from its clock.

    >>> Interaction(id="i-1", channel="email", reason="billing").state
    <InteractionState.NEW: 'new'>
    """

    id: Identifier
    channel: KnownChannel
    direction: Direction = Direction.INBOUND
    customer_id: Identifier | None = Field(
        default=None, description="None while the sender is not identified yet."
    )
    identity: IdentityHints = Field(default_factory=IdentityHints)
    conversation_id: Identifier | None = Field(default=None, description="Conversation/ticket.")
    case_id: Identifier | None = Field(default=None, description="Case or deal.")
    parent_id: Identifier | None = Field(default=None, description="The work this was split from.")
    reason: str | None = Field(default=None, max_length=128, description="Reason of contact.")
    language: LanguageTag | None = None
    subject: str | None = Field(default=None, max_length=1000)
    preview: str | None = Field(default=None, max_length=20_000, description="Body preview.")
    created_at: AwareDatetime | None = None
    scheduled_at: AwareDatetime | None = Field(
        default=None, description="When scheduled work (a callback) becomes due."
    )
    attributes: Attributes = Field(default_factory=dict)
    manual_priority: ManualPriority | None = None
    handover: BotHandover | None = None
    state: InteractionState = InteractionState.NEW

    @pydantic.field_validator("manual_priority", mode="before")
    @classmethod
    def _priority_shorthand(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"value": value}
        return value

    @pydantic.field_validator("language")
    @classmethod
    def _lower_language(cls, value: str | None) -> str | None:
        return value.lower() if value is not None else None

    @pydantic.field_validator("created_at", "scheduled_at", mode="before")
    @classmethod
    def _refuse_naive(cls, value: Any) -> Any:
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(
                "naive datetime: give a time zone, e.g. datetime(..., tzinfo=timezone.utc)"
            )
        return value
