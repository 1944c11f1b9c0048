"""The channel-agnostic interaction: one piece of work from any channel."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import pydantic
from pydantic import AwareDatetime, Field, JsonValue

from omnirouter.dispatch.states import TERMINAL_STATES, InteractionState
from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import Attributes, Identifier, KnownChannel, LanguageTag

__all__ = [
    "TERMINAL_STATES",
    "BotHandover",
    "Direction",
    "IdentityHints",
    "Interaction",
    "InteractionState",
    "InteractionTemplate",
    "ManualPriority",
]


class Direction(enum.StrEnum):
    """Who started the contact: ``inbound`` (the customer) or ``outbound`` (you)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


# The lifecycle lives with its transition table (plain data, no pydantic); users meet
# it here and as ``om.InteractionState``.
InteractionState.__module__ = __name__


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


# InteractionTemplate builds copies straight through pydantic's slots (what
# ``model_copy`` does, without its overhead); the values are valid by construction.
_new_object = object.__new__
_set_dict = pydantic.BaseModel.__dict__["__dict__"].__set__
_set_fields_set = pydantic.BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = pydantic.BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = pydantic.BaseModel.__dict__["__pydantic_private__"].__set__
_MADE_FIELDS = frozenset({"id", "channel", "customer_id"})


class InteractionTemplate:
    """Many interactions like one validated ``template``, differing only in id, channel
    and customer id, built without validating again (what a simulator needs per arrival).

    ``make(id, channel, customer_id)`` equals ``template.model_copy(update=...)`` of
    those three fields, at a fraction of the cost. The template was validated once;
    the caller vouches for the three values: an identifier, a channel the router knows,
    a customer id or None.
    """

    __slots__ = ("_extra", "_fields_set", "_private", "_values", "template")

    def __init__(self, template: Interaction) -> None:
        if not isinstance(template, Interaction):
            raise TypeError(f"InteractionTemplate takes an Interaction, not {template!r}")
        self.template = template
        self._values: dict[str, Any] = template.__dict__
        self._fields_set = template.__pydantic_fields_set__ | _MADE_FIELDS
        self._extra = template.__pydantic_extra__
        self._private = template.__pydantic_private__

    def make(
        self, interaction_id: str, channel: str, customer_id: str | None = None
    ) -> Interaction:
        """A copy of the template with this id, channel and customer id."""
        interaction: Interaction = _new_object(Interaction)
        values = self._values.copy()
        values["id"] = interaction_id
        values["channel"] = channel
        values["customer_id"] = customer_id
        _set_dict(interaction, values)
        _set_fields_set(interaction, set(self._fields_set))
        _set_extra(interaction, self._extra)
        _set_private(interaction, self._private)
        return interaction
