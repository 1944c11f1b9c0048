"""Arrival processes: Poisson with piecewise-constant rates, or replayed from a CSV log.

Both are lazy iterators of arrival times in seconds from the scenario start, so a
day of a million arrivals never sits in memory.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, time, timedelta
from pathlib import Path

import attrs
from dateutil import parser as date_parser

from omnirouter import _files
from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "WEEKDAYS",
    "RateSegment",
    "ReplayedArrival",
    "day_curve_segments",
    "poisson_arrivals",
    "replayed_arrivals",
]

#: The longest handle time or patience a log may give: ten years, in seconds.
_MAX_SECONDS = 10 * 365 * 24 * 3600.0

#: Weekday names as scenarios spell them, Monday first (``datetime.weekday()`` order).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@attrs.frozen(slots=True)
class RateSegment:
    """Arrivals at ``rate`` per second from ``start`` to ``end`` (seconds from the start)."""

    start: float
    end: float
    rate: float


def poisson_arrivals(
    segments: Sequence[RateSegment], rng: random.Random, origin: float = 0.0
) -> Iterator[float]:
    """Arrival times of a Poisson process whose rate is constant within each segment.

    Exact, not thinned: the exponential gap is drawn at the current rate, and a gap
    that crosses a segment's end restarts at that end with the next rate (the
    process is memoryless, so that is the same process). Times are seconds from the
    start plus ``origin`` (the simulator passes the start's epoch seconds); the gaps
    add up from the start either way, so ``origin`` moves every time by exactly it.
    """
    uniform = rng.random
    log = math.log
    for segment in segments:
        rate = segment.rate
        if rate <= 0:
            continue
        now = segment.start
        end = segment.end
        while True:
            # rng.expovariate(rate), inline: the same draw without the call.
            now += -log(1.0 - uniform()) / rate
            if now >= end:
                break
            yield origin + now


def day_curve_segments(
    start: datetime,
    horizon_seconds: float,
    rates_per_hour: Sequence[float],
    *,
    curve_start: time = time(0, 0),
    interval_minutes: float = 60.0,
    weekdays: Sequence[str] = WEEKDAYS,
    scale: float = 1.0,
) -> list[RateSegment]:
    """The rate segments of a day curve repeated on ``weekdays`` over the horizon.

    ``rates_per_hour[i]`` holds from ``curve_start + i·interval`` (local time of the
    scenario's ``start``) for one interval; outside the curve and on other weekdays
    the rate is 0. Segments are clipped to ``[0, horizon_seconds)``.
    """
    if start.tzinfo is None:
        raise ValueError("start must carry a time zone")
    days = {WEEKDAYS.index(day) for day in weekdays}
    interval = timedelta(minutes=interval_minutes)
    start_epoch = start.timestamp()
    segments: list[RateSegment] = []
    day = start.date() - timedelta(days=1)  # a curve may run past midnight into the start day
    last_day = (start + timedelta(seconds=horizon_seconds)).date()
    while day <= last_day:
        if day.weekday() in days:
            opening = datetime.combine(day, curve_start, tzinfo=start.tzinfo)
            for index, per_hour in enumerate(rates_per_hour):
                begin = (opening + index * interval).timestamp() - start_epoch
                end = (opening + (index + 1) * interval).timestamp() - start_epoch
                begin, end = max(begin, 0.0), min(end, horizon_seconds)
                if end > begin and per_hour > 0:
                    segments.append(RateSegment(begin, end, per_hour * scale / 3600.0))
        day += timedelta(days=1)
    return segments


@attrs.frozen(slots=True)
class ReplayedArrival:
    """One row of an arrival log: when, and the handle time and patience if logged."""

    at: float
    handle_seconds: float | None
    patience_seconds: float | None


def _cell_seconds(row: dict[str, str], column: str, where: tuple[str | int, ...]) -> float | None:
    cell = (row.get(column) or "").strip()
    if not cell:
        return None
    try:
        value = float(cell)
    except ValueError:
        raise ValidationError(
            "arrival log", [ErrorDetail((*where, column), "is not a number of seconds")]
        ) from None
    if not math.isfinite(value) or not 0 <= value <= _MAX_SECONDS:
        raise ValidationError(
            "arrival log",
            [ErrorDetail((*where, column), f"must be from 0 to {_MAX_SECONDS:g} seconds")],
        )
    return value


def replayed_arrivals(
    path: Path, start: datetime, horizon_seconds: float, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ReplayedArrival]:
    """Arrivals read lazily from a CSV log with a header row.

    Column ``at`` holds an ISO 8601 date-time with time zone, or seconds from the
    scenario start; optional columns ``handle_seconds`` and ``patience_seconds``
    override the scenario's distributions for that customer. Rows must be in time
    order; rows before the start or at/after the horizon are skipped.
    """
    start_epoch = start.timestamp()
    name = path.name
    _files.check_regular(path, title="arrival log", where=(name,), limits=limits)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ValidationError(
            "arrival log", [ErrorDetail((name,), f"cannot read {path}: {error.strerror}")]
        ) from error
    with handle, _files.csv_field_limit(limits):
        reader = csv.DictReader(handle)
        try:
            yield from _replay_rows(reader, name, start_epoch, horizon_seconds)
        except UnicodeDecodeError:
            raise ValidationError(
                "arrival log",
                [ErrorDetail((name, reader.line_num + 1), "is not UTF-8 text; save it as UTF-8")],
            ) from None
        except csv.Error:
            raise ValidationError(
                "arrival log",
                [
                    ErrorDetail(
                        (name, reader.line_num),
                        "is not valid CSV (or a field is longer than Limits.field_chars)",
                    )
                ],
            ) from None


def _replay_rows(
    reader: csv.DictReader[str], name: str, start_epoch: float, horizon_seconds: float
) -> Iterator[ReplayedArrival]:
    if reader.fieldnames is None or "at" not in reader.fieldnames:
        raise ValidationError(
            "arrival log", [ErrorDetail((name,), "the header must name an 'at' column")]
        )
    previous = -math.inf
    for number, row in enumerate(reader, start=2):
        where: tuple[str | int, ...] = (name, number)
        cell = (row.get("at") or "").strip()
        at = _parse_at(cell, start_epoch, where)
        if at < previous:
            raise ValidationError(
                "arrival log",
                [ErrorDetail((*where, "at"), "is earlier than the row before")],
            )
        previous = at
        if at < 0:
            continue
        if at >= horizon_seconds:
            return
        yield ReplayedArrival(
            at,
            _cell_seconds(row, "handle_seconds", where),
            _cell_seconds(row, "patience_seconds", where),
        )


def _parse_at(cell: str, start_epoch: float, where: tuple[str | int, ...]) -> float:
    try:
        seconds = float(cell)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValidationError(
                "arrival log", [ErrorDetail((*where, "at"), "must be a finite number of seconds")]
            )
        return seconds
    try:
        moment = date_parser.isoparse(cell)
    except (ValueError, OverflowError):
        raise ValidationError(
            "arrival log",
            [ErrorDetail((*where, "at"), "is neither seconds nor an ISO date-time")],
        ) from None
    if moment.tzinfo is None:
        raise ValidationError(
            "arrival log",
            [ErrorDetail((*where, "at"), "has no time zone (add e.g. +01:00)")],
        )
    try:
        return moment.timestamp() - start_epoch
    except (ValueError, OverflowError):
        raise ValidationError(
            "arrival log", [ErrorDetail((*where, "at"), "is a date-time out of range")]
        ) from None
