"""The boundary models: channels, interactions, agents and contacts (pydantic v2)."""

from omnirouter.model._limits import DEFAULT_FIELD_LIMITS, DEFAULT_LIMITS, NO_LIMITS, FieldLimits
from omnirouter.model.agent import Agent, CapacityProfile
from omnirouter.model.channels import BUILTIN_CHANNELS, ChannelRegistry, ChannelTraits
from omnirouter.model.contact import (
    ConsentRecord,
    ConsentStatus,
    Contact,
    Identities,
    PostalAddress,
    SocialHandle,
)
from omnirouter.model.interaction import (
    TERMINAL_STATES,
    BotHandover,
    Direction,
    IdentityHints,
    Interaction,
    InteractionState,
    InteractionTemplate,
    ManualPriority,
)

__all__ = [
    "BUILTIN_CHANNELS",
    "DEFAULT_FIELD_LIMITS",
    "DEFAULT_LIMITS",
    "NO_LIMITS",
    "TERMINAL_STATES",
    "Agent",
    "BotHandover",
    "CapacityProfile",
    "ChannelRegistry",
    "ChannelTraits",
    "ConsentRecord",
    "ConsentStatus",
    "Contact",
    "Direction",
    "FieldLimits",
    "Identities",
    "IdentityHints",
    "Interaction",
    "InteractionState",
    "InteractionTemplate",
    "ManualPriority",
    "PostalAddress",
    "SocialHandle",
]

#: Every boundary model whose JSON Schema ``omnirouter schema`` writes.
SCHEMA_MODELS = (ChannelTraits, Interaction, Agent, Contact)
