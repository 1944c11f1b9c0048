"""Contact pressure: caps per channel and across channels over rolling windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from outbound_factories import consent, person, utc

import omnirouter as om
from omnirouter.outbound import (
    ContactCap,
    ContactLog,
    OutboundPolicy,
    OutboundRecord,
    Rule,
    may_contact,
)

WEEK = timedelta(days=7)
DAY = timedelta(days=1)
MONDAY = utc(2024, 6, 3, 10)
SUBSCRIBED = person(
    "c-1",
    *(consent(channel, "opt_in", utc(2024, 1, 1)) for channel in ("email", "sms", "whatsapp")),
)
ONE_PROMO_EMAIL_A_WEEK = OutboundPolicy(
    caps=[ContactCap(1, WEEK, channel="email", purposes={"marketing"})]
)


def test_one_promotional_email_a_week_over_a_rolling_window() -> None:
    log = ContactLog([("c-1", "email", MONDAY, "promotion")])
    policy = ONE_PROMO_EMAIL_A_WEEK

    def ask(at: datetime) -> om.outbound.ContactDecision:
        return may_contact(SUBSCRIBED, "email", "newsletter", at, history=log, policy=policy)

    friday = ask(utc(2024, 6, 7, 10))
    assert friday.rules == (Rule.CONTACT_CAP,)
    refusal = friday.refusals[0]
    assert refusal.cap == policy.caps[0]
    assert refusal.retry_at == MONDAY + WEEK
    assert "at most 1 per 7 days on email for marketing" in refusal.message
    assert ask(MONDAY + WEEK - timedelta(seconds=1)).rule is Rule.CONTACT_CAP
    assert ask(MONDAY + WEEK).allowed  # the window is rolling: exactly a week later


def test_caps_count_only_matching_purposes_and_channels() -> None:
    log = ContactLog(
        [
            ("c-1", "email", MONDAY, "status"),  # a service message: not marketing
            ("c-1", "sms", MONDAY, "promotion"),  # another channel
            ("c-2", "email", MONDAY, "promotion"),  # another contact
        ]
    )
    at = MONDAY + DAY
    decision = may_contact(
        SUBSCRIBED, "email", "promotion", at, history=log, policy=ONE_PROMO_EMAIL_A_WEEK
    )
    assert decision.allowed
    # Service messages are not governed by a marketing cap at all.
    log.add(("c-1", "email", MONDAY, "promotion"))
    status = may_contact(
        SUBSCRIBED, "email", "status", at, history=log, policy=ONE_PROMO_EMAIL_A_WEEK
    )
    assert status.allowed


def test_cross_channel_cap_and_channel_family() -> None:
    policy = OutboundPolicy(
        caps=[
            ContactCap(2, WEEK, purposes={"marketing"}, name="two promotions a week"),
            ContactCap(1, DAY, channel="messenger"),
        ]
    )
    log = ContactLog(
        [("c-1", "email", MONDAY, "promotion"), ("c-1", "whatsapp", MONDAY, "newsletter")]
    )
    tuesday = MONDAY + DAY
    sms = may_contact(SUBSCRIBED, "sms", "promotion", tuesday, history=log, policy=policy)
    assert sms.rules == (Rule.CONTACT_CAP,)
    assert sms.refusals[0].message.startswith("two promotions a week: 2 already")
    # The messenger family cap counts whatsapp: a second WhatsApp the same day is refused,
    # even a service message, while a day later only the weekly cap is left.
    same_day = may_contact(
        SUBSCRIBED, "whatsapp", "status", MONDAY + timedelta(hours=2), history=log, policy=policy
    )
    assert same_day.rules == (Rule.CONTACT_CAP,)
    assert same_day.refusals[0].cap == policy.caps[1]
    assert may_contact(SUBSCRIBED, "whatsapp", "status", tuesday, history=log, policy=policy)


def test_retry_at_waits_for_enough_old_contacts_to_leave() -> None:
    policy = OutboundPolicy(caps=[ContactCap(2, WEEK)])
    times = [MONDAY, MONDAY + DAY, MONDAY + 2 * DAY]
    log = ContactLog(("c-1", "email", at, "status") for at in times)
    decision = may_contact(
        SUBSCRIBED, "email", "status", MONDAY + 3 * DAY, history=log, policy=policy
    )
    # Three in the window, limit two: two must leave, the second leaves at Tuesday + 7 d.
    assert decision.retry_at == MONDAY + DAY + WEEK
    assert may_contact(SUBSCRIBED, "email", "status", decision.retry_at, history=log, policy=policy)


def test_retry_at_is_utc_even_when_the_log_is_local_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    sent = datetime(2024, 6, 3, 12, tzinfo=berlin)
    log = ContactLog([("c-1", "email", sent, "status")])
    policy = OutboundPolicy(caps=[ContactCap(1, WEEK)])
    decision = may_contact(SUBSCRIBED, "email", "status", sent + DAY, history=log, policy=policy)
    assert decision.retry_at == sent + WEEK
    assert decision.retry_at is not None
    assert decision.retry_at.tzinfo is UTC


def test_window_is_elapsed_time_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    sent = datetime(2024, 3, 30, 12, tzinfo=berlin)  # CET, the day before the change
    policy = OutboundPolicy(caps=[ContactCap(1, DAY)])
    log = ContactLog([("c-1", "sms", sent, "status")])
    # 24 h later is 13:00 CEST on the wall clock, not 12:00.
    at_noon = datetime(2024, 3, 31, 12, tzinfo=berlin)
    refused = may_contact(SUBSCRIBED, "sms", "status", at_noon, history=log, policy=policy)
    assert refused.retry_at == datetime(2024, 3, 31, 13, tzinfo=berlin)
    assert log.for_contact("c-1")[0].at.tzinfo is UTC


def test_history_as_records_tuples_or_mappings() -> None:
    records = [
        OutboundRecord("c-1", "email", MONDAY, "promotion"),
        ("c-1", "email", MONDAY + DAY, "promotion"),
        {"contact_id": "c-1", "channel": "email", "at": MONDAY + 2 * DAY, "purpose": "promotion"},
    ]
    log = ContactLog(records)
    assert len(log) == 3
    assert [r.at for r in log] == [MONDAY, MONDAY + DAY, MONDAY + 2 * DAY]
    assert log.between("c-1", MONDAY, MONDAY + 2 * DAY) == list(log)[1:]
    copy = log.copy()
    copy.add(("c-1", "email", MONDAY, "promotion"))
    assert (len(log), len(copy)) == (3, 4)
    policy = OutboundPolicy(caps=[ContactCap(3, WEEK)])
    at = MONDAY + 3 * DAY
    assert not may_contact(SUBSCRIBED, "email", "promotion", at, history=records, policy=policy)


def test_bad_records_are_refused_with_their_position_and_nothing_is_added() -> None:
    log = ContactLog()
    with pytest.raises(om.ValidationError) as caught:
        log.extend(
            [
                ("c-1", "email", MONDAY, "promotion"),
                ("c-1", "email", datetime(2024, 6, 3), "promotion"),
                ("c-1", "email"),
            ]
        )
    assert caught.value.fields == ["1.at", "2.<root>"]
    assert len(log) == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0, "window": WEEK}, "limit"),
        ({"limit": True, "window": WEEK}, "limit"),
        ({"limit": 1, "window": timedelta(0)}, "window"),
        ({"limit": 1, "window": 7}, "window"),
        ({"limit": 1, "window": WEEK, "purposes": []}, "purposes"),
        ({"limit": 1, "window": WEEK, "channel": ""}, "channel"),
    ],
)
def test_bad_caps_are_typed_errors(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(om.ValidationError) as caught:
        ContactCap(**kwargs)  # type: ignore[arg-type]
    assert caught.value.fields == [field]


def test_cap_on_an_unknown_channel_is_reported_on_use() -> None:
    policy = OutboundPolicy(caps=[ContactCap(1, WEEK, channel="e-mail")])
    with pytest.raises(om.UnknownChannelError, match="e-mail"):
        may_contact(SUBSCRIBED, "email", "promotion", MONDAY, policy=policy)


def test_policy_refuses_non_caps() -> None:
    with pytest.raises(om.ValidationError) as caught:
        OutboundPolicy(caps=["1 per week"])  # type: ignore[list-item]
    assert caught.value.fields == ["caps.0"]


CHANNELS = ("email", "sms", "whatsapp")
PURPOSES = ("promotion", "newsletter", "status")


class PressureMachine(RuleBasedStateMachine):
    """Send whenever may_contact allows; no window may ever hold more than a cap allows."""

    @initialize(
        per_email=st.integers(min_value=1, max_value=3),
        across=st.integers(min_value=1, max_value=5),
    )
    def set_up(self, per_email: int, across: int) -> None:
        self.policy = OutboundPolicy(
            caps=[
                ContactCap(per_email, WEEK, channel="email", purposes={"marketing"}),
                ContactCap(across, 3 * DAY),
            ]
        )
        self.log = ContactLog()
        self.now = MONDAY
        self.sent: list[OutboundRecord] = []

    @rule(minutes=st.integers(min_value=0, max_value=3 * 24 * 60))
    def wait(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(channel=st.sampled_from(CHANNELS), purpose=st.sampled_from(PURPOSES))
    def try_to_send(self, channel: str, purpose: str) -> None:
        decision = may_contact(
            SUBSCRIBED, channel, purpose, self.now, history=self.log, policy=self.policy
        )
        if decision.allowed:
            self.sent.append(self.log.add(("c-1", channel, self.now, purpose)))
        else:
            assert set(decision.rules) == {Rule.CONTACT_CAP}
            assert decision.retry_at is not None
            assert decision.retry_at > self.now

    @invariant()
    def no_window_exceeds_a_cap(self) -> None:
        for cap in getattr(self, "policy", OutboundPolicy()).caps:
            times = [
                r.at
                for r in self.sent
                if (cap.channel is None or r.channel == cap.channel)
                and (cap.purposes is None or r.purpose in ("promotion", "newsletter"))
            ]
            for index, start in enumerate(times):
                in_window = [t for t in times[index:] if t - start < cap.window]
                assert len(in_window) <= cap.limit


PressureMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
test_pressure_machine = PressureMachine.TestCase
