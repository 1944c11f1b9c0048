"""Scenarios are files: a TOML document, validated by pydantic, describes one run.

See ``docs/simulation.md`` for a walk through every section. Times inside a scenario
are seconds unless a field name says otherwise (``horizon_hours``,
``interval_minutes``); clock times of day are ``"HH:MM"`` strings in the time zone of
``start``. The policy sections ``[priority]`` (a strategy document), ``[service_levels]``
(targets per channel) and ``[[blending]]`` (load rules) are handed to the router the
runner builds.
"""

from __future__ import annotations

import json
import math
import tomllib
import warnings
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import pydantic_core
from pydantic import AwareDatetime, Field

from omnirouter import _files
from omnirouter.errors import ErrorDetail, ExpressionError, ScenarioWarning, ValidationError
from omnirouter.limits import DEFAULT_LIMITS, Limits
from omnirouter.model import Agent, ChannelRegistry, ChannelTraits
from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import Attributes, Identifier, LanguageTag
from omnirouter.priority.plugins import AgentPortfolios
from omnirouter.priority.scorer import PriorityScorer
from omnirouter.priority.strategy import Strategy
from omnirouter.routing import selection as _selection
from omnirouter.routing.blending import (
    AGENT_ROOTS,
    LIVE_FUNCTIONS,
    LIVE_ROOTS,
    BlendRule,
    unknown_names,
)
from omnirouter.routing.expressions import compile_expression
from omnirouter.simulation.distributions import Distribution
from omnirouter.sla.targets import ServiceLevelPolicy, ServiceLevelTarget

__all__ = [
    "BlendRuleSpec",
    "Break",
    "OverflowSpec",
    "QueueSpec",
    "RosterAgent",
    "RouterSpec",
    "Scenario",
    "Shift",
    "StepSpec",
    "Team",
    "WorkloadSource",
    "load_scenario",
]

