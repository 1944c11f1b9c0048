"""Quiet hours on the contact's local clock (incl. DST changes) and the business calendar."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outbound_factories import person, utc

import omnirouter as om
from omnirouter.outbound import LocalWindow, OutboundPolicy, QuietHours, Rule, may_contact

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = OutboundPolicy(quiet_hours=QuietHours.between(time(21), time(8)))


def quiet(
    at: datetime, policy: OutboundPolicy = NIGHT, **fields: object
) -> om.outbound.Refusal | None:
    contact = person("c-1", **({"timezone": "Europe/Berlin"} | fields))
    decision = may_contact(contact, "sms", "status", at, policy=policy)
    hits = [r for r in decision.refusals if r.rule is Rule.QUIET_HOURS]
    return hits[0] if hits else None


# Europe/Berlin 2024: CET→CEST on Sun 31 March at 01:00 UTC, CEST→CET on Sun 27 October
# at 01:00 UTC. Each case would be answered wrongly by a window fixed in UTC offsets.
@pytest.mark.parametrize(
    ("at", "is_quiet", "local"),
    [
        (utc(2024, 3, 30, 6, 30), True, "07:30 CET"),  # Saturday before the change
        (utc(2024, 3, 31, 5, 30), True, "07:30 CEST"),  # same UTC offset a day later: quiet
        (utc(2024, 3, 31, 6, 30), False, "08:30 CEST"),  # one hour earlier in UTC than Sat
        (utc(2024, 3, 30, 19, 30), False, "20:30 CET"),
        (utc(2024, 3, 31, 19, 30), True, "21:30 CEST"),
        (utc(2024, 3, 31, 18, 30), False, "20:30 CEST"),
        (utc(2024, 10, 26, 6, 30), False, "08:30 CEST"),  # Saturday before the change back
        (utc(2024, 10, 27, 6, 30), True, "07:30 CET"),
        (utc(2024, 10, 27, 7, 0), False, "08:00 CET"),
        (utc(2024, 10, 26, 19, 30), True, "21:30 CEST"),
        (utc(2024, 10, 27, 19, 30), False, "20:30 CET"),
    ],
)
def test_quiet_hours_follow_the_local_clock_across_dst(
    at: datetime, is_quiet: bool, local: str
) -> None:
    refusal = quiet(at)
    assert (refusal is not None) is is_quiet
    if refusal is not None:
        assert local in refusal.message
        assert "Europe/Berlin" in refusal.message


def test_retry_at_is_eight_in_the_morning_local_across_the_spring_change() -> None:
    refusal = quiet(utc(2024, 3, 30, 21, 30))  # 22:30 CET on Saturday
    assert refusal is not None
    assert refusal.retry_at == utc(2024, 3, 31, 6, 0)  # 08:00 CEST: a night of 8.5 h
    assert refusal.retry_at is not None
    assert refusal.retry_at.astimezone(BERLIN).hour == 8


def test_retry_at_is_eight_in_the_morning_local_across_the_autumn_change() -> None:
    refusal = quiet(utc(2024, 10, 26, 21, 0))  # 23:00 CEST on Saturday
    assert refusal is not None
    assert refusal.retry_at == utc(2024, 10, 27, 7, 0)  # 08:00 CET: a night of 10 h


def test_window_ending_in_the_skipped_hour_ends_with_the_gap() -> None:
    policy = OutboundPolicy(quiet_hours=QuietHours.between(time(0), time(2, 30)))
    refusal = quiet(utc(2024, 3, 31, 0, 30), policy)  # 01:30 CET
    assert refusal is not None
    assert refusal.retry_at == utc(2024, 3, 31, 1, 0)  # 02:30 does not exist: 03:00 CEST
    assert quiet(utc(2024, 3, 31, 1, 0), policy) is None


def test_both_passes_of_the_repeated_hour_are_quiet() -> None:
    policy = OutboundPolicy(quiet_hours=QuietHours.between(time(2), time(2, 30)))
    assert quiet(utc(2024, 10, 27, 0, 15), policy) is not None  # 02:15 CEST
    assert quiet(utc(2024, 10, 27, 1, 15), policy) is not None  # 02:15 CET
    assert quiet(utc(2024, 10, 27, 0, 45), policy) is None  # 02:45 CEST


_CHANGES = (utc(2024, 3, 31, 1), utc(2024, 10, 27, 1))  # Berlin's DST changes in 2024
_ANY_TIME_IN_2024 = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2025, 1, 1), timezones=st.just(UTC)
)
_NEAR_A_CHANGE = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(_CHANGES),
    st.integers(min_value=-18 * 60, max_value=18 * 60),
)


@settings(max_examples=300, deadline=None)
@given(
    at=st.one_of(_ANY_TIME_IN_2024, _NEAR_A_CHANGE),
    start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    hours=st.integers(min_value=1, max_value=23),
)
def test_retry_at_is_the_first_moment_outside_the_window(
    at: datetime, start: time, hours: int
) -> None:
    end = (datetime.combine(datetime(2024, 1, 1), start) + timedelta(hours=hours)).time()
    policy = OutboundPolicy(quiet_hours=QuietHours.between(start, end))
    refusal = quiet(at, policy)
    wall = at.astimezone(BERLIN).time()
    inside = start <= wall < end if start < end else wall >= start or wall < end
    assert (refusal is not None) is inside
    if refusal is not None:
        assert refusal.retry_at is not None
        assert refusal.retry_at > at
        assert quiet(refusal.retry_at, policy) is None
        just_before = refusal.retry_at - timedelta(minutes=1)
        if just_before > at:
            assert quiet(just_before, policy) is not None


def test_weekday_windows_and_windows_past_midnight() -> None:
    friday_night = LocalWindow(time(22), time(6), weekdays={4})
    weekend_lunch = LocalWindow(time(13), time(15), weekdays={5, 6})
    policy = OutboundPolicy(
        quiet_hours=QuietHours(windows=[friday_night, weekend_lunch], default_timezone="UTC")
    )
    contact = person("c-1")  # no time zone: the default zone (UTC) applies

    def refused(at: datetime) -> bool:
        return not may_contact(contact, "voice", "status", at, policy=policy)

    assert refused(utc(2024, 6, 7, 23))  # Friday 23:00
    assert refused(utc(2024, 6, 8, 3))  # Saturday 03:00, still Friday night
    assert not refused(utc(2024, 6, 9, 3))  # Sunday 03:00
    assert not refused(utc(2024, 6, 6, 23))  # Thursday 23:00
    assert refused(utc(2024, 6, 9, 14))  # Sunday lunch
    assert not refused(utc(2024, 6, 10, 14))  # Monday lunch
    assert friday_night.describe() == "22:00–06:00 Fri"


def test_the_contacts_own_zone_wins_over_the_default() -> None:
    policy = OutboundPolicy(
        quiet_hours=QuietHours.between(time(21), time(8), default_timezone="Europe/Berlin")
    )
    at = utc(2024, 6, 3, 12)  # 14:00 in Berlin, 08:00 in New York, 21:00 in Tokyo
    assert may_contact(person("b"), "sms", "status", at, policy=policy)
    assert may_contact(person("n", timezone="America/New_York"), "sms", "status", at, policy=policy)
    tokyo = may_contact(person("t", timezone="Asia/Tokyo"), "sms", "status", at, policy=policy)
    assert tokyo.rules == (Rule.QUIET_HOURS,)


def test_exempt_purposes_and_channel_scope() -> None:
    policy = OutboundPolicy(
        quiet_hours=QuietHours.between(time(21), time(8), channels={"sms", "voice"})
    )
    night = utc(2024, 6, 3, 23)
    contact = person("c-1", timezone="Europe/Berlin")
    assert may_contact(contact, "sms", "status", night, policy=policy).rule is Rule.QUIET_HOURS
    assert may_contact(contact, "sms", "alert", night, policy=policy).allowed
    assert may_contact(contact, "sms", "verification", night, policy=policy).allowed
    assert may_contact(contact, "email", "status", night, policy=policy).allowed


class OfficeHours:
    """A calendar with only is_open: weekdays 08:00–18:00 UTC."""

    def is_open(self, at: datetime) -> bool:
        moment = at.astimezone(UTC)
        return moment.weekday() < 5 and 8 <= moment.hour < 18


def test_any_object_with_is_open_serves_as_business_calendar() -> None:
    policy = OutboundPolicy(quiet_hours=QuietHours(windows=(), calendar=OfficeHours()))
    contact = person("c-1")
    assert may_contact(contact, "callback", "callback", utc(2024, 6, 3, 9), policy=policy)
    closed = may_contact(contact, "callback", "callback", utc(2024, 6, 8, 9), policy=policy)
    assert closed.rules == (Rule.CALENDAR_CLOSED,)
    assert closed.refusals[0].retry_at is None  # is_open alone cannot tell when
    assert closed.retry_at is None


def test_business_calendar_tells_when_it_reopens() -> None:
    office = om.BusinessCalendar(timezone="Europe/Berlin", hours={"mon-fri": ["08:00-18:00"]})
    policy = OutboundPolicy(quiet_hours=QuietHours(windows=(), calendar=office))
    saturday = utc(2024, 6, 8, 9)
    decision = may_contact(person("c-1"), "callback", "callback", saturday, policy=policy)
    assert decision.rules == (Rule.CALENDAR_CLOSED,)
    assert decision.retry_at == utc(2024, 6, 10, 6)  # Monday 08:00 CEST
    assert decision.retry_at is not None
    assert decision.retry_at.tzinfo is UTC  # a UTC instant, as for quiet hours
    assert "opens at 2024-06-10T08:00:00+02:00" in decision.refusals[0].message


def test_quiet_hours_and_calendar_refuse_together() -> None:
    quiet_hours = QuietHours.between(time(21), time(8), calendar=OfficeHours())
    policy = OutboundPolicy(quiet_hours=quiet_hours)
    decision = may_contact(person("c-1"), "voice", "status", utc(2024, 6, 8, 22), policy=policy)
    assert decision.rules == (Rule.QUIET_HOURS, Rule.CALENDAR_CLOSED)
    explanation = decision.explain()
    assert "quiet_hours" in explanation
    assert "calendar_closed" in explanation


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: LocalWindow(time(8), time(8)), "end"),
        (lambda: LocalWindow(time(8, tzinfo=UTC), time(9)), "start"),
        (lambda: LocalWindow(time(8), time(9), weekdays={7}), "weekdays"),
        (lambda: LocalWindow("08:00", time(9)), "start"),  # type: ignore[arg-type]
        (
            lambda: QuietHours.between(time(21), time(8), default_timezone="Mars/Base"),
            "default_timezone",
        ),
        (lambda: QuietHours(windows=(), calendar=object()), "calendar"),  # type: ignore[arg-type]
        (lambda: QuietHours(windows=["21-8"]), "windows.0"),  # type: ignore[list-item]
        (lambda: QuietHours(windows=(), channels="sms"), "channels"),
    ],
)
def test_bad_quiet_hours_are_typed_errors(build: object, field: str) -> None:
    with pytest.raises(om.ValidationError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.fields == [field]


def test_unknown_channel_in_quiet_hours_is_reported_on_use() -> None:
    policy = OutboundPolicy(quiet_hours=QuietHours.between(time(21), time(8), channels={"smss"}))
    with pytest.raises(om.UnknownChannelError, match="smss"):
        may_contact(person(), "sms", "status", utc(2024, 6, 3), policy=policy)
