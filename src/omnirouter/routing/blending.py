"""Channel blending: load rules, interruptible work, reservations, proactive chat.

Blending is data. A :class:`BlendRule` says *when* it holds (a condition over live load:
``waiting.voice > 3``), optionally *until* when it keeps holding once on (hysteresis),
*which agents* it concerns (a condition over what the agent holds: ``holding.email > 0``)
and what it does to them: ``offer`` channels they may now be given even though their
capacity is taken by interruptible work (that work is paused, kept by the agent, and
resumed when the new work ends), and ``deny`` channels they may not be given. With
``keep`` or ``max_agents`` the rule becomes a reservation: it moves a fixed set of agents
when it switches on and moves them back when it switches off.

An :class:`InviteRule` answers :meth:`omnirouter.Router.should_invite`: whether to offer a
web visitor a chat, from the visitor's facts and live availability.

Hand the rules to ``om.Router(blending=[...])``. A custom policy is any object that
follows the :class:`BlendingPolicy` protocol. Every blending decision is an event:
``blend_switched``, ``paused`` and ``resumed`` carry the rule's name in ``detail["rule"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model import Interaction
from omnirouter.routing.expressions import Expression, compile_expression

__all__ = [
    "AGENT_ROOTS",
    "LIVE_FUNCTIONS",
    "LIVE_ROOTS",
    "AgentLoad",
    "BlendRule",
    "BlendingPolicy",
    "Invitation",
    "InviteRule",
    "LiveLoad",
    "handling_times",
    "unknown_names",
]

#: What a rule's ``when``/``until`` condition may read: per-channel figures (``waiting.voice``)
#: and per-queue figures (``queues.sales.waiting``).
LIVE_ROOTS: Final = frozenset(
    {"waiting", "longest_wait", "service_level_at_risk", "available_agents", "queues"}
)
#: The host functions every rule and invitation condition may call.
LIVE_FUNCTIONS: Final = frozenset({"available", "waiting", "longest_wait"})
#: What a rule's ``agents`` condition may read: what the agent holds and who they are.
AGENT_ROOTS: Final = frozenset(
    {"holding", "paused", "skills", "id", "team", "languages", "attributes", "channels", "name"}
)
#: Live figures that change with the passing of time alone (the router re-checks rules
#: reading them every ``recheck`` seconds while work waits).
_TIMED_ROOTS: Final = frozenset({"longest_wait", "service_level_at_risk"})


def _invalid(title: str, field: str, message: str) -> ValidationError:
    return ValidationError(title, [ErrorDetail([field], message)])


def _placeholder(*args: Any, **kwargs: Any) -> Any:
    return None


_CHECK_FUNCTIONS: Final[Mapping[str, Callable[..., Any]]] = dict.fromkeys(
    LIVE_FUNCTIONS, _placeholder
)


#: Per-channel figures a condition reads as ``<root>.<channel>``.
_CHANNEL_ROOTS: Final = frozenset(
    {"waiting", "longest_wait", "service_level_at_risk", "available_agents", "holding", "paused"}
)
#: The figures ``queues.<name>.<figure>`` offers.
_QUEUE_FIGURES: Final = frozenset(
    {"waiting", "longest_wait", "service_level_at_risk", "available_agents"}
)


def unknown_names(
    rule: BlendRule, channels: Iterable[str], queues: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """``(field, message)`` for each channel or queue a rule's conditions read but that
    does not exist (``waiting.vocie``), so a rule that could never fire is refused.

    ``channels`` are the known channel (and family) names; ``queues`` the known queue
    names (``None``: queue names are not checked).
    """
    known = frozenset(channels)
    queue_names = None if queues is None else frozenset(queues)
    found: list[tuple[str, str]] = []
    for field in ("when", "until", "agents"):
        expression = getattr(rule, f"{field}_expression")
        if expression is None:
            continue
        for path in sorted(expression.paths):
            parts = path.split(".")
            if parts[0] in _CHANNEL_ROOTS and len(parts) > 1 and parts[1] not in known:
                found.append(
                    (field, f"{path} names no channel {parts[1]!r}{_close(parts[1], known)}")
                )
            elif parts[0] == "queues" and len(parts) > 1:
                if queue_names is not None and parts[1] not in queue_names:
                    hint = _close(parts[1], queue_names)
                    found.append((field, f"{path} names no queue {parts[1]!r}{hint}"))
                elif len(parts) > 2 and parts[2] not in _QUEUE_FIGURES:
                    hint = _close(parts[2], _QUEUE_FIGURES)
                    found.append((field, f"{path}: a queue has no figure {parts[2]!r}{hint}"))
    return found


def _close(name: str, known: Iterable[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


class LiveLoad(Protocol):
    """The live figures a blending condition reads (the router supplies them).

    ``waiting``, ``longest_wait`` (seconds), ``service_level_at_risk`` (waiting work past
    its at-risk mark) and ``available_agents`` (present agents with room now) map a
    channel — or a channel family such as ``messenger`` — to a number; ``queues`` maps a
    queue name to an object with the same four figures for that queue; ``now`` is the
    router's time.
    """

    now: float
    waiting: Mapping[str, int]
    longest_wait: Mapping[str, float]
    service_level_at_risk: Mapping[str, int]
    available_agents: Mapping[str, int]
    queues: Mapping[str, Any]

    def available(self, channel: str, target: str = "") -> int:
        """Present agents with room for one more ``channel`` item who match ``target``."""
        ...


class AgentLoad(Protocol):
    """What a blending rule's ``agents`` condition reads about one agent.

    ``holding`` maps a channel (or family) to the items the agent holds — offered,
    assigned or paused; ``paused`` to the paused ones alone. The agent's own fields
    (``id``, ``team``, ``skills``, ``attributes``, ``languages`` …) read through.
    """

    id: str
    holding: Mapping[str, int]
    paused: Mapping[str, int]


@runtime_checkable
class BlendingPolicy(Protocol):
    """A custom blending policy: when it is on, which agents it concerns, what it does.

    ``offers`` are channels the concerned agents may be given while it is on, pausing
    their interruptible work when that is what makes room; ``denies`` are channels they
    may not be given. The router calls ``active`` after every operation with the live
    load and whether the policy was on until now (so it can keep hysteresis), and
    ``applies_to`` whenever it needs to know whether an agent is concerned; both must be
    quick and must not call the router.
    """

    name: str
    offers: frozenset[str]
    denies: frozenset[str]

    def active(self, load: LiveLoad, was_active: bool) -> bool:
        """Whether the policy is on now."""
        ...

    def applies_to(self, agent: AgentLoad) -> bool:
        """Whether the policy concerns ``agent`` now."""
        ...


_CHANNEL_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")


def _channels(title: str, field: str, value: Any) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise _invalid(title, field, f"must be a list of channel names, not {value!r}")
    names = list(value)
    for index, name in enumerate(names):
        if not isinstance(name, str) or not _CHANNEL_NAME.match(name):
            raise _invalid(title, f"{field}.{index}", f"{name!r} is not a channel name")
    return frozenset(names)


def _compile(title: str, field: str, text: Any, roots: frozenset[str]) -> Expression:
    if not isinstance(text, str):
        raise _invalid(title, field, f"must be a string, not {type(text).__name__}")
    expression = compile_expression(text, functions=_CHECK_FUNCTIONS)
    stray = sorted(expression.roots - roots)
    if stray:
        raise _invalid(
            title,
            field,
            f"reads {', '.join(stray)}; it may read only {', '.join(sorted(roots))}",
        )
    return expression


class BlendRule:
    """One blending rule, as data (see the channel blending guide).

    ``when`` (blank: always) switches the rule on; ``until`` (optional) switches it off
    again — without it the rule is on exactly while ``when`` holds. Both read live load
    (:data:`LIVE_ROOTS`) and may call ``available(channel, target=...)``,
    ``waiting(channel)`` and ``longest_wait(channel)``. ``agents`` (blank: everyone)
    reads the agent (:data:`AGENT_ROOTS`). ``offer`` and ``deny`` name channels.
    ``keep`` (``{"email": 2}``) leaves at least that many present agents who serve the
    channel out of the rule; ``max_agents`` caps how many it moves; either makes it a
    reservation whose agents are chosen (in the order they joined) when it switches on.
    ``recheck`` (seconds) is how often a rule reading ``longest_wait`` or
    ``service_level_at_risk`` is re-evaluated while work waits.
    """

    __slots__ = (
        "agents",
        "agents_expression",
        "deny",
        "keep",
        "max_agents",
        "name",
        "offer",
        "recheck",
        "timed",
        "until",
        "until_expression",
        "when",
        "when_expression",
    )

    def __init__(
        self,
        name: str,
        *,
        when: str = "",
        until: str | None = None,
        agents: str = "",
        offer: Iterable[str] | str = (),
        deny: Iterable[str] | str = (),
        keep: Mapping[str, int] | None = None,
        max_agents: int | None = None,
        recheck: float = 5.0,
    ) -> None:
        title = "BlendRule"
        if not isinstance(name, str) or not name.strip():
            raise _invalid(title, "name", f"must be a non-empty string, not {name!r}")
        self.name = name.strip()
        self.when = when
        self.when_expression = _compile(title, "when", when, LIVE_ROOTS)
        self.until = until
        self.until_expression = (
            None if until is None else _compile(title, "until", until, LIVE_ROOTS)
        )
        self.agents = agents
        self.agents_expression = _compile(title, "agents", agents, AGENT_ROOTS)
        self.offer = _channels(title, "offer", offer)
        self.deny = _channels(title, "deny", deny)
        both = sorted(self.offer & self.deny)
        if both:
            raise _invalid(title, "deny", f"{', '.join(both)} both offered and denied")
        if not self.offer and not self.deny:
            raise _invalid(title, "offer", "give the channels to offer or to deny (or both)")
        if until is not None and not when.strip():
            raise _invalid(title, "until", "needs a when= condition to switch the rule on")
        keep_map = dict(keep or {})
        for channel, count in keep_map.items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise _invalid(title, f"keep.{channel}", f"must be an int >= 0, not {count!r}")
        _channels(title, "keep", list(keep_map))
        self.keep: dict[str, int] = keep_map
        if max_agents is not None and (
            isinstance(max_agents, bool) or not isinstance(max_agents, int) or max_agents < 1
        ):
            raise _invalid(title, "max_agents", f"must be an int >= 1, not {max_agents!r}")
        self.max_agents = max_agents
        if isinstance(recheck, bool) or not isinstance(recheck, int | float) or not recheck > 0:
            raise _invalid(title, "recheck", f"must be positive seconds, not {recheck!r}")
        self.recheck = float(recheck)
        reads = self.when_expression.roots | (
            self.until_expression.roots if self.until_expression is not None else frozenset()
        )
        calls = self.when_expression.calls | (
            self.until_expression.calls if self.until_expression is not None else frozenset()
        )
        self.timed = bool(reads & _TIMED_ROOTS) or "longest_wait" in calls

    @property
    def reservation(self) -> bool:
        """True when the rule moves a chosen set of agents (``keep`` or ``max_agents``)."""
        return bool(self.keep) or self.max_agents is not None

    @property
    def conditional(self) -> bool:
        """True when the rule has a ``when`` condition (else it is always on)."""
        return bool(self.when.strip())

    def to_json(self) -> dict[str, Any]:
        """The rule as plain data (see :meth:`from_json`)."""
        return {
            "type": "blend",
            "name": self.name,
            "when": self.when,
            "until": self.until,
            "agents": self.agents,
            "offer": sorted(self.offer),
            "deny": sorted(self.deny),
            "keep": dict(self.keep),
            "max_agents": self.max_agents,
            "recheck": self.recheck,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BlendRule:
        """A rule from :meth:`to_json` data."""
        fields = {k: v for k, v in data.items() if k != "type"}
        name = fields.pop("name", None)
        try:
            return cls(name, **fields)
        except TypeError as error:
            raise _invalid("BlendRule", "<root>", str(error)) from None

    def __repr__(self) -> str:
        return f"BlendRule({self.name!r}, when={self.when!r})"


class InviteRule:
    """A proactive chat rule ("web radar") for :meth:`omnirouter.Router.should_invite`.

    ``when`` reads the visitor's facts as top-level names (``page``, ``seconds_on_page``,
    ``product`` …) and may call ``available(channel, target=...)``, ``waiting(channel)``
    and ``longest_wait(channel)`` for live load, e.g.
    ``(page == "form_x" AND seconds_on_page > 120) AND available("chat") > 0``.
    ``channel`` is the channel the invitation opens (chat by default).
    """

    __slots__ = ("channel", "expression", "name", "when")

    def __init__(self, name: str, when: str, *, channel: str = "chat") -> None:
        title = "InviteRule"
        if not isinstance(name, str) or not name.strip():
            raise _invalid(title, "name", f"must be a non-empty string, not {name!r}")
        if not isinstance(when, str) or not when.strip():
            raise _invalid(title, "when", "must be a non-empty condition")
        self.name = name.strip()
        self.when = when
        self.expression = compile_expression(when, functions=_CHECK_FUNCTIONS)
        (self.channel,) = _channels(title, "channel", [channel])

    def to_json(self) -> dict[str, Any]:
        """The rule as plain data (see :meth:`from_json`)."""
        return {"type": "invite", "name": self.name, "when": self.when, "channel": self.channel}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InviteRule:
        """A rule from :meth:`to_json` data."""
        return cls(data.get("name", ""), data.get("when", ""), channel=data.get("channel", "chat"))

    def __repr__(self) -> str:
        return f"InviteRule({self.name!r}, when={self.when!r})"


@attrs.frozen(slots=True)
class Invitation:
    """The answer of :meth:`omnirouter.Router.should_invite`.

    ``invite`` says yes or no; ``rule`` names the rule that fired (None for no);
    ``channel`` is the channel to open. It is truthy exactly when ``invite`` is.
    """

    invite: bool
    rule: str | None = None
    channel: str | None = None

    def __bool__(self) -> bool:
        return self.invite

    def interaction(self, interaction_id: str, **fields: Any) -> Interaction:
        """The interaction to submit once the visitor accepts: on the invitation's channel,
        with the rule recorded in ``attributes["invited_by"]``."""
        if not self.invite or self.channel is None:
            raise _invalid("Invitation", "invite", "no invitation was made")
        attributes = dict(fields.pop("attributes", None) or {})
        attributes.setdefault("invited_by", self.rule)
        return Interaction(id=interaction_id, channel=self.channel, attributes=attributes, **fields)


def rule_from_json(data: Mapping[str, Any]) -> BlendRule | InviteRule:
    """A built-in rule from its :meth:`BlendRule.to_json` / :meth:`InviteRule.to_json` data."""
    if not isinstance(data, Mapping):
        raise _invalid("blending", "<root>", f"a rule must be a mapping, not {data!r}")
    if data.get("type") == "invite":
        return InviteRule.from_json(data)
    return BlendRule.from_json(data)


def handling_times(events: Iterable[Any]) -> dict[str, float]:
    """Handling time of every completed interaction in ``events`` (seconds).

    Handling runs from the last assignment to completion, and time spent paused (an
    interrupted e-mail) does not count: the ``completed`` event carries
    ``detail["paused_seconds"]`` when the work was paused. ``events`` are
    :class:`~omnirouter.Event` objects or their ``to_json()`` dicts.
    """
    assigned: dict[str, float] = {}
    result: dict[str, float] = {}
    for event in events:
        data = event if isinstance(event, Mapping) else event.to_json()
        interaction_id = data.get("interaction_id")
        if interaction_id is None:
            continue
        kind = data.get("kind")
        if kind == "assigned":
            assigned[interaction_id] = float(data["at"])
        elif kind == "completed" and interaction_id in assigned:
            paused = float((data.get("detail") or {}).get("paused_seconds", 0.0))
            result[interaction_id] = float(data["at"]) - assigned.pop(interaction_id) - paused
    return result