_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
_Share = Annotated[float, Field(ge=0, le=1)]
_Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_EVERY_DAY: tuple[_Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a clock time like '08:30'") from None
    return value


_ClockTime = Annotated[time, pydantic.BeforeValidator(_clock_time)]


class Shift(BoundaryModel):
    """Working hours each day (local time of the scenario's ``start``); may cross midnight."""

    start: _ClockTime
    end: _ClockTime
    weekdays: list[_Weekday] = Field(default_factory=lambda: list(_EVERY_DAY))


class Break(BoundaryModel):
    """A daily break: the agent is away from ``start`` for ``minutes`` (at most a day)."""

    start: _ClockTime
    minutes: Annotated[float, Field(gt=0, le=24 * 60, allow_inf_nan=False)]


class RosterAgent(BoundaryModel):
    """One named agent: every :class:`omnirouter.Agent` field, plus ``shift`` and ``breaks``.

    Without a shift the agent works the whole horizon.
    """

    agent: Agent
    shift: Shift | None = None
    breaks: list[Break] = Field(default_factory=list)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if isinstance(data, dict) and "agent" not in data:
            rest = dict(data)
            return {
                "shift": rest.pop("shift", None),
                "breaks": rest.pop("breaks", []),
                "agent": rest,
            }
        return data


class Team(BoundaryModel):
    """``size`` agents alike: ids ``<name>-01`` … with the given skills and capacity.

    ``portfolio_size`` gives each member that many customers of their own
    (``<member>-k001`` …); with ``backups`` each member's backup advisor is the next
    member of the team.
    """

    name: Identifier
    size: int = Field(ge=1, le=100_000)
    template: Agent
    shift: Shift | None = None
    breaks: list[Break] = Field(default_factory=list)
    portfolio_size: int = Field(default=0, ge=0)
    backups: bool = False

    @pydantic.model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        if isinstance(data, dict) and "template" not in data:
            rest = dict(data)
            own = {
                key: rest.pop(key)
                for key in ("name", "size", "shift", "breaks", "portfolio_size", "backups")
                if key in rest
            }
            rest.setdefault("id", str(own.get("name", "team")))
            rest.setdefault("team", own.get("name"))
            return {**own, "template": rest}
        return data

    def members(self) -> list[RosterAgent]:
        """The team's agents, with portfolios and backups filled in."""
        width = max(2, len(str(self.size)))
        ids = [f"{self.name}-{index:0{width}d}" for index in range(1, self.size + 1)]
        roster = []
        for position, agent_id in enumerate(ids):
            update: dict[str, Any] = {"id": agent_id, "team": self.name}
            if self.portfolio_size:
                update["portfolio"] = [
                    f"{agent_id}-k{number:03d}" for number in range(1, self.portfolio_size + 1)
                ]
            if self.backups and self.size > 1:
                update["backup_advisor_id"] = ids[(position + 1) % self.size]
            agent = self.template.model_copy(update=update)
            roster.append(RosterAgent(agent=agent, shift=self.shift, breaks=list(self.breaks)))
        return roster


def _compiles(text: str) -> str:
    """A validator: the text is a valid expression (checked when the scenario loads)."""
    try:
        compile_expression(text)
    except ExpressionError as error:
        raise ValueError(f"{error.reason} at column {error.column}") from None
    return text


_Expression = Annotated[str, pydantic.AfterValidator(_compiles)]


class StepSpec(BoundaryModel):
    """A queue step: routing's :class:`~omnirouter.routing.queues.Step` as data."""

    target: _Expression = ""
    timeout: _Positive | None = None
    skip_if_absent: bool = False


class OverflowSpec(BoundaryModel):
    """A queue's overflow rule as data."""

    queue: Identifier
    after: _Positive | None = None
    max_waiting: int | None = Field(default=None, ge=0)


class QueueSpec(BoundaryModel):
    """A queue: routing's :class:`~omnirouter.routing.queues.Queue` as data."""

    name: Identifier
    accepts: _Expression = ""
    steps: list[StepSpec] = Field(default_factory=list)
    overflow: OverflowSpec | None = None
    sticky: bool = False


def _known_selection(name: str) -> str:
    try:
        _selection.resolve(name)
    except ValidationError as error:
        raise ValueError(error.errors[0].message) from None
    return name


class RouterSpec(BoundaryModel):
    """Router options: agent selection and the offer timeout (seconds)."""

    selection: Annotated[str, pydantic.AfterValidator(_known_selection)] = "longest_idle"
    #: At least a millisecond: a shorter timeout would expire the offer at the very
    #: moment it is made.
    offer_timeout: Annotated[float, Field(ge=0.001, allow_inf_nan=False)] | None = None


def _never_called(*args: Any, **kwargs: Any) -> Any:
    return None


#: The host functions a blending condition may call, for checking only (never called).
_CHECK_FUNCTIONS = dict.fromkeys(LIVE_FUNCTIONS, _never_called)


def _condition_reading(roots: frozenset[str]) -> Any:
    """A validator: the text compiles and reads only ``roots`` (as :class:`BlendRule` wants)."""

    def check(text: str) -> str:
        try:
            expression = compile_expression(text, functions=_CHECK_FUNCTIONS)
        except ExpressionError as error:
            raise ValueError(str(error)) from None
        stray = sorted(expression.roots - roots)
        if stray:
            raise ValueError(
                f"reads {', '.join(stray)}; it may read only {', '.join(sorted(roots))}"
            )
        return text

    return pydantic.AfterValidator(check)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_LiveCondition = Annotated[str, _condition_reading(LIVE_ROOTS)]
_AgentCondition = Annotated[str, _condition_reading(AGENT_ROOTS)]
_Channels = Annotated[list[Identifier], pydantic.BeforeValidator(_one_or_many)]


class BlendRuleSpec(BoundaryModel):
    """A ``[[blending]]`` rule: the data :class:`omnirouter.BlendRule` takes.

    ``when``/``until`` read live load (``waiting.voice > 3``), ``agents`` reads the agent
    (``holding.email > 0``); ``offer`` and ``deny`` name channels; ``keep`` and
    ``max_agents`` make the rule a reservation; ``recheck`` is in seconds.
    """

    name: str = Field(min_length=1, max_length=200)
    when: _LiveCondition = ""
    until: _LiveCondition | None = None
    agents: _AgentCondition = ""
    offer: _Channels = Field(default_factory=list)
    deny: _Channels = Field(default_factory=list)
    keep: dict[Identifier, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    max_agents: int | None = Field(default=None, ge=1)
    recheck: _Positive = 5.0

    @pydantic.model_validator(mode="after")
    def _a_rule(self) -> BlendRuleSpec:
        # The rule's own checks that span several fields (offered and denied at once,
        # until without when, neither offer nor deny).
        try:
            self.rule()
        except ValidationError as error:
            raise ValueError(
                "; ".join(f"{detail.location}: {detail.message}" for detail in error.errors)
            ) from None
        return self

    def rule(self) -> BlendRule:
        """The router's rule."""
        return BlendRule(
            self.name,
            when=self.when,
            until=self.until,
            agents=self.agents,
            offer=self.offer,
            deny=self.deny,
            keep=self.keep,
            max_agents=self.max_agents,
            recheck=self.recheck,
        )


def _parse_strategy(text: str, suffix: str, shown: str) -> Any:
    try:
        return tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        # The decoder's message says line and column; it never quotes the text.
        raise ValueError(
            f"the strategy file {shown} is not valid {suffix[1:].upper()}: {error}"
        ) from None


def _strategy_document(value: Any) -> Any:
    """``{file = "strategy.toml"}`` becomes that file's document; inline tables stay."""
    if not isinstance(value, dict) or "file" not in value:
        return value
    if len(value) > 1:
        others = ", ".join(sorted(key for key in value if key != "file"))
        raise ValueError(f"give the strategy either as file or inline, not both (also {others})")
    file = value["file"]
    if not isinstance(file, str | Path):
        raise ValueError("file must be a file name")
    path = Path(file)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ValueError(f"file {path.name}: use a .toml or .json strategy file")
    try:
        text = _files.read_text(path, title="strategy")
    except ValidationError as error:
        raise ValueError(error.errors[0].message) from None
    return _parse_strategy(text, suffix, repr(str(path)))


class WorkloadSource(BoundaryModel):
    """One stream of customers: a channel and reason with its own arrival process.

    Arrivals come from exactly one of ``rate_per_hour`` (constant), ``rates_per_hour``
    (a day curve from ``curve_start`` in steps of ``interval_minutes``, on
    ``weekdays``) or ``replay`` (a CSV log, see :func:`replayed_arrivals`).
    ``patience`` makes customers of synchronous channels hang up; of those,
    ``callback_share`` leave a callback request instead, which arrives on the
    ``callback`` channel after ``callback_delay`` seconds. ``portfolio_share`` of
    the customers are existing customers drawn from the teams' portfolios.
    """

    name: str = ""
    channel: str
    reason: str | None = Field(default=None, max_length=128)
    language: LanguageTag | None = None
    rate_per_hour: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    rates_per_hour: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None
    curve_start: _ClockTime = time(0, 0)
    interval_minutes: _Positive = 60.0
    weekdays: list[_Weekday] = Field(default_factory=lambda: list(_EVERY_DAY))
    replay: Path | None = None
    handle_time: Distribution
    wrap_up: Distribution | None = None
    patience: Distribution | None = None
    callback_share: _Share = 0.0
    callback_delay: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    portfolio_share: _Share = 0.0
    priority: int | None = Field(default=None, ge=-1000, le=1000)
    attributes: Attributes = Field(default_factory=dict)

    @pydantic.model_validator(mode="after")
    def _one_arrival_process(self) -> WorkloadSource:
        given = [
            name
            for name in ("rate_per_hour", "rates_per_hour", "replay")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of rate_per_hour, rates_per_hour or replay"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.rates_per_hour is not None:
            covered = len(self.rates_per_hour) * self.interval_minutes
            if covered > 24 * 60 + 1e-9:
                most = math.floor(24 * 60 / self.interval_minutes + 1e-9)
                raise ValueError(
                    f"rates_per_hour covers {covered / 60:g} h ({len(self.rates_per_hour)} "
                    f"rates of {self.interval_minutes:g} min), more than a day; give at most "
                    f"{most} rates, or a longer interval_minutes"
                )
        if not self.name:
            default = f"{self.channel}:{self.reason}" if self.reason else self.channel
            object.__setattr__(self, "name", default)
        return self


#: The years a scenario may start in; far dates overflow calendar arithmetic.
_YEARS = (1900, 2200)


def _plausible_start(value: datetime) -> datetime:
    if not _YEARS[0] <= value.year <= _YEARS[1]:
        raise ValueError(f"the start must lie between the years {_YEARS[0]} and {_YEARS[1]}")
    return value


Problems = list[tuple[tuple[str | int, ...], str]]


class Scenario(BoundaryModel):
    """Everything one simulation needs: channels, queues, agents, workload, horizon, policy.

    ``warmup_hours`` at the start are simulated but not measured. ``replications``
    independent runs (seeds derived from ``seed``) give the confidence intervals.
    ``priority`` (a :class:`omnirouter.Strategy`), ``service_levels`` (a
    :class:`omnirouter.ServiceLevelPolicy`) and ``blending`` (rules) are the policy the
    router runs with; :meth:`router_options` builds them for a router.
    """

    name: str = "scenario"
    description: str = ""
    start: Annotated[AwareDatetime, pydantic.AfterValidator(_plausible_start)] = (
        datetime.fromisoformat("2024-03-04T08:00:00+00:00")
    )
    horizon_hours: _Positive
    warmup_hours: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0
    replications: int = Field(default=5, ge=1, le=10_000)
    seed: int = 0
    interval_minutes: _Positive = 30.0
    router: RouterSpec = Field(default_factory=RouterSpec)
    channels: list[ChannelTraits] = Field(default_factory=list)
    queues: list[QueueSpec] = Field(default_factory=list)
    teams: list[Team] = Field(default_factory=list)
    agents: list[RosterAgent] = Field(default_factory=list)
    workload: list[WorkloadSource] = Field(min_length=1)
    priority: Annotated[Strategy | None, pydantic.BeforeValidator(_strategy_document)] = None
    service_levels: ServiceLevelPolicy | None = None
    blending: list[BlendRuleSpec] = Field(default_factory=list)

    @pydantic.model_validator(mode="after")
    def _consistent(self, info: pydantic.ValidationInfo) -> Scenario:
        context = info.context if isinstance(info.context, dict) else {}
        limits = context.get("limits", DEFAULT_LIMITS)
        problems = self.limit_problems(limits)
        if problems:  # refuse before the roster (and its portfolios) is built
            _raise(problems)
        registry = self.registry()
        if self.warmup_hours >= self.horizon_hours:
            problems.append((("warmup_hours",), "warmup_hours must be shorter than horizon_hours"))
        for index, source in enumerate(self.workload):
            if source.channel not in registry:
                problems.append(
                    (
                        ("workload", index, "channel"),
                        f"unknown channel {source.channel!r} (add it under [[channels]])",
                    )
                )
        names = [source.name for source in self.workload]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            problems.append(
                (("workload",), f"workload names must be unique: {', '.join(duplicates)}")
            )
        queue_names = [queue.name for queue in self.queues]
        for index, queue in enumerate(self.queues):
            if queue.overflow is not None and queue.overflow.queue not in queue_names:
                problems.append(
                    (
                        ("queues", index, "overflow", "queue"),
                        f"queue {queue.name!r} overflows into unknown queue"
                        f" {queue.overflow.queue!r}",
                    )
                )
        agent_ids = [entry.agent.id for entry in self.roster()]
        clashes = sorted({agent_id for agent_id in agent_ids if agent_ids.count(agent_id) > 1})
        if clashes:
            problems.append(((), f"agent ids must be unique: {', '.join(clashes)}"))
        if not agent_ids:
            problems.append(((), "the scenario has no agents (add [[teams]] or [[agents]])"))
        problems += self._policy_problems(registry)
        if problems:
            _raise(problems)
        return self

    def expected_customers(self) -> float:
        """An upper estimate of the customers one replication offers (replayed logs aside)."""
        hours = self.horizon_hours
        days = math.ceil(hours / 24.0) + 1  # a day curve may reach into the day before
        total = 0.0
        for source in self.workload:
            if source.rate_per_hour is not None:
                total += source.rate_per_hour * hours
            elif source.rates_per_hour is not None:
                per_day = math.fsum(source.rates_per_hour) * source.interval_minutes / 60.0
                total += per_day * days
        return total

    def limit_problems(self, limits: Limits = DEFAULT_LIMITS) -> Problems:
        """Where the scenario exceeds ``limits`` (checked before anything is built)."""
        problems: Problems = []
        if self.horizon_hours > limits.horizon_hours:
            problems.append(
                (
                    ("horizon_hours",),
                    f"{self.horizon_hours:g} h is longer than the limit of "
                    f"{limits.horizon_hours:g} h (Limits.horizon_hours)",
                )
            )
        if self.replications > limits.replications:
            problems.append(
                (
                    ("replications",),
                    f"{self.replications:,} is more than the limit of {limits.replications:,}"
                    " (Limits.replications)",
                )
            )
        expected = self.expected_customers()
        if expected > limits.customers_per_run:
            problems.append(
                (
                    ("workload",),
                    f"about {expected:,.0f} customers per replication, more than the limit of "
                    f"{limits.customers_per_run:,} (Limits.customers_per_run)",
                )
            )
        intervals = self.horizon_hours * 60.0 / self.interval_minutes
        if intervals > limits.intervals_per_run:
            problems.append(
                (
                    ("interval_minutes",),
                    f"{intervals:,.0f} reporting intervals, more than the limit of "
                    f"{limits.intervals_per_run:,} (Limits.intervals_per_run)",
                )
            )
        days = math.ceil(self.horizon_hours / 24.0) + 1
        for index, source in enumerate(self.workload):
            steps = days * len(source.rates_per_hour or ())
            if steps > limits.intervals_per_run:
                problems.append(
                    (
                        ("workload", index, "rates_per_hour"),
                        f"{steps:,} day-curve steps over the horizon, more than the limit of "
                        f"{limits.intervals_per_run:,} (Limits.intervals_per_run)",
                    )
                )
        portfolios = sum(team.size * team.portfolio_size for team in self.teams)
        portfolios += sum(len(entry.agent.portfolio) for entry in self.agents)
        if portfolios > limits.portfolio_customers:
            problems.append(
                (
                    ("teams",),
                    f"{portfolios:,} portfolio customers, more than the limit of "
                    f"{limits.portfolio_customers:,} (Limits.portfolio_customers)",
                )
            )
        return problems

    def lint(self) -> list[ScenarioWarning]:
        """Legal but suspicious settings: each a :class:`omnirouter.ScenarioWarning`.

        :func:`load_scenario` issues them with :func:`warnings.warn`; the command line
        prints them. A workload on a channel no agent serves, or a ``callback_share``
        while no agent takes callbacks, runs — at a service level of 0 %.
        """
        registry = self.registry()
        agents = [team.template for team in self.teams] + [entry.agent for entry in self.agents]
        found: list[ScenarioWarning] = []
        for index, source in enumerate(self.workload):
            if not any(_serves(agent, source.channel, registry) for agent in agents):
                found.append(
                    ScenarioWarning(
                        f"no agent serves channel {source.channel!r} (check the teams' "
                        "capacity and channels): its customers are never answered",
                        ("workload", index, "channel"),
                    )
                )
            if source.callback_share > 0 and not any(
                _serves(agent, "callback", registry) for agent in agents
            ):
                found.append(
                    ScenarioWarning(
                        f"{source.callback_share:g} of the customers who hang up ask for a "
                        "callback, but no agent serves the callback channel (give a team "
                        "callback capacity)",
                        ("workload", index, "callback_share"),
                    )
                )
        return found

    def _policy_problems(self, registry: ChannelRegistry) -> Problems:
        """Channels the policy sections name must exist; the simulator has no contact history."""
        problems: Problems = []

        def unknown(location: tuple[str | int, ...], channel: str) -> None:
            if channel not in registry:
                problems.append(
                    (location, f"unknown channel {channel!r} (add it under [[channels]])")
                )

        if self.service_levels is not None:
            for channel in self.service_levels.targets:
                unknown(("service_levels", "targets", channel), channel)
        for index, rule in enumerate(self.blending):
            for field in ("offer", "deny"):
                for position, channel in enumerate(getattr(rule, field)):
                    unknown(("blending", index, field, position), channel)
            for channel in rule.keep:
                unknown(("blending", index, "keep", channel), channel)
            queue_names = [queue.name for queue in self.queues]
            for field, message in unknown_names(rule.rule(), registry.names(), queue_names):
                problems.append((("blending", index, field), message))
        rule_names = [rule.name for rule in self.blending]
        twice = sorted({name for name in rule_names if rule_names.count(name) > 1})
        if twice:
            problems.append(
                (("blending",), f"blending rule names must be unique: {', '.join(twice)}")
            )
        if self.priority is not None:
            for index, factor in enumerate(self.priority.factors):
                if factor.kind == "repeat_contacts":
                    problems.append(
                        (
                            ("priority", "factors", index, "kind"),
                            "repeat_contacts needs a contact history, which a simulation"
                            " does not keep; leave the factor out of the scenario's strategy",
                        )
                    )
        return problems

    @property
    def horizon_seconds(self) -> float:
        """The horizon in seconds."""
        return self.horizon_hours * 3600.0

    @property
    def warmup_seconds(self) -> float:
        """The warm-up in seconds."""
        return self.warmup_hours * 3600.0

    @property
    def start_epoch(self) -> float:
        """The start as POSIX seconds: the virtual clock's first reading."""
        return self.start.timestamp()

    def registry(self) -> ChannelRegistry:
        """A channel registry with the built-ins plus this scenario's channels."""
        return ChannelRegistry(self.channels)

    def roster(self) -> list[RosterAgent]:
        """Every agent: team members first, then the named agents."""
        members = [member for team in self.teams for member in team.members()]
        return members + list(self.agents)

    def service_level_target(self, channel: str) -> ServiceLevelTarget:
        """The channel's target: the scenario's ``[service_levels]``, else the channel's own."""
        traits = self.registry()[channel]
        if self.service_levels is not None:
            target = self.service_levels.target_for(channel, traits=traits)
            if target is not None:
                return target
        return ServiceLevelTarget(
            threshold=traits.service_level_target, goal=traits.service_level_goal
        )

    def thresholds(self) -> dict[str, float]:
        """Service-level threshold (seconds) of every channel the workload reaches.

        The workload's channels, and ``callback`` when some source leaves callbacks.
        """
        channels = {source.channel for source in self.workload}
        if any(source.callback_share > 0 for source in self.workload):
            channels.add("callback")
        return {
            name: self.service_level_target(name).threshold.total_seconds()
            for name in sorted(channels)
            if name in self.registry()
        }

    def router_options(self, channels: ChannelRegistry | None = None) -> dict[str, Any]:
        """The policy as :class:`omnirouter.Router` keyword arguments.

        ``priority`` is a :class:`omnirouter.PriorityScorer` of the strategy (with the
        roster's portfolios and the scenario's SLA policy as plug-ins), ``sla`` the
        policy, ``blending`` the rules; sections the scenario leaves out are left out.
        """
        registry = channels if channels is not None else self.registry()
        options: dict[str, Any] = {}
        if self.priority is not None:
            options["priority"] = PriorityScorer(
                self.priority,
                portfolio=AgentPortfolios(entry.agent for entry in self.roster()),
                sla=self.service_levels,
                channels=registry,
            )
        if self.service_levels is not None:
            options["sla"] = self.service_levels
        if self.blending:
            options["blending"] = [rule.rule() for rule in self.blending]
        return options

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Scenario:
        """Validate scenario data; the scenario's own ``channels`` are known to every field
        (an agent's capacity may name a channel the scenario adds)."""
        context = dict(context) if isinstance(context, dict) else {}
        if "channels" not in context and isinstance(obj, dict):
            context["channels"] = _registry_of(obj.get("channels"))
        return super().model_validate(
            obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
        )

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with some top-level fields replaced (e.g. ``seed=7``)."""
        data = self.model_dump(mode="python", by_alias=True)
        data.update(changes)
        return Scenario.model_validate(data)

    @classmethod
    def from_toml(
        cls,
        text: str,
        *,
        base: Path | None = None,
        source: str = "scenario",
        limits: Limits = DEFAULT_LIMITS,
        allow_files_outside: bool = False,
    ) -> Scenario:
        """Parse and validate TOML text; relative file paths resolve against ``base``.

        ``extends = "other.toml"`` (relative to ``base``) starts from that scenario:
        every top-level key given here replaces the other file's. Files the scenario
        names must lie in ``base`` (or below) unless ``allow_files_outside``; every
        file, and the scenario itself, must be within ``limits``.
        """
        reader = _Reader(limits, allow_files_outside)
        data = reader.inline_files(_read_toml(text, source), base, source)
        data = reader.extend(data, base, source, seen=())
        scenario = cls.model_validate(data, context={"limits": limits})
        if base is not None:
            problems = scenario._resolve_paths(base, reader)
            if problems:
                raise ValidationError(source, [ErrorDetail(path, msg) for path, msg in problems])
        return scenario

    def _resolve_paths(self, base: Path, reader: _Reader) -> Problems:
        problems: Problems = []
        for index, source in enumerate(self.workload):
            if source.replay is not None:
                where: tuple[str | int, ...] = ("workload", index, "replay")
                try:
                    source.replay = reader.file(source.replay, base, where)
                except ValidationError as error:
                    problems += [(detail.path, detail.message) for detail in error.errors]
            for field in ("handle_time", "wrap_up", "patience"):
                distribution = getattr(source, field)
                file = getattr(distribution, "file", None)
                if file is not None:
                    try:
                        distribution.file = reader.file(file, base, ("workload", index, field))
                    except ValidationError as error:
                        problems += [(detail.path, detail.message) for detail in error.errors]
        return problems


def _registry_of(channels: Any) -> ChannelRegistry:
    """The built-ins plus the channels in raw scenario data (bad entries are left to the
    ``channels`` field's own validation to report)."""
    registry = ChannelRegistry()
    if isinstance(channels, list):
        for item in channels:
            try:
                registry.register(ChannelTraits.model_validate(item), replace=True)
            except (ValidationError, TypeError):
                continue
    return registry


def check_replications(count: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a replication count below 1 or above ``limits.replications``."""
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or not 1 <= count <= limits.replications
    ):
        raise ValidationError(
            "simulate",
            [
                ErrorDetail(
                    ("replications",),
                    f"must be an integer from 1 to {limits.replications:,} (Limits.replications)",
                )
            ],
        )


def _raise(problems: Problems) -> None:
    raise pydantic_core.ValidationError.from_exception_data(
        "Scenario",
        [
            pydantic_core.InitErrorDetails(
                type=pydantic_core.PydanticCustomError(
                    "value_error", "{message}", {"message": message}
                ),
                loc=location,
                input=None,
            )
            for location, message in problems
        ],
    )


def _serves(agent: Agent, channel: str, registry: ChannelRegistry) -> bool:
    """Whether ``agent`` may be given work of ``channel`` at all (channels and capacity)."""
    family = registry.family_of(channel) if channel in registry else channel
    if (
        agent.channels is not None
        and channel not in agent.channels
        and family not in agent.channels
    ):
        return False
    per_channel = agent.capacity.per_channel
    if per_channel:
        return per_channel.get(channel, per_channel.get(family, 0)) > 0
    return True


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message says line and column and never quotes the text.
        raise ValidationError(source, [ErrorDetail((), f"not valid TOML: {error}")]) from None


#: How many scenario files may extend one another in a chain.
_MAX_EXTENDS = 32


class _Reader:
    """Reads the files one scenario names: confined to its folder, within the limits."""

    def __init__(self, limits: Limits, allow_outside: bool) -> None:
        self.limits = limits
        self.allow_outside = allow_outside

    def file(self, name: str | Path, base: Path, where: tuple[str | int, ...]) -> Path:
        """The checked path of a file reference (a regular file, inside ``base``)."""
        path = _files.reference(
            name, base, title="scenario", where=where, allow_outside=self.allow_outside
        )
        _files.check_regular(path, title="scenario", where=where, limits=self.limits)
        return path

    def text(self, path: Path, source: str, where: tuple[str | int, ...]) -> str:
        return _files.read_text(path, title=source, where=where, limits=self.limits)

    def inline_files(self, data: dict[str, Any], base: Path | None, source: str) -> dict[str, Any]:
        """A strategy ``file`` (relative to the scenario that names it) becomes its document."""
        priority = data.get("priority")
        if (
            base is None
            or not isinstance(priority, dict)
            or not isinstance(priority.get("file"), str)
        ):
            return data
        if len(priority) > 1:
            return data  # the model's validator reports "file or inline, not both"
        where = ("priority", "file")
        path = Path(priority["file"])
        suffix = path.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise ValidationError(
                source,
                [ErrorDetail(where, f"file {path.name}: use a .toml or .json strategy file")],
            )
        checked = self.file(path, base, where)
        try:
            document = _parse_strategy(self.text(checked, source, where), suffix, repr(str(path)))
        except ValueError as error:
            raise ValidationError(source, [ErrorDetail(where, str(error))]) from None
        return {**data, "priority": document}

    def extend(
        self, data: dict[str, Any], base: Path | None, source: str, seen: tuple[Path, ...]
    ) -> dict[str, Any]:
        parent = data.pop("extends", None)
        if parent is None:
            return data
        if not isinstance(parent, str):
            raise ValidationError(source, [ErrorDetail(("extends",), "must be a file name")])
        folder = base or Path.cwd()
        path = self.file(parent, folder, ("extends",))
        if path.resolve() in seen:
            raise ValidationError(source, [ErrorDetail(("extends",), f"{parent!r} extends itself")])
        if len(seen) >= _MAX_EXTENDS:
            raise ValidationError(
                source,
                [ErrorDetail(("extends",), f"more than {_MAX_EXTENDS} files extend one another")],
            )
        text = self.text(path, source, ("extends",))
        inherited = self.extend(
            self.inline_files(_read_toml(text, str(path)), path.parent, str(path)),
            path.parent,
            str(path),
            (*seen, path.resolve()),
        )
        return {**inherited, **data}


def load_scenario(
    path: str | Path, *, limits: Limits = DEFAULT_LIMITS, allow_files_outside: bool = False
) -> Scenario:
    """Read and validate a TOML scenario file; errors name the file and every bad field.

    A scenario may ``extends = "other.toml"`` (relative to its own folder) and name a
    priority strategy file; both are read too. Every problem is reported at once, each
    with its field path. Files the scenario names must lie in its folder (or below)
    unless ``allow_files_outside``. Legal but suspicious settings are issued as
    :class:`omnirouter.ScenarioWarning` warnings (see :meth:`Scenario.lint`).

    Raises:
        ValidationError: The file is missing, is not TOML, is too large, names a file
            outside its folder, or a field is invalid; the message names the file and
            every bad field.
    """
    path = Path(path)
    text = _files.read_text(path, title=str(path), limits=limits)
    try:
        scenario = Scenario.from_toml(
            text,
            base=path.parent,
            source=str(path),
            limits=limits,
            allow_files_outside=allow_files_outside,
        )
    except ValidationError as error:
        title = error.title if error.title.startswith(str(path)) else f"{path} ({error.title})"
        raise ValidationError(title, error.errors) from error
    for warning in scenario.lint():
        warnings.warn(warning, stacklevel=2)
    return scenario
