"""Free-form fields: no non-finite number enters, sizes are limited, errors keep no
personal data."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnirouter as om


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
@pytest.mark.parametrize(
    "template",
    [
        '{"id":"i1","channel":"chat","attributes":{"score":%s}}',
        '{"id":"i1","channel":"chat","attributes":{"deep":{"list":[1,2,%s]}}}',
        '{"id":"i1","channel":"chat","handover":{"extracted":{"amount":%s}}}',
    ],
)
def test_non_finite_numbers_are_refused_in_json(template: str, literal: str) -> None:
    with pytest.raises(om.ValidationError, match="not finite") as caught:
        om.Interaction.model_validate_json(template % literal)
    assert caught.value.fields[0] in ("attributes", "handover.extracted")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_from_python(value: float) -> None:
    with pytest.raises(om.ValidationError, match=r"attributes: at x\.y: a number that is not"):
        om.Interaction(id="i", channel="email", attributes={"x": {"y": value}})
    with pytest.raises(om.ValidationError, match="attributes"):
        om.Contact(id="c", attributes={"score": value})
    with pytest.raises(om.ValidationError, match="attributes"):
        om.Agent(id="a", attributes={"score": [value]})


def test_the_default_limits_are_documented_values() -> None:
    limits = om.FieldLimits()
    assert (limits.max_items, limits.max_depth, limits.max_text, limits.max_bytes) == (
        100,
        8,
        10_000,
        64_000,
    )


def test_each_limit_gives_a_typed_error_naming_the_rule() -> None:
    too_many = {f"k{n}": n for n in range(101)}
    with pytest.raises(om.ValidationError, match="101 entries, more than the limit of 100"):
        om.Interaction(id="i", channel="email", attributes=too_many)
    deep: Any = 1
    for _ in range(9):
        deep = {"d": deep}
    with pytest.raises(om.ValidationError, match="nested more than 8 levels"):
        om.Interaction(id="i", channel="email", attributes=deep)
    with pytest.raises(om.ValidationError, match="10001 characters, more than the limit"):
        om.Interaction(id="i", channel="email", attributes={"note": "x" * 10_001})
    big = {f"k{n}": "y" * 9_000 for n in range(8)}
    with pytest.raises(om.ValidationError, match="64000 bytes"):
        om.Interaction(id="i", channel="email", attributes=big)
    with pytest.raises(om.ValidationError, match=r"handover\.transcript: at 0: a text"):
        om.Interaction.model_validate(
            {"id": "i", "channel": "chat", "handover": {"transcript": ["z" * 10_001]}}
        )


def test_limits_are_configurable_per_validation_and_per_registry() -> None:
    data = {"id": "i", "channel": "email", "attributes": {"note": "x" * 500}}
    strict = om.FieldLimits(max_text=100)
    with pytest.raises(om.ValidationError, match="limit of 100"):
        om.Interaction.model_validate(data, context={"limits": strict})
    registry = om.ChannelRegistry(limits=strict)
    with pytest.raises(om.ValidationError, match="limit of 100"):
        registry.validate(om.Interaction, data)
    router = om.Router(channels=registry)
    with pytest.raises(om.ValidationError, match="limit of 100"):
        router.submit(data)  # type: ignore[arg-type]
    assert router.waiting() == []
    roomy = om.FieldLimits(max_text=50_000)
    long = {"id": "j", "channel": "email", "attributes": {"note": "x" * 20_000}}
    assert om.Interaction.model_validate(long, context={"limits": roomy}).id == "j"
    with pytest.raises(om.ValidationError):
        om.FieldLimits(max_items=0)


def test_error_messages_and_inputs_never_repeat_personal_values() -> None:
    email = "max.mustermann-example.org"
    with pytest.raises(om.ValidationError) as caught:
        om.Interaction(id="i", channel="email", identity={"email": email, "phone": ["x"]})
    assert "mustermann" not in str(caught.value)
    assert all(detail.input is None for detail in caught.value.errors)
    with pytest.raises(om.ValidationError) as caught:
        om.Contact(id="c", given_name=["Erika"], identities={"emails": [{"a": "erika@x.de"}]})
    assert "Erika" not in str(caught.value)
    assert "erika@x.de" not in str(caught.value)
    assert all("Erika" not in repr(detail.input) for detail in caught.value.errors)
    with pytest.raises(om.ValidationError) as caught:
        om.Interaction(id="i", channel="email", manual_priority=5000)
    assert caught.value.errors[0].input == 5000  # numbers are no personal data: kept


finite_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@given(finite_json)
def test_finite_attributes_within_limits_round_trip_through_json(value: Any) -> None:
    interaction = om.Interaction(id="i", channel="email", attributes={"v": value})
    again = om.Interaction.model_validate_json(interaction.model_dump_json())
    assert again.attributes == interaction.attributes
    json.dumps(again.attributes, allow_nan=False)  # a journal can store it
