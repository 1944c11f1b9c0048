"""Shifts: how many agents of each group work each shift template, at least cost.

:func:`schedule_shifts` covers a :class:`~omnirouter.planning.StaffingPlan` with shift
templates (start, length, breaks, cost) by a mixed-integer programme solved by SciPy's
HiGHS (``scipy.optimize.milp``, the ``omnirouter[planning]`` extra), then simulates
the roster itself with independent replications, since the roster is not the plan:
it over-covers some intervals and its breaks fall where the templates put them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import attrs
import pydantic
from pydantic import Field

from omnirouter.errors import ErrorDetail, OmnirouterError, ValidationError
from omnirouter.model._base import BoundaryModel
from omnirouter.planning._evaluate import Evaluator
from omnirouter.planning._forecast import Day, planning_day
from omnirouter.planning._groups import Group, skill_groups
from omnirouter.planning.plan import IntervalKPI, PlanCost, PlanProgress, StaffingPlan, kpis_of
from omnirouter.simulation._parallel import executor_for
from omnirouter.simulation.scenario import Break, RosterAgent, Shift

__all__ = ["Roster", "ShiftTemplate", "load_shifts", "schedule_shifts"]


def _clock_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a clock time like '08:30'") from None
    return value


class ShiftTemplate(BoundaryModel):
    """A shift agents may be given: start (clock time), length, breaks, cost.

    ``cost`` is per agent and shift; without it a shift costs its hours times the
    group's hourly cost. ``groups`` limits which groups may work it (default: all).
    """

    name: str = Field(min_length=1, max_length=100)
    start: Annotated[time, pydantic.BeforeValidator(_clock_time)]
    hours: Annotated[float, Field(gt=0, le=16, allow_inf_nan=False)]
    breaks: list[Break] = Field(default_factory=list)
    cost: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    groups: list[str] | None = None

    def times(self, day: datetime) -> tuple[datetime, datetime, list[tuple[datetime, datetime]]]:
        """(begin, end, breaks) of the shift worked on the day of ``day``."""
        begin = datetime.combine(day.date(), self.start, tzinfo=day.tzinfo)
        if begin < day:  # a start before the plan's start is on the next day
            begin += timedelta(days=1)
        end = begin + timedelta(hours=self.hours)
        pauses = []
        for pause in self.breaks:
            at = datetime.combine(begin.date(), pause.start, tzinfo=day.tzinfo)
            if at < begin:
                at += timedelta(days=1)
            pauses.append((at, at + timedelta(minutes=pause.minutes)))
        return begin, end, pauses


class _ShiftFile(BoundaryModel):
    shifts: list[ShiftTemplate] = Field(min_length=1)


def load_shifts(path: str | Path) -> list[ShiftTemplate]:
    """Read ``[[shifts]]`` templates from a TOML file; errors name the file and field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValidationError(
            str(path), [ErrorDetail((), f"cannot read the shifts: {error.strerror}")]
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ValidationError(str(path), [ErrorDetail((), f"not valid TOML: {error}")]) from error
    try:
        return _ShiftFile.model_validate(data).shifts
    except ValidationError as error:
        raise ValidationError(f"{path} ({error.title})", error.errors) from error


@attrs.frozen
class Roster:
    """Agents per shift template and group, the staffing they give, and its verified KPIs.

    ``assignments[shift][group]`` agents work ``shift``; ``agents[i][g]`` is how many
    of group ``g`` are on duty (not on a break) in interval ``i``, as a share of the
    interval. ``kpis`` come from simulating the roster itself.
    """

    plan: StaffingPlan
    shifts: tuple[ShiftTemplate, ...]
    assignments: Mapping[str, Mapping[str, int]]
    agents: tuple[tuple[float, ...], ...]
    kpis: tuple[IntervalKPI, ...]
    money: float
    paid_hours: float

    @property
    def cost(self) -> PlanCost:
        """Hours on duty (breaks excluded), paid shift hours, and the shifts' cost."""
        hours = self.plan.interval_minutes / 60.0
        on_duty = sum(sum(row) for row in self.agents) * hours
        return PlanCost(on_duty, self.paid_hours, self.money)

    @property
    def unmet(self) -> list[IntervalKPI]:
        """Every (interval, channel) whose target the roster's verification did not meet."""
        return [kpi for kpi in self.kpis if not kpi.met]

    def rows(self) -> list[dict[str, Any]]:
        """One row per shift template: its times and agents per group."""
        rows = []
        for shift in self.shifts:
            row: dict[str, Any] = {
                "shift": shift.name,
                "start": shift.start.strftime("%H:%M"),
                "hours": shift.hours,
            }
            for group in self.plan.groups:
                row[group] = self.assignments[shift.name].get(group, 0)
            rows.append(row)
        return rows

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame`` of :meth:`rows` (needs ``omnirouter[notebook]``)."""
        from omnirouter.planning._plots import dataframe

        return dataframe(self.rows(), "shift")

    def table(self) -> str:
        """The roster as text: agents per shift and group, cost and verification."""
        head = ["shift", "start", "hours", *self.plan.groups]
        rows = [head] + [
            [str(value) if not isinstance(value, float) else f"{value:g}" for value in row.values()]
            for row in self.rows()
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(head))]
        lines = [
            "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
            for row in rows
        ]
        cost = self.cost
        lines.append(
            f"paid hours {cost.paid_hours:g}, on duty {cost.agent_hours:.1f} (plan"
            f" {self.plan.cost.agent_hours:g}), cost {self.money:,.2f}"
        )
        unmet = self.unmet
        lines.append(
            f"{len(unmet)} interval/channel target(s) missed by the roster in verification"
            if unmet
            else "every target met by the roster in verification"
        )
        return "\n".join(lines)


def _coverage(shift: ShiftTemplate, day: Day) -> list[float]:
    """The share of each interval the shift is on duty (not on a break)."""
    begin, end, pauses = shift.times(day.start)
    shares = []
    for index in range(day.intervals):
        low, high = day.interval_start(index), day.interval_start(index + 1)
        worked = _overlap(begin, end, low, high)
        for pause_begin, pause_end in pauses:
            worked -= _overlap(max(begin, pause_begin), min(end, pause_end), low, high)
        shares.append(max(0.0, worked) / (high - low).total_seconds())
    return shares


def _overlap(a: datetime, b: datetime, low: datetime, high: datetime) -> float:
    return max(0.0, (min(b, high) - max(a, low)).total_seconds())


def _solve(
    need: Sequence[Sequence[int]],
    cover: Sequence[Sequence[float]],
    costs: Sequence[Sequence[float]],
    allowed: Sequence[Sequence[bool]],
) -> list[list[int]]:
    """Agents per (shift, group): the least cost covering ``need`` in every interval."""
    try:
        import numpy
        from scipy.optimize import Bounds, LinearConstraint, milp
    except ImportError as error:
        raise OmnirouterError(
            "scipy is needed for shift scheduling; install it with "
            "pip install 'omnirouter[planning]'"
        ) from error
    shifts, groups, intervals = len(cover), len(need[0]), len(need)
    variables = shifts * groups
    objective = numpy.array([costs[s][g] for s in range(shifts) for g in range(groups)])
    matrix = numpy.zeros((intervals * groups, variables))
    lower = numpy.zeros(intervals * groups)
    for index in range(intervals):
        for group in range(groups):
            row = index * groups + group
            lower[row] = need[index][group]
            for shift in range(shifts):
                matrix[row, shift * groups + group] = cover[shift][index]
    upper_bounds = numpy.array(
        [numpy.inf if allowed[s][g] else 0.0 for s in range(shifts) for g in range(groups)]
    )
    result = milp(
        objective,
        constraints=LinearConstraint(matrix, lower, numpy.inf),
        integrality=numpy.ones(variables),
        bounds=Bounds(numpy.zeros(variables), upper_bounds),
    )
    if result.x is None:
        raise OmnirouterError(f"the shift templates cannot cover the plan: {result.message}")
    values = [round(float(value)) for value in result.x]
    return [[values[s * groups + g] for g in range(groups)] for s in range(shifts)]


def _check(plan: StaffingPlan, shifts: Sequence[ShiftTemplate], cover: list[list[float]]) -> None:
    problems = []
    names = [shift.name for shift in shifts]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        problems.append(ErrorDetail(("shifts",), f"shift names must be unique: {', '.join(twice)}"))
    for shift in shifts:
        for group in shift.groups or []:
            if group not in plan.groups:
                problems.append(
                    ErrorDetail(("shifts", shift.name, "groups"), f"no group {group!r}")
                )
    for group_index, group in enumerate(plan.groups):
        for index, row in enumerate(plan.agents):
            if row[group_index] > 0 and not any(
                cover[position][index] > 0 and (shift.groups is None or group in shift.groups)
                for position, shift in enumerate(shifts)
            ):
                problems.append(
                    ErrorDetail(
                        ("shifts",),
                        f"no shift covers group {group!r} at"
                        f" {plan.intervals[index].strftime('%H:%M')}",
                    )
                )
                break
    if problems:
        raise ValidationError("schedule_shifts", problems)


def schedule_shifts(
    plan: StaffingPlan,
    shifts: Sequence[ShiftTemplate | Mapping[str, Any]],
    executor: Executor | None = None,
    *,
    workers: int | None = None,
    replications: int | None = None,
    progress: PlanProgress | None = None,
) -> Roster:
    """Agents per shift template and group covering ``plan`` at least cost, re-verified.

    ``shifts`` are :class:`ShiftTemplate` objects or plain mappings with the same
    fields. Every interval's agents of each group must be covered (a break's share of
    an interval does not count); the roster is then simulated with
    ``replications`` (default: the plan's verification count) independent
    replications, through ``executor`` or ``workers`` as for
    :func:`~omnirouter.planning.plan_staffing`.
    """
    templates = [
        shift if isinstance(shift, ShiftTemplate) else ShiftTemplate.model_validate(dict(shift))
        for shift in shifts
    ]
    if not templates:
        raise ValidationError("schedule_shifts", [ErrorDetail(("shifts",), "give at least one")])
    scenario = plan.scenario
    day = planning_day(scenario, plan.interval_minutes, plan.forecast)
    groups = tuple(skill_groups(scenario, plan.hourly_cost))
    cover = [_coverage(shift, day) for shift in templates]
    _check(plan, templates, cover)
    costs = [
        [
            shift.cost if shift.cost is not None else shift.hours * group.hourly_cost
            for group in groups
        ]
        for shift in templates
    ]
    allowed = [
        [shift.groups is None or group.name in shift.groups for group in groups]
        for shift in templates
    ]
    counts = _solve(plan.agents, cover, costs, allowed)
    assignments = {
        shift.name: {group.name: counts[s][g] for g, group in enumerate(groups)}
        for s, shift in enumerate(templates)
    }
    on_duty = tuple(
        tuple(
            sum(cover[s][index] * counts[s][g] for s in range(len(templates)))
            for g in range(len(groups))
        )
        for index in range(day.intervals)
    )
    agents = _roster_agents(day, groups, templates, counts)
    verify = replications if replications is not None else plan.verification_replications
    with executor_for(executor, workers, default_workers=None, where="schedule_shifts") as pool:
        evaluator = Evaluator(day.template, groups, dict(plan.goals), pool, progress)
        (outcome,) = evaluator.run_roster(
            [agents], day.intervals, verify, plan.seed, "roster", first=10_000
        )
    money = sum(
        costs[s][g] * counts[s][g] for s in range(len(templates)) for g in range(len(groups))
    )
    paid = sum(
        templates[s].hours * counts[s][g] for s in range(len(templates)) for g in range(len(groups))
    )
    return Roster(
        plan=plan,
        shifts=tuple(templates),
        assignments=assignments,
        agents=on_duty,
        kpis=kpis_of(outcome, day),
        money=money,
        paid_hours=paid,
    )


def _roster_agents(
    day: Day, groups: Sequence[Group], templates: Sequence[ShiftTemplate], counts: list[list[int]]
) -> list[RosterAgent]:
    """The rostered agents as the simulator takes them; named team members first.

    A shift still running at the plan's end runs on to the end of the simulated day,
    as the plan's last staff do, so the day's work is finished.
    """
    plan_end = day.interval_start(day.intervals)
    horizon_end = day.start + timedelta(hours=day.template.horizon_hours)
    agents: list[RosterAgent] = []
    for g, group in enumerate(groups):
        named = group.team.members()
        number = 0
        for s, shift in enumerate(templates):
            begin, end, _ = shift.times(day.start)
            if end >= plan_end:
                end = max(end, horizon_end)
            hours = Shift(start=begin.timetz().replace(tzinfo=None), end=_clock(end))
            for _ in range(counts[s][g]):
                number += 1
                if number <= len(named):
                    entry = named[number - 1]
                else:
                    extra = group.team.template.model_copy(
                        update={"id": f"{group.name}-x{number:03d}", "team": group.name}
                    )
                    entry = RosterAgent(agent=extra)
                agents.append(
                    entry.model_copy(update={"shift": hours, "breaks": list(shift.breaks)})
                )
        # The team's remaining members exist (their customers do) but never work.
        for entry in named[number:]:
            off = Shift(start=_clock(horizon_end), end=_clock(horizon_end + timedelta(minutes=30)))
            agents.append(entry.model_copy(update={"shift": off, "breaks": []}))
    return agents


def _clock(moment: datetime) -> time:
    return moment.timetz().replace(tzinfo=None)
