"""Quiet hours: local-time windows in the contact's time zone, plus a business calendar.

A window such as 21:00–08:00 is read on the contact's wall clock (``Contact.timezone``,
else the configured default zone), so it keeps meaning "nine in the evening" across
daylight-saving changes. A business calendar (any object with ``is_open(at)``, such
as the service-level calendar) adds "only while we are open".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import attrs

from omnirouter.errors import OmnirouterError
from omnirouter.model import Contact
from omnirouter.outbound._checks import bad_argument, require_zone
from omnirouter.outbound.decision import Refusal, Rule

__all__ = ["LocalWindow", "QuietHours", "SupportsIsOpen"]

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@runtime_checkable
class SupportsIsOpen(Protocol):
    """Any business calendar: ``is_open(at)`` for a time-zone-aware ``at``.

    A calendar that also has ``next_open(at) -> datetime`` (as
    :class:`omnirouter.BusinessCalendar` does) lets a refusal say when it reopens.
    """

    def is_open(self, at: datetime) -> bool:
        """True while the business is open at ``at``."""
        ...


def _weekdays(value: Iterable[int] | None) -> frozenset[int] | None:
    return None if value is None else frozenset(value)


def _names(value: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(value, str):
        raise bad_argument("QuietHours", "channels", "give a collection of names, not one string")
    return None if value is None else frozenset(value)


def _windows(value: Iterable[LocalWindow]) -> tuple[LocalWindow, ...]:
    return tuple(value)


def _purposes(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise bad_argument(
            "QuietHours", "exempt_purposes", "give a collection of purposes, not one string"
        )
    return frozenset(value)


@attrs.frozen
class LocalWindow:
    """A quiet window on the local wall clock, from ``start`` up to (not incl.) ``end``.

    ``start`` after ``end`` wraps past midnight (21:00–08:00). ``weekdays``
    (0 = Monday … 6 = Sunday) restricts the days the window *starts* on; ``None``
    means every day.
    """

    start: time
    end: time
    weekdays: frozenset[int] | None = attrs.field(default=None, converter=_weekdays)

    def __attrs_post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time):
                raise bad_argument("LocalWindow", name, f"expected a datetime.time, got {value!r}")
            if value.tzinfo is not None:
                raise bad_argument(
                    "LocalWindow", name, "give a wall-clock time without tzinfo", value
                )
        if self.start == self.end:
            raise bad_argument("LocalWindow", "end", "start and end are equal: an empty window")
        if self.weekdays is not None and (
            not self.weekdays or not self.weekdays <= frozenset(range(7))
        ):
            raise bad_argument(
                "LocalWindow", "weekdays", "weekdays must be a non-empty subset of 0..6"
            )

    def _on(self, day: datetime) -> bool:
        return self.weekdays is None or day.weekday() in self.weekdays

    def end_if_inside(self, wall: datetime) -> datetime | None:
        """The wall-clock end of the window if ``wall`` (naive local time) lies inside it."""
        moment = wall.time()
        midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.start < self.end:
            if self.start <= moment < self.end and self._on(wall):
                return datetime.combine(midnight.date(), self.end)
            return None
        if moment >= self.start and self._on(wall):
            return datetime.combine((midnight + timedelta(days=1)).date(), self.end)
        if moment < self.end and self._on(midnight - timedelta(days=1)):
            return datetime.combine(midnight.date(), self.end)
        return None

    def describe(self) -> str:
        """E.g. ``21:00–08:00`` or ``13:00–15:00 Sat,Sun``."""
        text = f"{self.start:%H:%M}–{self.end:%H:%M}"
        if self.weekdays is not None:
            text += " " + ",".join(_WEEKDAY_NAMES[day] for day in sorted(self.weekdays))
        return text


@attrs.frozen
class QuietHours:
    """When outbound contact must wait: local ``windows`` and an optional ``calendar``.

    ``channels`` limits the rule to some channels (``None``: all); purposes in
    ``exempt_purposes`` (by default alerts and verification codes the customer is
    waiting for) ignore it. ``default_timezone`` is used for contacts without one.

    >>> quiet = QuietHours.between(time(21), time(8), default_timezone="Europe/Berlin")
    >>> quiet.windows[0].describe()
    '21:00–08:00'
    """

    windows: tuple[LocalWindow, ...] = attrs.field(converter=_windows)
    default_timezone: str = "UTC"
    channels: frozenset[str] | None = attrs.field(default=None, converter=_names)
    exempt_purposes: frozenset[str] = attrs.field(
        default=frozenset({"alert", "verification"}), converter=_purposes
    )
    calendar: SupportsIsOpen | None = None

    def __attrs_post_init__(self) -> None:
        for index, window in enumerate(self.windows):
            if not isinstance(window, LocalWindow):
                raise bad_argument(
                    "QuietHours", f"windows.{index}", f"expected a LocalWindow, got {window!r}"
                )
        require_zone(self.default_timezone, "default_timezone", "QuietHours")
        if self.calendar is not None and not isinstance(self.calendar, SupportsIsOpen):
            raise bad_argument(
                "QuietHours", "calendar", "a calendar needs an is_open(at) method", self.calendar
            )

    @classmethod
    def between(
        cls,
        start: time,
        end: time,
        *,
        weekdays: Iterable[int] | None = None,
        default_timezone: str = "UTC",
        channels: Iterable[str] | None = None,
        calendar: SupportsIsOpen | None = None,
    ) -> QuietHours:
        """Quiet hours made of one window, e.g. ``between(time(21), time(8))``."""
        return cls(
            windows=(LocalWindow(start, end, _weekdays(weekdays)),),
            default_timezone=default_timezone,
            channels=_names(channels),
            calendar=calendar,
        )

    def applies_to(self, channel: str, purpose: str) -> bool:
        """True when the rule governs ``channel`` for ``purpose``."""
        if purpose in self.exempt_purposes:
            return False
        return self.channels is None or channel in self.channels

    def zone_of(self, contact: Contact) -> ZoneInfo:
        """The contact's own time zone, else the default zone."""
        return ZoneInfo(contact.timezone or self.default_timezone)

    def check(self, contact: Contact, at: datetime) -> list[Refusal]:
        """What keeps ``contact`` quiet at ``at`` (empty: nothing does)."""
        refusals: list[Refusal] = []
        zone = self.zone_of(contact)
        local = at.astimezone(zone)
        wall = local.replace(tzinfo=None)
        hits = [(w, end) for w in self.windows if (end := w.end_if_inside(wall)) is not None]
        if hits:
            window = hits[0][0]
            refusals.append(
                Refusal(
                    Rule.QUIET_HOURS,
                    f"quiet hours {window.describe()} in {zone.key}: "
                    f"it is {local:%a %H:%M %Z} there",
                    retry_at=self._quiet_until(wall, zone, at),
                )
            )
        if self.calendar is not None and not self.calendar.is_open(at):
            reopens = self._next_open(at)
            when = "" if reopens is None else f"; it opens at {reopens.isoformat()}"
            refusals.append(
                Refusal(
                    Rule.CALENDAR_CLOSED,
                    f"the business calendar is closed at {at.isoformat()}{when}",
                    retry_at=None if reopens is None else reopens.astimezone(UTC),
                )
            )
        return refusals

    def _next_open(self, at: datetime) -> datetime | None:
        # next_open is optional: calendars that have it (BusinessCalendar does) tell
        # when the refusal lifts; a calendar without any opening ahead cannot.
        next_open = getattr(self.calendar, "next_open", None)
        if not callable(next_open):
            return None
        try:
            reopens = next_open(at)
        except OmnirouterError:
            return None
        if not isinstance(reopens, datetime) or reopens.tzinfo is None or not reopens > at:
            return None
        return reopens

    def _quiet_until(self, wall: datetime, zone: ZoneInfo, at: datetime) -> datetime | None:
        # Windows may touch or overlap: follow them until a moment outside all of them.
        moment = wall
        for _ in range(len(self.windows) * 8 + 1):
            ends = [end for w in self.windows if (end := w.end_if_inside(moment)) is not None]
            if not ends:
                instant = first_instant_at(moment, zone, after=at)
                return instant if instant > at else None
            moment = max(ends)
        return None


def first_instant_at(wall: datetime, zone: ZoneInfo, *, after: datetime) -> datetime:
    """The first instant (in UTC) after ``after`` at which ``zone``'s wall clock shows ``wall``.

    A wall time repeated when clocks go back is met twice: the first pass after
    ``after`` counts. One skipped when clocks go forward is passed at the moment of
    the change (02:30 on the spring change in Berlin: 03:00 CEST), found by bisection
    between the two readings.
    """
    low, high = sorted(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    if low == high or _wall(low, zone) == wall:
        return low if low > after else high
    second = timedelta(seconds=1)
    while high - low > second:
        middle = low + (high - low) / 2
        if _wall(middle, zone) >= wall:
            high = middle
        else:
            low = middle
    return high


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)
