"""Scenarios are files: a TOML document, validated by pydantic, describes one run.

See ``docs/simulation.md`` for a walk through every section. Times inside a scenario
are seconds unless a field name says otherwise (``horizon_hours``,
``interval_minutes``); clock times of day are ``"HH:MM"`` strings in the time zone of
``start``.
"""

from __future__ import annotations

import tomllib
from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import AwareDatetime, Field

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model import Agent, ChannelRegistry, ChannelTraits
from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import Attributes, Identifier, LanguageTag
from omnirouter.simulation.distributions import Distribution

__all__ = [
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
    """A daily break: the agent is away from ``start`` for ``minutes``."""

    start: _ClockTime
    minutes: _Positive


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


class StepSpec(BoundaryModel):
    """A queue step: routing's :class:`~omnirouter.routing.queues.Step` as data."""

    target: str = ""
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
    accepts: str = ""
    steps: list[StepSpec] = Field(default_factory=list)
    overflow: OverflowSpec | None = None
    sticky: bool = False


class RouterSpec(BoundaryModel):
    """Router options: agent selection and the offer timeout (seconds)."""

    selection: str = "longest_idle"
    offer_timeout: _Positive | None = None


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
        if not self.name:
            default = f"{self.channel}:{self.reason}" if self.reason else self.channel
            object.__setattr__(self, "name", default)
        return self


class Scenario(BoundaryModel):
    """Everything one simulation needs: channels, queues, agents, workload, horizon.

    ``warmup_hours`` at the start are simulated but not measured. ``replications``
    independent runs (seeds derived from ``seed``) give the confidence intervals.
    """

    name: str = "scenario"
    description: str = ""
    start: AwareDatetime = datetime.fromisoformat("2024-03-04T08:00:00+00:00")
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

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> Scenario:
        registry = self.registry()
        problems: list[str] = []
        if self.warmup_hours >= self.horizon_hours:
            problems.append("warmup_hours must be shorter than horizon_hours")
        for index, source in enumerate(self.workload):
            if source.channel not in registry:
                problems.append(
                    f"workload.{index}.channel: unknown channel {source.channel!r}"
                    " (add it under [[channels]])"
                )
        names = [source.name for source in self.workload]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            problems.append(f"workload names must be unique: {', '.join(duplicates)}")
        queue_names = [queue.name for queue in self.queues]
        for queue in self.queues:
            if queue.overflow is not None and queue.overflow.queue not in queue_names:
                problems.append(
                    f"queue {queue.name!r} overflows into unknown queue {queue.overflow.queue!r}"
                )
        agent_ids = [entry.agent.id for entry in self.roster()]
        clashes = sorted({agent_id for agent_id in agent_ids if agent_ids.count(agent_id) > 1})
        if clashes:
            problems.append(f"agent ids must be unique: {', '.join(clashes)}")
        if not agent_ids:
            problems.append("the scenario has no agents (add [[teams]] or [[agents]])")
        if problems:
            raise ValueError("; ".join(problems))
        return self

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

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with some top-level fields replaced (e.g. ``seed=7``)."""
        data = self.model_dump(mode="python", by_alias=True)
        data.update(changes)
        return Scenario.model_validate(data)

    @classmethod
    def from_toml(
        cls, text: str, *, base: Path | None = None, source: str = "scenario"
    ) -> Scenario:
        """Parse and validate TOML text; relative file paths resolve against ``base``.

        ``extends = "other.toml"`` (relative to ``base``) starts from that scenario:
        every top-level key given here replaces the other file's.
        """
        data = _read_toml(text, source)
        data = _extend(data, base, source, seen=())
        scenario = cls.model_validate(data)
        if base is not None:
            scenario._resolve_paths(base)
        return scenario

    def _resolve_paths(self, base: Path) -> None:
        for source in self.workload:
            if source.replay is not None and not source.replay.is_absolute():
                source.replay = base / source.replay
            for distribution in (source.handle_time, source.wrap_up, source.patience):
                file = getattr(distribution, "file", None)
                if file is not None and not file.is_absolute():
                    distribution.file = base / file  # type: ignore[union-attr]


def _read_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(source, [ErrorDetail((), f"not valid TOML: {error}")]) from error


def _extend(
    data: dict[str, Any], base: Path | None, source: str, seen: tuple[Path, ...]
) -> dict[str, Any]:
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ValidationError(source, [ErrorDetail(("extends",), "must be a file name")])
    path = (base or Path.cwd()) / parent
    if path.resolve() in seen:
        raise ValidationError(source, [ErrorDetail(("extends",), f"{parent!r} extends itself")])
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            source, [ErrorDetail(("extends",), f"cannot read {path}: {error.strerror}")]
        ) from error
    inherited = _extend(
        _read_toml(text, str(path)), path.parent, str(path), (*seen, path.resolve())
    )
    return {**inherited, **data}


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a TOML scenario file; errors name the file and every bad field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            str(path), [ErrorDetail((), f"cannot read the scenario: {error.strerror}")]
        ) from error
    try:
        return Scenario.from_toml(text, base=path.parent, source=str(path))
    except ValidationError as error:
        raise ValidationError(f"{path} ({error.title})", error.errors) from error
