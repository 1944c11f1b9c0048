"""omnirouter: an embeddable omnichannel routing library.

One universal queue for every channel, channel blending, explainable priorities,
per-channel service levels, cross-channel contact history and a simulator that runs
the very same router. Import it as ``import omnirouter as om``.
"""

import importlib as _importlib
import typing as _typing
from importlib import metadata as _metadata
from types import MappingProxyType as _MappingProxyType

if _typing.TYPE_CHECKING:
    from omnirouter import (
        documents,
        erlang,
        history,
        ops,
        outbound,
        planning,
        priority,
        simulation,
        sla,
        testing,
    )
    from omnirouter._facade import Router
    from omnirouter.errors import (
        CalendarError,
        CapacityExceededError,
        ContactNotAllowedError,
        DuplicateIdError,
        ErrorDetail,
        ExpressionError,
        InvalidStateError,
        JournalCorruptError,
        JournalError,
        NoQueueError,
        OmnirouterError,
        OmnirouterWarning,
        RecoveryError,
        RoutingError,
        ScenarioWarning,
        UnknownAgentError,
        UnknownChannelError,
        UnknownContactError,
        UnknownInteractionError,
        UnknownQueueError,
        ValidationError,
    )
    from omnirouter.limits import DEFAULT_LIMITS, Limits
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
        FieldLimits,
        Identities,
        IdentityHints,
        Interaction,
        InteractionState,
        ManualPriority,
        PostalAddress,
        SocialHandle,
    )
    from omnirouter.ops import AsyncioDriver, Journal, SQLiteJournal, ThreadedDriver
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
        SelectionPolicy,
        Step,
        blending,
        selection,
    )
    from omnirouter.routing.blending import BlendingPolicy, BlendRule, Invitation, InviteRule
    from omnirouter.routing.expressions import Expression, compile_expression
    from omnirouter.sla import (
        BusinessCalendar,
        Holiday,
        ServiceLevelPolicy,
        ServiceLevelTarget,
        ServiceLevelTracker,
    )

try:
    #: The installed version of omnirouter, e.g. ``"0.1.0"``.
    __version__ = _metadata.version("omnirouter")
except _metadata.PackageNotFoundError:  # pragma: no cover - bare source tree only
    __version__ = "0.0.0+unknown"


