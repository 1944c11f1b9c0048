"""Strategies as data: validation that names the field, TOML and JSON round-trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.priority import FACTOR_KINDS, Strategy

FULL: dict[str, Any] = {
    "name": "service first",
    "description": "Complaints and frustrated repeat callers first.",
    "factors": [
        {
            "kind": "reason",
            "values": {"complaint": 5, "billing": 1},
            "weight": 60,
            "keywords": {"complaint": ["beschwerde", "complaint"]},
        },
        {"kind": "tier", "values": {"gold": 3, "silver": 1}, "weight": 100},
        {"kind": "customer_value", "cap": 1000, "weight": 0.1},
        {"kind": "repeat_contacts", "window_days": 14, "weight": 120},
        {"kind": "sla_deadline", "horizon_minutes": 30, "weight": 300},
        {"kind": "waiting_time", "cap_minutes": 240, "weight": 1},
        {"kind": "channel", "values": {"voice": 2, "messenger": 1}, "default": -1, "weight": 30},
        {
            "kind": "negative_sentiment",
            "keywords": {"de": ["sauer"], "en": ["angry"]},
            "weight": 600,
        },
        {"kind": "portfolio", "weight": 200},
        {"kind": "manual", "weight": 60, "name": "advisor_says"},
    ],
}


def test_a_strategy_uses_every_factor_kind() -> None:
    strategy = Strategy.model_validate(FULL)
    assert [factor.kind for factor in strategy.factors] == list(FACTOR_KINDS)
    assert strategy.factors[-1].factor_name == "advisor_says"


def test_toml_and_json_documents_round_trip(tmp_path: Path) -> None:
    strategy = Strategy.model_validate(FULL)
    assert Strategy.from_toml(strategy.to_toml()) == strategy
    assert Strategy.from_json(strategy.to_json()) == strategy
    for name in ("strategy.toml", "strategy.json"):
        assert Strategy.load(strategy.save(tmp_path / name)) == strategy


def test_unknown_factor_kind_names_the_field() -> None:
    data = {
        "name": "x",
        "factors": [{"kind": "manual", "weight": 1}, {"kind": "mood", "weight": 1}],
    }
    with pytest.raises(om.ValidationError) as caught:
        Strategy.model_validate(data)
    assert caught.value.fields == ["factors.1"]
    assert "mood" in str(caught.value)


def test_negative_weight_is_refused_where_it_would_invert_urgency() -> None:
    text = """
name = "backwards"

[[factors]]
kind = "waiting_time"
weight = -1.0
"""
    with pytest.raises(om.ValidationError) as caught:
        Strategy.from_toml(text)
    assert caught.value.fields == ["factors.0.waiting_time.weight"]
    assert "weight must be >= 0" in str(caught.value)


def test_negative_weight_is_allowed_for_lookup_tables() -> None:
    strategy = Strategy.model_validate(
        {"name": "x", "factors": [{"kind": "channel", "values": {"email": 1}, "weight": -5}]}
    )
    assert strategy.factors[0].weight == -5


@pytest.mark.parametrize(
    ("factors", "field", "message"),
    [
        ([], "factors", "at least 1"),
        ([{"kind": "manual", "weight": 1}, {"kind": "manual", "weight": 2}], "factors", "two"),
        ([{"kind": "manual"}], "factors.0.manual.weight", "required"),
        ([{"kind": "manual", "weight": float("nan")}], "factors.0.manual.weight", "finite"),
        ([{"kind": "manual", "weight": 1, "colour": "red"}], "factors.0.manual.colour", "Extra"),
        (
            [{"kind": "repeat_contacts", "weight": 1, "window_days": 0}],
            "factors.0.repeat_contacts.window_days",
            "greater than 0",
        ),
        (
            [{"kind": "channel", "weight": 1, "values": {"Fax!": 1}}],
            "factors.0.channel.values.Fax!.[key]",
            "pattern",
        ),
    ],
)
def test_bad_strategies_name_the_field(
    factors: list[dict[str, Any]], field: str, message: str
) -> None:
    with pytest.raises(om.ValidationError) as caught:
        Strategy.model_validate({"name": "bad", "factors": factors})
    assert field in caught.value.fields
    assert message in str(caught.value)


def test_bad_documents_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(om.ValidationError, match="not valid TOML"):
        Strategy.from_toml("name = ")
    with pytest.raises(om.ValidationError, match="factors"):
        Strategy.from_json('{"name": "x"}')
    with pytest.raises(om.ValidationError, match=r"toml or \.json"):
        Strategy.model_validate(FULL).save(tmp_path / "strategy.yaml")


keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
weights = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    name=keys,
    reasons=st.dictionaries(keys, numbers, max_size=4),
    keywords=st.dictionaries(keys, st.lists(keys, max_size=3), max_size=3),
    tiers=st.dictionaries(keys, numbers, max_size=3),
    weight=weights,
    cap=st.one_of(st.none(), numbers),
)
def test_any_strategy_round_trips_through_toml(
    name: str,
    reasons: dict[str, float],
    keywords: dict[str, list[str]],
    tiers: dict[str, float],
    weight: float,
    cap: float | None,
) -> None:
    strategy = Strategy.model_validate(
        {
            "name": name.strip() or "x",
            "description": name,
            "factors": [
                {"kind": "reason", "values": reasons, "keywords": keywords, "weight": weight},
                {"kind": "tier", "values": tiers, "weight": -weight},
                {"kind": "customer_value", "cap": cap, "weight": weight},
            ],
        }
    )
    assert Strategy.from_toml(strategy.to_toml()) == strategy
