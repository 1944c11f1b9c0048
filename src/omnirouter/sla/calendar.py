"""Business calendars: opening hours per weekday, public holidays, time zones, exceptions.

A :class:`BusinessCalendar` is data (a pydantic model: dict, JSON or TOML in) and answers
two questions in *elapsed* time: "when is ``duration`` of business time after ``start``?"
and "how much business time lies between ``a`` and ``b``?". Opening hours are wall-clock
times in the calendar's time zone; business time is counted in real seconds, so a day
with a daylight-saving change is exactly as long as it really is.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, Final
from zoneinfo import ZoneInfo

import pydantic
from dateutil.rrule import rrule, rrulestr
from pydantic import Field, PrivateAttr

from omnirouter.errors import CalendarError, ErrorDetail, ValidationError
from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import TimeZoneName

__all__ = ["WEEKDAYS", "BusinessCalendar", "CalendarException", "Holiday"]

#: Weekday keys of :attr:`BusinessCalendar.hours`, Monday first (as ``date.weekday()``).
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAY_SECONDS: Final = 86_400
# How far ahead add_business_time looks for opening hours before giving up: ten years
# covers any real target while still ending for a calendar that never opens again.
_SEARCH_DAYS: Final = 3_660
_RULE_START: Final = datetime(1900, 1, 1)

#: (start, end) minutes of the day, end exclusive, 0 <= start < end <= 1440.
MinuteRange = tuple[int, int]


def _parse_range(text: str) -> MinuteRange:
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an opening range like '08:00-18:00'")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError(f"{text!r} has an impossible time of day")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(f"{text!r} ends before it starts (ranges may not cross midnight)")
    return start, end


def _check_ranges(ranges: list[str]) -> list[str]:
    parsed = sorted(_parse_range(text) for text in ranges)
    for (_, end), (start, _) in itertools.pairwise(parsed):
        if start < end:
            raise ValueError(f"opening ranges overlap: {ranges}")
    return [f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in parsed]


def _expand_day_key(key: str) -> list[str]:
    """``"mon-fri"`` → the five keys; ``"sat"`` → ``["sat"]``."""
    lowered = key.strip().lower()
    if "-" in lowered:
        first, _, last = lowered.partition("-")
        if first in WEEKDAYS and last in WEEKDAYS:
            i, j = WEEKDAYS.index(first), WEEKDAYS.index(last)
            if i <= j:
                return list(WEEKDAYS[i : j + 1])
    if lowered in WEEKDAYS:
        return [lowered]
    raise ValueError(f"{key!r} is not a weekday (mon … sun) or a range such as 'mon-fri'")


class Holiday(BoundaryModel):
    """A day (or run of days) the calendar is closed.

    Give either ``date`` (one day, or through ``until`` inclusive, e.g. a closure
    between Christmas and New Year that spans a weekend) or ``rule``, an iCalendar
    RRULE read by dateutil: ``"FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3"`` for a fixed date
    every year, ``"FREQ=YEARLY;BYEASTER=1"`` for Easter Monday.

    Raises:
        ValidationError: Both or neither of ``date`` and ``rule`` are given, ``until``
            comes before ``date``, or the rule does not parse.

    Example:
        >>> import omnirouter as om
        >>> unity = om.Holiday(name="Day of German Unity",
        ...                    rule="FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3")
        >>> office = om.BusinessCalendar(timezone="Europe/Berlin",
        ...                              hours={"mon-fri": ["09:00-17:00"]},
        ...                              holidays=[unity])
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> office.is_open(datetime(2024, 10, 3, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))
        False
    """

    model_config = pydantic.ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    date: _dt.date | None = None
    until: _dt.date | None = None
    rule: str | None = Field(default=None, min_length=1, max_length=1000)

    @pydantic.field_validator("rule")
    @classmethod
    def _rule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                _compile_rule(value)
            except (ValueError, TypeError) as error:
                raise ValueError(f"not a valid RRULE ({error})") from None
        return value

    @pydantic.model_validator(mode="after")
    def _one_kind(self) -> Holiday:
        if (self.date is None) == (self.rule is None):
            raise ValueError("give exactly one of 'date' and 'rule'")
        if self.until is not None:
            if self.date is None:
                raise ValueError("'until' needs 'date' (a rule repeats by itself)")
            if self.until < self.date:
                raise ValueError("'until' is before 'date'")
        return self

    def dates_in(self, year: int) -> list[_dt.date]:
        """Every closed day of this holiday that falls in ``year``."""
        if self.rule is not None:
            occurrences = _compile_rule(self.rule).between(
                datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59), inc=True
            )
            return [occurrence.date() for occurrence in occurrences]
        assert self.date is not None
        last = self.until or self.date
        days = (last - self.date).days
        every = (self.date + timedelta(days=offset) for offset in range(days + 1))
        return [day for day in every if day.year == year]


def _compile_rule(text: str) -> rrule:
    has_start = "DTSTART" in text.upper()
    compiled = rrulestr(text) if has_start else rrulestr(text, dtstart=_RULE_START)
    if not isinstance(compiled, rrule):
        raise ValueError("give one RRULE, not a set")
    return compiled


class CalendarException(BoundaryModel):
    """One date with its own opening hours, overriding weekday hours and holidays.

    ``hours=[]`` closes the day (a company event); a list opens it (Christmas Eve
    ``["08:00-12:00"]``, or a Saturday opened for a campaign).
    """

    model_config = pydantic.ConfigDict(frozen=True)

    date: _dt.date
    hours: list[str] = Field(default_factory=list)
    name: str = ""

    @pydantic.field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: list[str]) -> list[str]:
        return _check_ranges(value)


class BusinessCalendar(BoundaryModel):
    """Opening hours per weekday in one time zone, minus holidays, with exceptions.

    ``hours`` maps weekdays (``mon`` … ``sun``, or ranges such as ``mon-fri``) to
    opening ranges (``"08:00-18:00"``; ``"00:00-24:00"`` is the whole day). A weekday
    not listed is closed.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> office = BusinessCalendar(timezone="Europe/Berlin", hours={"mon-fri": ["08:00-18:00"]})
    >>> office.add_business_time(datetime(2024, 5, 3, 16, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    ...                          timedelta(hours=8)).isoformat()
    '2024-05-06T14:30:00+02:00'
    """

    model_config = pydantic.ConfigDict(frozen=True)

    timezone: TimeZoneName = "UTC"
    hours: dict[str, list[str]] = Field(default_factory=dict)
    holidays: list[Holiday] = Field(default_factory=list)
    exceptions: list[CalendarException] = Field(default_factory=list)

    _zone: ZoneInfo = PrivateAttr()
    _weekly: tuple[tuple[MinuteRange, ...], ...] = PrivateAttr()
    _exceptions: dict[date, tuple[MinuteRange, ...]] = PrivateAttr()
    _holiday_years: dict[int, frozenset[date]] = PrivateAttr(default_factory=dict)
    _day_cache: dict[date, tuple[tuple[float, float], ...]] = PrivateAttr(default_factory=dict)

    #: The whole day, every day: business time equals elapsed time.
    ALWAYS_OPEN: ClassVar[Mapping[str, list[str]]] = {"mon-sun": ["00:00-24:00"]}

    @pydantic.field_validator("hours", mode="before")
    @classmethod
    def _expand_keys(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        expanded: dict[str, Any] = {}
        for key, ranges in value.items():
            if not isinstance(key, str):
                raise ValueError(f"weekday keys are strings, not {key!r}")
            if isinstance(ranges, str):
                ranges = [ranges]
            for day in _expand_day_key(key):
                if day in expanded:
                    raise ValueError(f"weekday {day!r} is given twice")
                expanded[day] = ranges
        return {day: expanded[day] for day in WEEKDAYS if day in expanded}

    @pydantic.field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        checked = {day: _check_ranges(ranges) for day, ranges in value.items()}
        if not any(checked.values()):
            raise ValueError("a calendar needs opening hours on at least one weekday")
        return checked

    @pydantic.field_validator("exceptions")
    @classmethod
    def _one_exception_per_date(cls, value: list[CalendarException]) -> list[CalendarException]:
        seen: set[date] = set()
        for exception in value:
            if exception.date in seen:
                raise ValueError(f"two exceptions for {exception.date.isoformat()}")
            seen.add(exception.date)
        return value

    def model_post_init(self, context: Any, /) -> None:
        """Compile the opening hours once; every query reads only the compiled form."""
        self._zone = ZoneInfo(self.timezone)
        self._weekly = tuple(
            tuple(_parse_range(text) for text in self.hours.get(day, [])) for day in WEEKDAYS
        )
        self._exceptions = {
            exc.date: tuple(_parse_range(text) for text in exc.hours) for exc in self.exceptions
        }

    def __eq__(self, other: object) -> bool:
        # Compare the data only: the private caches depend on which days were queried.
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A calendar open around the clock: business time is calendar time."""
        return cls(timezone=timezone, hours=dict(cls.ALWAYS_OPEN))

    # -- conversions --------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._zone

    def to_datetime(self, epoch: float) -> datetime:
        """POSIX epoch seconds (the router's clock) → an aware datetime in this zone."""
        return datetime.fromtimestamp(epoch, tz=self._zone)

    @staticmethod
    def to_epoch(moment: datetime | float, *, field: str = "moment") -> float:
        """An aware datetime (or epoch seconds, passed through) → POSIX epoch seconds."""
        if isinstance(moment, datetime):
            if moment.tzinfo is None:
                raise ValidationError(
                    "BusinessCalendar",
                    [ErrorDetail([field], "naive datetime: give a time zone")],
                )
            return moment.timestamp()
        return float(moment)

    # -- queries ------------------------------------------------------------------------

    def is_holiday(self, day: date) -> bool:
        """True when ``day`` is a holiday (exceptions are not considered)."""
        return day in self._holidays_of(day.year)

    def opening_ranges(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open periods of one local date, as aware datetimes."""
        return [(self.to_datetime(a), self.to_datetime(b)) for a, b in self._open_periods(day)]

    def is_open(self, moment: datetime | float) -> bool:
        """True when the calendar is open at ``moment``."""
        epoch = self.to_epoch(moment)
        day = datetime.fromtimestamp(epoch, tz=self._zone).date()
        return any(a <= epoch < b for a, b in self._open_periods(day))

    def next_open(self, moment: datetime | float) -> datetime:
        """``moment`` itself if open, else the start of the next opening period."""
        return self.to_datetime(self.add_business_seconds(self.to_epoch(moment), 0.0))

    def add_business_time(self, start: datetime | float, duration: timedelta | float) -> datetime:
        """The moment when ``duration`` of business time has passed after ``start``.

        ``duration`` is a timedelta or seconds. The answer is in this calendar's zone.
        Work arriving while closed starts counting at the next opening; a deadline
        that falls exactly on a closing time stays there (Friday 18:00, not Monday).
        """
        seconds = duration.total_seconds() if isinstance(duration, timedelta) else duration
        epoch = self.to_epoch(start, field="start")
        return self.to_datetime(self.add_business_seconds(epoch, seconds))

    def add_business_seconds(self, start: float, seconds: float) -> float:
        """:meth:`add_business_time` on epoch seconds (the router's time), for hot paths."""
        if not seconds >= 0.0:  # also refuses NaN
            raise ValidationError(
                "BusinessCalendar.add_business_time",
                [ErrorDetail(["duration"], f"must be >= 0 seconds, got {seconds}")],
            )
        remaining = seconds
        day = datetime.fromtimestamp(start, tz=self._zone).date()
        for _ in range(_SEARCH_DAYS):
            for period_start, period_end in self._open_periods(day):
                if period_end <= start:
                    continue
                begin = max(period_start, start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise CalendarError(
            f"no {seconds:g} s of opening hours within {_SEARCH_DAYS} days after "
            f"{self.to_datetime(start).isoformat()}: is the calendar closed for good?"
        )

    def business_time_between(self, a: datetime | float, b: datetime | float) -> timedelta:
        """The business time from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        return timedelta(seconds=self.business_seconds_between(a, b))

    def business_seconds_between(self, a: datetime | float, b: datetime | float) -> float:
        """:meth:`business_time_between` in seconds."""
        start, end = self.to_epoch(a, field="a"), self.to_epoch(b, field="b")
        if end < start:
            return -self.business_seconds_between(end, start)
        total = 0.0
        day = datetime.fromtimestamp(start, tz=self._zone).date()
        last = datetime.fromtimestamp(end, tz=self._zone).date()
        while day <= last:
            for period_start, period_end in self._open_periods(day):
                overlap = min(period_end, end) - max(period_start, start)
                if overlap > 0:
                    total += overlap
            day += timedelta(days=1)
        return total

    # -- internals ----------------------------------------------------------------------

    def _holidays_of(self, year: int) -> frozenset[date]:
        cached = self._holiday_years.get(year)
        if cached is None:
            cached = frozenset(day for holiday in self.holidays for day in holiday.dates_in(year))
            self._holiday_years[year] = cached
        return cached

    def _open_periods(self, day: date) -> tuple[tuple[float, float], ...]:
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        ranges = self._exceptions.get(day)
        if ranges is None:
            ranges = () if self.is_holiday(day) else self._weekly[day.weekday()]
        periods = tuple(
            (self._local_epoch(day, start), self._local_epoch(day, end)) for start, end in ranges
        )
        self._day_cache[day] = periods
        return periods

    def _local_epoch(self, day: date, minute: int) -> float:
        if minute >= 1440:
            day, minute = day + timedelta(days=1), minute - 1440
        local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self._zone)
        return local.timestamp()
