"""Business calendars: opening hours, holidays (rules), DST, exceptions, errors."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.sla import BusinessCalendar, CalendarException, Holiday, german_holidays

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


def office(**extra: object) -> BusinessCalendar:
    return BusinessCalendar(timezone="Europe/Berlin", hours={"mon-fri": ["08:00-18:00"]}, **extra)


def test_acceptance_friday_email_with_monday_holiday_is_due_tuesday() -> None:
    calendar = office(holidays=[Holiday(name="Pfingstmontag", date=date(2024, 5, 20))])
    due = calendar.add_business_time(berlin(2024, 5, 17, 16, 30), timedelta(hours=8))
    assert due == berlin(2024, 5, 21, 14, 30)
    assert due.weekday() == 1
    assert calendar.business_time_between(berlin(2024, 5, 17, 16, 30), due) == timedelta(hours=8)


def test_easter_holidays_span_the_weekend_and_the_dst_change() -> None:
    # 2024: Good Friday 29 March, clocks go forward Sunday 31 March, Easter Monday 1 April.
    calendar = office(holidays=german_holidays())
    due = calendar.add_business_time(berlin(2024, 3, 28, 16, 0), timedelta(hours=4))
    assert due == berlin(2024, 4, 2, 10, 0)
    assert due.utcoffset() == timedelta(hours=2)
    assert calendar.business_time_between(berlin(2024, 3, 28, 12), berlin(2024, 4, 2, 12)) == (
        timedelta(hours=10)
    )


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, {date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 9), date(2024, 5, 20)}),
        (2025, {date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 29), date(2025, 6, 9)}),
    ],
)
def test_easter_based_rules_move_with_easter(year: int, expected: set[date]) -> None:
    calendar = office(holidays=german_holidays())
    assert all(calendar.is_holiday(day) for day in expected)
    assert calendar.is_holiday(date(year, 10, 3))
    assert not calendar.is_holiday(date(year, 8, 15))


def test_state_holidays_include_rule_based_wednesday() -> None:
    saxony = office(holidays=german_holidays("DE-SN"))
    assert saxony.is_holiday(date(2024, 11, 20))  # Buß- und Bettag 2024
    assert saxony.is_holiday(date(2023, 11, 22))
    assert not office(holidays=german_holidays()).is_holiday(date(2024, 11, 20))
    with pytest.raises(om.ValidationError, match="state"):
        german_holidays("XX")


def test_spring_forward_day_is_23_hours_of_round_the_clock_business() -> None:
    calendar = BusinessCalendar.always_open("Europe/Berlin")
    start = berlin(2024, 3, 30, 12)
    assert calendar.business_time_between(start, berlin(2024, 3, 31, 12)) == timedelta(hours=23)
    assert calendar.add_business_time(start, timedelta(hours=24)) == berlin(2024, 3, 31, 13)


def test_fall_back_day_is_25_hours() -> None:
    calendar = BusinessCalendar.always_open("Europe/Berlin")
    elapsed = calendar.business_time_between(berlin(2024, 10, 26, 12), berlin(2024, 10, 27, 12))
    assert elapsed == timedelta(hours=25)


def test_night_shift_hours_through_the_dst_gap_count_real_time() -> None:
    calendar = BusinessCalendar(timezone="Europe/Berlin", hours={"sun": ["01:00-04:00"]})
    # 01:00–04:00 local on 31 March 2024 is only two real hours (02:00 does not exist).
    assert calendar.business_time_between(berlin(2024, 3, 31, 0), berlin(2024, 3, 31, 5)) == (
        timedelta(hours=2)
    )
    assert calendar.business_time_between(berlin(2024, 10, 27, 0), berlin(2024, 10, 27, 5)) == (
        timedelta(hours=4)
    )


def test_weekend_dst_change_leaves_office_hours_alone() -> None:
    calendar = office()
    due = calendar.add_business_time(berlin(2024, 3, 29, 17), timedelta(hours=2))
    assert due == berlin(2024, 4, 1, 9)


def test_closure_spanning_the_weekend_and_new_year() -> None:
    closure = Holiday(name="Betriebsferien", date=date(2024, 12, 24), until=date(2025, 1, 1))
    calendar = office(holidays=[closure])
    due = calendar.add_business_time(berlin(2024, 12, 23, 17), timedelta(hours=2))
    assert due == berlin(2025, 1, 2, 9)
    assert closure.dates_in(2025) == [date(2025, 1, 1)]


def test_exceptions_override_hours_and_holidays() -> None:
    calendar = office(
        holidays=german_holidays(),
        exceptions=[
            CalendarException(date=date(2024, 12, 24), hours=["08:00-12:00"], name="Heiligabend"),
            CalendarException(date=date(2024, 12, 26), hours=["10:00-14:00"]),
            CalendarException(date=date(2024, 12, 27), hours=[]),
        ],
    )
    due = calendar.add_business_time(berlin(2024, 12, 24, 11), timedelta(hours=3))
    # 1 h on the 24th, 25th closed, 2 h from 10:00 on the 26th.
    assert due == berlin(2024, 12, 26, 12)
    assert not calendar.is_open(berlin(2024, 12, 27, 10))
    assert calendar.is_open(berlin(2024, 12, 26, 13, 59))


def test_deadline_on_closing_time_stays_there_and_closed_start_waits_for_opening() -> None:
    calendar = office()
    assert calendar.add_business_time(berlin(2024, 5, 3, 17), 3600) == berlin(2024, 5, 3, 18)
    assert calendar.add_business_time(berlin(2024, 5, 4, 10), 0) == berlin(2024, 5, 6, 8)
    assert calendar.next_open(berlin(2024, 5, 6, 9)) == berlin(2024, 5, 6, 9)


def test_split_shifts_and_time_zones() -> None:
    calendar = BusinessCalendar(
        timezone="America/New_York", hours={"mon-fri": ["09:00-12:00", "13:00-17:00"]}
    )
    start = datetime(2024, 5, 6, 11, tzinfo=ZoneInfo("America/New_York"))
    due = calendar.add_business_time(start, timedelta(hours=2))
    assert due.hour == 14
    assert due.tzinfo == ZoneInfo("America/New_York")
    assert calendar.add_business_time(start.astimezone(BERLIN), 7200) == due


def test_epoch_conversions_round_trip() -> None:
    calendar = office()
    moment = berlin(2024, 7, 1, 9, 15)
    epoch = calendar.to_epoch(moment)
    assert calendar.to_datetime(epoch) == moment
    assert calendar.add_business_seconds(epoch, 900.0) == calendar.to_epoch(
        calendar.add_business_time(moment, timedelta(minutes=15))
    )


def test_calendar_round_trips_as_json() -> None:
    calendar = office(
        holidays=german_holidays("BY"),
        exceptions=[CalendarException(date=date(2024, 12, 24), hours=["08:00-12:00"])],
    )
    again = BusinessCalendar.model_validate_json(calendar.model_dump_json())
    assert again == calendar
    assert again.hours["wed"] == ["08:00-18:00"]
    assert "sat" not in again.hours


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"hours": {"mon": ["18:00-08:00"]}}, "hours", "ends before it starts"),
        ({"hours": {"mon": ["08:00-12:00", "11:00-14:00"]}}, "hours", "overlap"),
        ({"hours": {"mon": ["8-12"]}}, "hours", "not an opening range"),
        ({"hours": {"mon": ["08:00-25:00"]}}, "hours", "impossible"),
        ({"hours": {"funday": ["08:00-12:00"]}}, "hours", "not a weekday"),
        ({"hours": {"sat": []}}, "hours", "at least one weekday"),
        ({"hours": {"mon": ["08:00-12:00"]}, "timezone": "Mars/Base"}, "timezone", "time zone"),
        (
            {"hours": {"mon": ["08:00-12:00"]}, "holidays": [{"name": "x", "rule": "FREQ=NEVER"}]},
            "holidays.0.rule",
            "RRULE",
        ),
        (
            {
                "hours": {"mon": ["08:00-12:00"]},
                "holidays": [{"name": "x", "date": "2024-01-01", "rule": "FREQ=YEARLY"}],
            },
            "holidays.0",
            "exactly one",
        ),
        (
            {
                "hours": {"mon": ["08:00-12:00"]},
                "exceptions": [{"date": "2024-01-01"}, {"date": "2024-01-01", "hours": []}],
            },
            "exceptions",
            "two exceptions",
        ),
    ],
)
def test_bad_calendars_name_the_field(data: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(om.ValidationError) as caught:
        BusinessCalendar.model_validate(data)
    assert field in caught.value.fields
    assert message in str(caught.value)


def test_bad_arguments_are_typed_errors() -> None:
    calendar = office()
    with pytest.raises(om.ValidationError, match="naive"):
        calendar.add_business_time(datetime(2024, 5, 6, 9), 60)
    with pytest.raises(om.ValidationError, match="duration"):
        calendar.add_business_time(berlin(2024, 5, 6, 9), -1)


def test_calendar_closed_for_good_raises_calendar_error() -> None:
    every_day = "DTSTART:20200101T000000\nRRULE:FREQ=DAILY"
    calendar = office(holidays=[Holiday(name="closed", rule=every_day)])
    with pytest.raises(om.CalendarError, match="closed for good"):
        calendar.add_business_time(berlin(2024, 5, 6, 9), 60)


# -- properties ------------------------------------------------------------------------

LUNCH_BREAK = BusinessCalendar(
    timezone="Europe/Berlin",
    hours={"mon-thu": ["08:00-12:30", "13:15-18:00"], "fri": ["08:00-15:00"], "sat": "10:00-13:00"},
    holidays=german_holidays(),
)
_START = berlin(2023, 1, 1).timestamp()
_END = berlin(2026, 12, 31).timestamp()
moments = st.floats(min_value=_START, max_value=_END)
durations = st.floats(min_value=0.0, max_value=40 * 86_400.0)


@settings(max_examples=150, deadline=None)
@given(start=moments, seconds=durations)
def test_adding_business_time_then_measuring_it_gives_it_back(start: float, seconds: float) -> None:
    due = LUNCH_BREAK.add_business_seconds(start, seconds)
    assert due >= start
    assert LUNCH_BREAK.business_seconds_between(start, due) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(start=moments, first=durations, second=durations)
def test_adding_business_time_is_additive(start: float, first: float, second: float) -> None:
    stepwise = LUNCH_BREAK.add_business_seconds(
        LUNCH_BREAK.add_business_seconds(start, first), second
    )
    at_once = LUNCH_BREAK.add_business_seconds(start, first + second)
    assert stepwise == pytest.approx(at_once, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(a=moments, b=moments)
def test_business_time_is_bounded_by_elapsed_time_and_antisymmetric(a: float, b: float) -> None:
    forward = LUNCH_BREAK.business_seconds_between(a, b)
    assert abs(forward) <= abs(b - a) + 1e-6
    assert LUNCH_BREAK.business_seconds_between(b, a) == -forward
    assert (forward >= 0) == (b >= a) or forward == 0