#: Where each public name lives: (module, attribute), or (module, None) for a module.
#: Names load on first use, so ``import omnirouter`` costs only what a program touches
#: (a simulation never loads duplicate finding, the journal or outbound contact).
_WHERE: _typing.Final = _MappingProxyType(
    {
        "Agent": ("omnirouter.model", "Agent"),
        "AgentStatus": ("omnirouter.routing", "AgentStatus"),
        "AsyncioDriver": ("omnirouter.ops", "AsyncioDriver"),
        "BUILTIN_CHANNELS": ("omnirouter.model", "BUILTIN_CHANNELS"),
        "BlendRule": ("omnirouter.routing.blending", "BlendRule"),
        "BlendingPolicy": ("omnirouter.routing.blending", "BlendingPolicy"),
        "BotHandover": ("omnirouter.model", "BotHandover"),
        "BusinessCalendar": ("omnirouter.sla", "BusinessCalendar"),
        "CalendarError": ("omnirouter.errors", "CalendarError"),
        "CapacityExceededError": ("omnirouter.errors", "CapacityExceededError"),
        "CapacityProfile": ("omnirouter.model", "CapacityProfile"),
        "ChannelRegistry": ("omnirouter.model", "ChannelRegistry"),
        "ChannelTraits": ("omnirouter.model", "ChannelTraits"),
        "ConsentRecord": ("omnirouter.model", "ConsentRecord"),
        "ConsentStatus": ("omnirouter.model", "ConsentStatus"),
        "Contact": ("omnirouter.model", "Contact"),
        "ContactNotAllowedError": ("omnirouter.errors", "ContactNotAllowedError"),
        "DEFAULT_LIMITS": ("omnirouter.limits", "DEFAULT_LIMITS"),
        "Direction": ("omnirouter.model", "Direction"),
        "DuplicateIdError": ("omnirouter.errors", "DuplicateIdError"),
        "ErrorDetail": ("omnirouter.errors", "ErrorDetail"),
        "Event": ("omnirouter.routing", "Event"),
        "Expression": ("omnirouter.routing.expressions", "Expression"),
        "ExpressionError": ("omnirouter.errors", "ExpressionError"),
        "FieldLimits": ("omnirouter.model", "FieldLimits"),
        "FourEyes": ("omnirouter.routing", "FourEyes"),
        "Holiday": ("omnirouter.sla", "Holiday"),
        "Identities": ("omnirouter.model", "Identities"),
        "IdentityHints": ("omnirouter.model", "IdentityHints"),
        "Interaction": ("omnirouter.model", "Interaction"),
        "InteractionState": ("omnirouter.model", "InteractionState"),
        "InvalidStateError": ("omnirouter.errors", "InvalidStateError"),
        "Invitation": ("omnirouter.routing.blending", "Invitation"),
        "InviteRule": ("omnirouter.routing.blending", "InviteRule"),
        "Journal": ("omnirouter.ops", "Journal"),
        "JournalCorruptError": ("omnirouter.errors", "JournalCorruptError"),
        "JournalError": ("omnirouter.errors", "JournalError"),
        "KeywordClassifier": ("omnirouter.priority", "KeywordClassifier"),
        "Limits": ("omnirouter.limits", "Limits"),
        "ManualPriority": ("omnirouter.model", "ManualPriority"),
        "NoQueueError": ("omnirouter.errors", "NoQueueError"),
        "OmnirouterError": ("omnirouter.errors", "OmnirouterError"),
        "OmnirouterWarning": ("omnirouter.errors", "OmnirouterWarning"),
        "Overflow": ("omnirouter.routing", "Overflow"),
        "PostalAddress": ("omnirouter.model", "PostalAddress"),
        "PriorityScorer": ("omnirouter.priority", "PriorityScorer"),
        "Queue": ("omnirouter.routing", "Queue"),
        "RecentContacts": ("omnirouter.priority", "RecentContacts"),
        "RecoveryError": ("omnirouter.errors", "RecoveryError"),
        "Router": ("omnirouter._facade", "Router"),
        "RoutingError": ("omnirouter.errors", "RoutingError"),
        "SQLiteJournal": ("omnirouter.ops", "SQLiteJournal"),
        "ScenarioWarning": ("omnirouter.errors", "ScenarioWarning"),
        "SelectionPolicy": ("omnirouter.routing", "SelectionPolicy"),
        "ServiceLevelPolicy": ("omnirouter.sla", "ServiceLevelPolicy"),
        "ServiceLevelTarget": ("omnirouter.sla", "ServiceLevelTarget"),
        "ServiceLevelTracker": ("omnirouter.sla", "ServiceLevelTracker"),
        "SocialHandle": ("omnirouter.model", "SocialHandle"),
        "Step": ("omnirouter.routing", "Step"),
        "Strategy": ("omnirouter.priority", "Strategy"),
        "ThreadedDriver": ("omnirouter.ops", "ThreadedDriver"),
        "UnknownAgentError": ("omnirouter.errors", "UnknownAgentError"),
        "UnknownChannelError": ("omnirouter.errors", "UnknownChannelError"),
        "UnknownContactError": ("omnirouter.errors", "UnknownContactError"),
        "UnknownInteractionError": ("omnirouter.errors", "UnknownInteractionError"),
        "UnknownQueueError": ("omnirouter.errors", "UnknownQueueError"),
        "ValidationError": ("omnirouter.errors", "ValidationError"),
        "blending": ("omnirouter.routing.blending", None),
        "compare_strategies": ("omnirouter.priority", "compare_strategies"),
        "compile_expression": ("omnirouter.routing.expressions", "compile_expression"),
        "documents": ("omnirouter.documents", None),
        "erlang": ("omnirouter.erlang", None),
        "history": ("omnirouter.history", None),
        "ops": ("omnirouter.ops", None),
        "outbound": ("omnirouter.outbound", None),
        "planning": ("omnirouter.planning", None),
        "priority": ("omnirouter.priority", None),
        "selection": ("omnirouter.routing.selection", None),
        "simulation": ("omnirouter.simulation", None),
        "sla": ("omnirouter.sla", None),
        "testing": ("omnirouter.testing", None),
    }
)


def __getattr__(name: str) -> _typing.Any:
    """Load a public name on first use (and keep it, so the next use is a plain read)."""
    try:
        module, attribute = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'omnirouter' has no attribute {name!r}") from None
    value: _typing.Any = _importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "BUILTIN_CHANNELS",
    "DEFAULT_LIMITS",
    "Agent",
    "AgentStatus",
    "AsyncioDriver",
    "BlendRule",
    "BlendingPolicy",
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
    "FieldLimits",
    "FourEyes",
    "Holiday",
    "Identities",
    "IdentityHints",
    "Interaction",
    "InteractionState",
    "InvalidStateError",
    "Invitation",
    "InviteRule",
    "Journal",
    "JournalCorruptError",
    "JournalError",
    "KeywordClassifier",
    "Limits",
    "ManualPriority",
    "NoQueueError",
    "OmnirouterError",
    "OmnirouterWarning",
    "Overflow",
    "PostalAddress",
    "PriorityScorer",
    "Queue",
    "RecentContacts",
    "RecoveryError",
    "Router",
    "RoutingError",
    "SQLiteJournal",
    "ScenarioWarning",
    "SelectionPolicy",
    "ServiceLevelPolicy",
    "ServiceLevelTarget",
    "ServiceLevelTracker",
    "SocialHandle",
    "Step",
    "Strategy",
    "ThreadedDriver",
    "UnknownAgentError",
    "UnknownChannelError",
    "UnknownContactError",
    "UnknownInteractionError",
    "UnknownQueueError",
    "ValidationError",
    "__version__",
    "blending",
    "compare_strategies",
    "compile_expression",
    "documents",
    "erlang",
    "history",
    "ops",
    "outbound",
    "planning",
    "priority",
    "selection",
    "simulation",
    "sla",
    "testing",
]
