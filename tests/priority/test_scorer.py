"""The scorer: each factor's raw value, explanations that add up, batches, comparison."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.priority import (
    AgentPortfolios,
    KeywordClassifier,
    PriorityScorer,
    RecentContacts,
    Strategy,
    compare_strategies,
    spearman,
)

T0 = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
NOW = (T0 + timedelta(minutes=30)).timestamp()


def only(kind: str, weight: float = 1.0, **options: Any) -> dict[str, Any]:
    return {"name": kind, "factors": [{"kind": kind, "weight": weight, **options}]}


def chat(**fields: Any) -> om.Interaction:
    return om.Interaction(**{"id": "i-1", "channel": "chat", "created_at": T0, **fields})


def raw(kind: str, interaction: om.Interaction, **options: Any) -> float:
    scorer_options = {
        key: options.pop(key)
        for key in ("history", "portfolio", "sla", "reasons", "sentiment")
        if key in options
    }
    scorer = PriorityScorer(only(kind, **options), **scorer_options)
    return scorer.explain(interaction, NOW).contributions[0].raw


def test_reason_table_and_classification_from_text() -> None:
    table = {"values": {"complaint": 5, "billing": 1}, "default": 0.5}
    assert raw("reason", chat(reason="complaint"), **table) == 5
    assert raw("reason", chat(reason="other"), **table) == 0.5
    found = raw(
        "reason", chat(subject="Frage zur Rechnung"), keywords={"billing": ["rechnung"]}, **table
    )
    assert found == 1
    own = KeywordClassifier({"complaint": ["beschwer"]})
    assert raw("reason", chat(preview="Ich beschwere mich"), reasons=own, **table) == 5
    assert raw("reason", chat(), **table) == 0.5


def test_tier_and_customer_value_read_attributes() -> None:
    assert raw("tier", chat(attributes={"tier": "gold"}), values={"gold": 3}) == 3
    assert raw("tier", chat(attributes={"tier": 7}), values={"gold": 3}, default=-1) == -1
    assert raw("customer_value", chat(attributes={"customer_value": 5000}), cap=1000) == 1000
    assert raw("customer_value", chat(attributes={"customer_value": 50.5})) == 50.5
    assert raw("customer_value", chat(attributes={"customer_value": True})) == 0


def test_repeat_contacts_counts_the_window_on_any_channel() -> None:
    history = RecentContacts(
        [("k-1", T0 - timedelta(days=days)) for days in (0.5, 2, 6, 9)] + [("k-2", T0)]
    )
    assert raw("repeat_contacts", chat(customer_id="k-1"), history=history) == 3
    assert raw("repeat_contacts", chat(customer_id="k-1"), history=history, window_days=14) == 4
    assert raw("repeat_contacts", chat(customer_id="k-1"), history=history, cap=2) == 2
    assert raw("repeat_contacts", chat(), history=history) == 0


def test_repeat_contacts_without_history_is_refused_naming_the_factor() -> None:
    with pytest.raises(om.ValidationError) as caught:
        PriorityScorer(only("repeat_contacts"))
    assert caught.value.fields == ["factors.0.kind"]


def test_sla_deadline_urgency_rises_to_one() -> None:
    # Chat's own service level is 30 s: at NOW (30 min after arrival) it is overdue.
    assert raw("sla_deadline", chat()) == 1.0
    mail = chat(channel="email")  # due 24 h after arrival: far beyond a 60 min horizon
    assert raw("sla_deadline", mail) == 0.0
    policy = om.ServiceLevelPolicy(targets={"email": {"threshold": 3600}})
    assert raw("sla_deadline", mail, sla=policy) == pytest.approx(0.5)
    assert raw("sla_deadline", mail, sla=policy, horizon_minutes=120) == pytest.approx(0.75)


def test_waiting_time_is_seconds_since_creation_capped() -> None:
    assert raw("waiting_time", chat()) == 1800
    assert raw("waiting_time", chat(), cap_minutes=10) == 600
    assert raw("waiting_time", chat(created_at=T0 + timedelta(hours=1))) == 0
    assert raw("waiting_time", chat(created_at=None)) == 0


def test_channel_base_priority_with_family_fallback() -> None:
    table = {"values": {"voice": 3, "messenger": 2}, "default": -1}
    assert raw("channel", chat(channel="voice"), **table) == 3
    assert raw("channel", chat(channel="whatsapp"), **table) == 2
    assert raw("channel", chat(channel="email"), **table) == -1


def test_negative_sentiment_by_language_lists_or_own_classifier() -> None:
    assert raw("negative_sentiment", chat(preview="Ich bin total enttäuscht!", language="de")) == 1
    assert raw("negative_sentiment", chat(preview="This is UNACCEPTABLE", language="en")) == 1
    assert raw("negative_sentiment", chat(preview="Vielen Dank!", language="de")) == 0
    assert (
        raw("negative_sentiment", chat(preview="sauer", language="de"), keywords={"en": ["x"]}) == 0
    )

    class Always:
        def classify(self, text: str, language: str | None) -> str | None:
            return "negative"

    assert raw("negative_sentiment", chat(preview="lovely"), sentiment=Always()) == 1


def test_portfolio_from_agents_or_attribute() -> None:
    portfolio = AgentPortfolios([om.Agent(id="anna", portfolio=["k-1"])])
    assert raw("portfolio", chat(customer_id="k-1"), portfolio=portfolio) == 1
    assert raw("portfolio", chat(customer_id="k-2"), portfolio=portfolio) == 0
    assert raw("portfolio", chat(attributes={"advisor_id": "ben"})) == 1


def test_manual_priority_and_its_audit_trail() -> None:
    manual = om.ManualPriority(value=4, set_by="anna", set_at=T0, reason="VIP complaint")
    scorer = PriorityScorer(only("manual", 60))
    explanation = scorer.explain(chat(manual_priority=manual), NOW)
    assert explanation.score == 240
    assert "anna" in explanation.contributions[0].detail
    assert "VIP complaint" in explanation.contributions[0].detail
    assert scorer(chat(), NOW) == 0


STRATEGY = Strategy.model_validate(
    {
        "name": "service first",
        "factors": [
            {"kind": "reason", "values": {"complaint": 5, "billing": 1}, "weight": 60},
            {"kind": "tier", "values": {"gold": 3, "silver": 1}, "weight": 100},
            {"kind": "customer_value", "cap": 1000, "weight": 0.1},
            {"kind": "repeat_contacts", "weight": 120},
            {"kind": "sla_deadline", "weight": 300},
            {"kind": "waiting_time", "weight": 0.5},
            {"kind": "channel", "values": {"voice": 2, "messenger": 1}, "weight": 30},
            {"kind": "negative_sentiment", "weight": 600},
            {"kind": "portfolio", "weight": 200},
            {"kind": "manual", "weight": 60},
        ],
    }
)
HISTORY = RecentContacts([("k-1", T0), ("k-1", T0 - timedelta(days=1)), ("k-2", T0)])

interactions = st.builds(
    om.Interaction,
    id=st.text("abcdef0123", min_size=1, max_size=8),
    channel=st.sampled_from(["voice", "chat", "email", "whatsapp", "review"]),
    customer_id=st.sampled_from([None, "k-1", "k-2", "k-3"]),
    reason=st.sampled_from([None, "complaint", "billing", "other"]),
    preview=st.sampled_from([None, "", "Ich bin enttäuscht", "thanks", "angry!!"]),
    created_at=st.one_of(
        st.none(),
        st.datetimes(
            min_value=datetime(2024, 1, 1), max_value=datetime(2024, 6, 1), timezones=st.just(UTC)
        ),
    ),
    attributes=st.fixed_dictionaries(
        {},
        optional={
            "tier": st.sampled_from(["gold", "silver", "bronze"]),
            "customer_value": st.floats(-1e4, 1e5, allow_nan=False),
            "advisor_id": st.sampled_from(["anna", ""]),
        },
    ),
    manual_priority=st.one_of(st.none(), st.integers(-1000, 1000)),
)


@settings(max_examples=150, deadline=None)
@given(
    interaction=interactions,
    now=st.floats(1.70e9, 1.72e9),
    weights=st.lists(st.floats(0, 1e4, allow_nan=False), min_size=10, max_size=10),
)
def test_contributions_sum_to_the_score(
    interaction: om.Interaction, now: float, weights: list[float]
) -> None:
    data = STRATEGY.model_dump()
    for factor, weight in zip(data["factors"], weights, strict=True):
        factor["weight"] = weight
    scorer = PriorityScorer(data, history=HISTORY)
    explanation = scorer.explain(interaction, now)
    assert explanation.score == scorer(interaction, now)
    assert sum(c.contribution for c in explanation.contributions) == pytest.approx(
        explanation.score, rel=1e-12, abs=1e-9
    )
    for part in explanation.contributions:
        assert part.contribution == part.weight * part.raw


def test_now_comes_from_argument_clock_or_arrival() -> None:
    scorer = PriorityScorer(only("waiting_time"))
    assert scorer.score(chat(), T0 + timedelta(minutes=1)) == 60
    assert scorer.score(chat()) == 0  # as of arrival
    clocked = PriorityScorer(only("waiting_time"), clock=lambda: NOW)
    assert clocked.score(chat()) == 1800
    with pytest.raises(om.ValidationError, match="now"):
        scorer.score(chat(created_at=None))
    with pytest.raises(om.ValidationError, match="naive"):
        scorer.score(chat(), datetime(2024, 5, 2, 9))


def test_explanation_renders_as_rows_text_and_data() -> None:
    scorer = PriorityScorer(STRATEGY, history=HISTORY)
    explanation = scorer.explain(chat(reason="complaint", customer_id="k-1"), NOW)
    assert [row["factor"] for row in explanation.rows()][:2] == ["reason", "tier"]
    assert explanation.to_dict()["score"] == explanation.score
    assert "complaint" in str(explanation)


BACKLOG: list[dict[str, Any]] = [
    {"id": "m-1", "channel": "email", "reason": "billing", "created_at": "2024-05-02T09:15:00Z"},
    {
        "id": "c-1",
        "channel": "chat",
        "reason": "complaint",
        "created_at": "2024-05-02T09:25:00Z",
        "preview": "Ich bin enttäuscht",
        "language": "de",
    },
    {
        "id": "v-1",
        "channel": "voice",
        "created_at": "2024-05-02T09:29:00Z",
        "attributes": {"tier": "gold"},
    },
    {
        "id": "w-1",
        "channel": "whatsapp",
        "customer_id": "k-1",
        "created_at": "2024-05-02T09:10:00Z",
    },
]


def test_rows_are_in_service_order_and_name_every_factor() -> None:
    fifo = PriorityScorer(only("waiting_time", 0.0))
    assert [row["id"] for row in fifo.rows(BACKLOG, NOW)] == ["w-1", "m-1", "c-1", "v-1"]
    scorer = PriorityScorer(STRATEGY, history=HISTORY)
    rows = scorer.rows(BACKLOG, NOW)
    assert [row["rank"] for row in rows] == [1, 2, 3, 4]
    assert {"tier", "tier.raw", "manual", "score", "channel"} <= set(rows[0])
    arrival = {row["id"]: datetime.fromisoformat(row["created_at"]).timestamp() for row in BACKLOG}
    keys = [arrival[row["id"]] - row["score"] for row in rows]
    assert keys == sorted(keys)


def test_bad_backlog_item_names_its_index() -> None:
    with pytest.raises(om.ValidationError) as caught:
        PriorityScorer(only("manual")).rows([BACKLOG[0], {"id": "x", "channel": "pigeon"}], NOW)
    assert caught.value.fields == ["backlog.1.channel"]


def test_compare_two_strategies_on_one_backlog() -> None:
    fifo = PriorityScorer(only("waiting_time", 0.0), history=HISTORY)
    comparison = compare_strategies(fifo, STRATEGY, BACKLOG, NOW)
    assert comparison.strategy_b == "service first"
    assert [c.id for c in comparison.changes] == ["w-1", "m-1", "c-1", "v-1"]
    assert sum(c.moved for c in comparison.changes) == 0
    up = comparison.moved_up()
    assert [(c.id, c.moved) for c in up] == [("c-1", 1)]
    assert [(c.id, c.moved) for c in comparison.moved_down()] == [("m-1", -1)]
    ranks_a = [c.rank_a for c in comparison.changes]
    assert comparison.spearman == spearman(ranks_a, [c.rank_b for c in comparison.changes])
    same = compare_strategies(PriorityScorer(STRATEGY, history=HISTORY), STRATEGY, BACKLOG, NOW)
    assert same.spearman == 1.0


def test_spearman_extremes() -> None:
    assert spearman([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1.0
    assert spearman([1], [1]) is None


def test_frames_for_notebooks() -> None:
    pandas = pytest.importorskip("pandas")
    scorer = PriorityScorer(STRATEGY, history=HISTORY)
    frame = scorer.to_frame(BACKLOG, NOW)
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.index) == [row["id"] for row in scorer.rows(BACKLOG, NOW)]
    comparison = compare_strategies(scorer, only("waiting_time", 0.0), BACKLOG, NOW)
    assert list(comparison.to_frame().columns)[-1] == "moved"


def test_with_strategy_keeps_the_plugins() -> None:
    scorer = PriorityScorer(STRATEGY, history=HISTORY)
    swapped = scorer.with_strategy(only("repeat_contacts", 10))
    assert swapped(chat(customer_id="k-1"), NOW) == 20
    assert swapped.strategy.name == "repeat_contacts"
