"""The planning day: its intervals, each source's forecast rate, and the scenario to simulate.

The plan covers the scenario's horizon in intervals of ``interval_minutes``. The
scenario every candidate staffing is simulated in differs from the user's in three
ways: no warm-up (the day starts empty, as the centre opens), the KPIs are counted per
planning interval, and the day runs on for a *drain* period without new arrivals, so
that the work of the last intervals is answered (or abandoned) and judged.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.simulation.scenario import Scenario, WorkloadSource
from omnirouter.simulation.workload import RateSegment, day_curve_segments

__all__ = ["Day", "load_forecast", "planning_day"]

#: The plan, its drain and one spare interval must fit in a day: shifts are clock times.
_MAX_HOURS = 24.0
#: The drain never lasts longer than this (an e-mail promised within 24 h is judged
#: on what the day's staff answered by the end of the drain).
_MAX_DRAIN_HOURS = 4.0


@attrs.frozen
class Day:
    """The planning intervals of a scenario and the forecast load in each."""

    start: datetime
    interval_minutes: float
    intervals: int
    drain_hours: float
    #: Workload source name → mean arrivals per hour in each interval.
    rates: dict[str, tuple[float, ...]]
    #: The scenario the candidates are simulated in (without agents).
    template: Scenario

    @property
    def interval_seconds(self) -> float:
        """One interval in seconds."""
        return self.interval_minutes * 60.0

    @property
    def interval_hours(self) -> float:
        """One interval in hours."""
        return self.interval_minutes / 60.0

    def interval_start(self, index: int) -> datetime:
        """When interval ``index`` begins (``index == intervals``: the plan's end)."""
        return self.start + timedelta(minutes=self.interval_minutes * index)


def _segments(source: WorkloadSource, scenario: Scenario) -> list[RateSegment]:
    horizon = scenario.horizon_seconds
    if source.rate_per_hour is not None:
        return [RateSegment(0.0, horizon, source.rate_per_hour / 3600.0)]
    return day_curve_segments(
        scenario.start,
        horizon,
        source.rates_per_hour or [],
        curve_start=source.curve_start,
        interval_minutes=source.interval_minutes,
        weekdays=source.weekdays,
    )


def _interval_rates(segments: list[RateSegment], intervals: int, seconds: float) -> list[float]:
    """Mean arrivals per hour in each interval: the segments integrated over it."""
    rates = []
    for index in range(intervals):
        begin, end = index * seconds, (index + 1) * seconds
        expected = sum(
            segment.rate * max(0.0, min(end, segment.end) - max(begin, segment.start))
            for segment in segments
        )
        rates.append(expected / seconds * 3600.0)
    return rates


def load_forecast(path: str | Path) -> dict[str, list[float]]:
    """Read a forecast CSV: an ``interval`` column (``HH:MM``), then one column per workload.

    Each workload column holds the mean arrivals per hour in each planning interval;
    the rows are the plan's intervals in order. Errors name the file, row and column.
    """
    path = Path(path)
    where = f"forecast {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            where, [ErrorDetail((), f"cannot read the forecast: {error.strerror}")]
        ) from error
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0].strip() != "interval" or len(rows[0]) < 2:
        raise ValidationError(
            where, [ErrorDetail((), "the first row must be: interval, <workload>, ...")]
        )
    names = [name.strip() for name in rows[0][1:]]
    rates: dict[str, list[float]] = {name: [] for name in names}
    problems = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names) + 1:
            problems.append(ErrorDetail((f"row {number}",), f"needs {len(names) + 1} cells"))
            continue
        for name, cell in zip(names, row[1:], strict=True):
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                problems.append(ErrorDetail((f"row {number}", name), "must be a finite rate >= 0"))
            rates[name].append(value)
    if problems:
        raise ValidationError(where, problems)
    return rates


