"""omnirouter: an embeddable omnichannel routing library.

One universal queue for every channel, channel blending, explainable priorities,
per-channel service levels, cross-channel contact history and a simulator that runs
the very same router. Import it as ``import omnirouter as om``.
"""

from importlib import metadata as _metadata

from omnirouter import erlang, history, outbound, priority, simulation, sla
from omnirouter.errors import (
    CalendarError,
    CapacityExceededError,
    ContactNotAllowedError,
    DuplicateIdError,
    ErrorDetail,
    ExpressionError,
    InvalidStateError,
    NoQueueError,
    OmnirouterError,
    RoutingError,
    UnknownAgentError,
    UnknownChannelError,
    UnknownContactError,
    UnknownInteractionError,
    UnknownQueueError,
    ValidationError,
)
from omnirouter.model import (
    BUILTIN_CHANNELS,
    Agent,
    BotHandover,
    CapacityProfile,
    ChannelRegistry,
    ChannelTraits,
    ConsentRecord,
    ConsentStatus,
    Contact,
    Direction,
    Identities,
    IdentityHints,
    Interaction,
    InteractionState,
    ManualPriority,
    PostalAddress,
    SocialHandle,
)
from omnirouter.priority import (
    KeywordClassifier,
    PriorityScorer,
    RecentContacts,
    Strategy,
    compare_strategies,
)
from omnirouter.routing import (
    AgentStatus,
    Event,
    FourEyes,
    Overflow,
    Queue,
    Router,
    SelectionPolicy,
    Step,
    selection,
)
from omnirouter.routing.expressions import Expression, compile_expression
from omnirouter.sla import (
    BusinessCalendar,
    Holiday,
    ServiceLevelPolicy,
    ServiceLevelTarget,
    ServiceLevelTracker,
)

try:
    __version__ = _metadata.version("omnirouter")
except _metadata.PackageNotFoundError:  # pragma: no cover - bare source tree only
    __version__ = "0.0.0+unknown"

__all__ = [
    "BUILTIN_CHANNELS",
    "Agent",
    "AgentStatus",
    "BotHandover",
    "BusinessCalendar",
    "CalendarError",
    "CapacityExceededError",
    "CapacityProfile",
    "ChannelRegistry",
    "ChannelTraits",
    "ConsentRecord",
    "ConsentStatus",
    "Contact",
    "ContactNotAllowedError",
    "Direction",
    "DuplicateIdError",
    "ErrorDetail",
    "Event",
    "Expression",
    "ExpressionError",
    "FourEyes",
    "Holiday",
    "Identities",
    "IdentityHints",
    "Interaction",
    "InteractionState",
    "InvalidStateError",
    "KeywordClassifier",
    "ManualPriority",
    "NoQueueError",
    "OmnirouterError",
    "Overflow",
    "PostalAddress",
    "PriorityScorer",
    "Queue",
    "RecentContacts",
    "Router",
    "RoutingError",
    "SelectionPolicy",
    "ServiceLevelPolicy",
    "ServiceLevelTarget",
    "ServiceLevelTracker",
    "SocialHandle",
    "Step",
    "Strategy",
    "UnknownAgentError",
    "UnknownChannelError",
    "UnknownContactError",
    "UnknownInteractionError",
    "UnknownQueueError",
    "ValidationError",
    "__version__",
    "compare_strategies",
    "compile_expression",
    "erlang",
    "history",
    "outbound",
    "priority",
    "selection",
    "simulation",
    "sla",
]