def planning_day(
    scenario: Scenario,
    interval_minutes: float,
    forecast: Mapping[str, Sequence[float]] | None = None,
) -> Day:
    """The day to plan: intervals, forecast rates, and the simulation template.

    ``forecast`` (workload name → arrivals per hour in each interval) replaces those
    workloads' rates; a replayed log can be planned only with a forecast. Refuses,
    naming the field, what planning cannot do: a horizon that does not split into
    whole intervals or does not fit in one day, named ``[[agents]]`` (planning staffs
    ``[[teams]]``), a forecast that names no workload or has the wrong length.
    """
    forecast = dict(forecast or {})
    where = f"planning scenario {scenario.name!r}"
    problems: list[ErrorDetail] = []
    if (
        isinstance(interval_minutes, bool)
        or not isinstance(interval_minutes, int | float)
        or not math.isfinite(interval_minutes)
        or interval_minutes <= 0
    ):
        raise ValidationError(where, [ErrorDetail(("interval_minutes",), "must be > 0")])
    count = scenario.horizon_hours * 60.0 / interval_minutes
    intervals = round(count)
    if intervals < 1 or abs(count - intervals) > 1e-9:
        problems.append(
            ErrorDetail(
                ("interval_minutes",),
                f"the horizon of {scenario.horizon_hours:g} h does not split into whole"
                f" intervals of {interval_minutes:g} minutes",
            )
        )
    names = [source.name for source in scenario.workload]
    for name, values in forecast.items():
        if name not in names:
            problems.append(ErrorDetail(("forecast", name), "names no workload"))
        elif len(values) != intervals or any(
            not math.isfinite(value) or value < 0 for value in values
        ):
            problems.append(
                ErrorDetail(
                    ("forecast", name),
                    f"needs {intervals} finite rates >= 0, one per interval",
                )
            )
    for index, source in enumerate(scenario.workload):
        if source.replay is not None and source.name not in forecast:
            problems.append(
                ErrorDetail(
                    ("workload", index, "replay"),
                    f"workload {source.name!r} replays a log; give its forecast rates",
                )
            )
    if scenario.agents:
        problems.append(
            ErrorDetail(("agents",), "planning staffs [[teams]]; move named agents into teams")
        )
    if not scenario.teams:
        problems.append(ErrorDetail(("teams",), "planning needs at least one team"))
    drain = _drain_hours(scenario)
    if scenario.horizon_hours + drain + interval_minutes / 60.0 > _MAX_HOURS:
        problems.append(
            ErrorDetail(
                ("horizon_hours",),
                f"a plan covers at most one day: {scenario.horizon_hours:g} h plus"
                f" {drain:g} h to finish the day's work is too long",
            )
        )
    if problems:
        raise ValidationError(where, problems)
    seconds = interval_minutes * 60.0
    rates = {
        source.name: tuple(float(value) for value in forecast[source.name])
        if source.name in forecast
        else tuple(_interval_rates(_segments(source, scenario), intervals, seconds))
        for source in scenario.workload
    }
    return Day(
        start=scenario.start,
        interval_minutes=float(interval_minutes),
        intervals=intervals,
        drain_hours=drain,
        rates=rates,
        template=_template(scenario, interval_minutes, rates, drain),
    )


def _drain_hours(scenario: Scenario) -> float:
    """Long enough for the slowest promise (or patience) to be judged, within a cap."""
    longest = 0.0
    channels = {source.channel for source in scenario.workload}
    if any(source.callback_share > 0 for source in scenario.workload):
        channels.add("callback")
    for channel in channels:
        longest = max(longest, scenario.service_level_target(channel).threshold.total_seconds())
    hours = math.ceil(longest / 900.0) / 4.0  # whole quarter hours
    return min(_MAX_DRAIN_HOURS, max(0.25, hours))


def _template(
    scenario: Scenario, interval_minutes: float, rates: dict[str, tuple[float, ...]], drain: float
) -> Scenario:
    """The user's scenario, re-timed for planning, its forecasts as plain day curves."""
    workload = []
    for source in scenario.workload:
        # The forecast per planning interval, then nothing during the drain.
        curve = [*rates[source.name], *([0.0] * math.ceil(drain * 60.0 / interval_minutes))]
        workload.append(
            source.model_copy(
                update={
                    "replay": None,
                    "rate_per_hour": None,
                    "rates_per_hour": curve,
                    "curve_start": scenario.start.timetz().replace(tzinfo=None),
                    "interval_minutes": float(interval_minutes),
                    "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                }
            )
        )
    changes: dict[str, Any] = {
        "horizon_hours": scenario.horizon_hours + drain,
        "warmup_hours": 0.0,
        "interval_minutes": float(interval_minutes),
        "workload": workload,
    }
    return scenario.model_copy(update=changes)
