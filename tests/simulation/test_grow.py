"""Scenario.grow: what-if arrival growth per channel, reason or workload."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnirouter.errors import ValidationError
from omnirouter.simulation import load_scenario

BANK = load_scenario(Path(__file__).resolve().parents[2] / "examples" / "bank.toml")


def _rates(scenario: object) -> dict[str, list[float]]:
    return {
        source.name: [source.rate_per_hour]
        if source.rate_per_hour is not None
        else list(source.rates_per_hour or [])
        for source in scenario.workload  # type: ignore[attr-defined]
    }


@given(st.floats(min_value=0, max_value=10, allow_nan=False))
def test_growing_a_channel_scales_only_its_sources(factor: float) -> None:
    grown = BANK.grow(chat=factor)
    before, after = _rates(BANK), _rates(grown)
    for name, rates in before.items():
        scale = factor if name == "chat" else 1.0
        assert after[name] == [rate * scale for rate in rates]
    assert _rates(BANK) == before  # the original is untouched


def test_reason_and_name_keys_multiply() -> None:
    grown = BANK.grow(advisory=2, **{"advisory e-mail": 1.5})
    rates = _rates(grown)["advisory e-mail"]
    assert rates == [rate * 3.0 for rate in _rates(BANK)["advisory e-mail"]]
    # Every source whose reason is "service" grows with "service".
    served = BANK.grow(service=0.5)
    assert _rates(served)["phone"] == [rate * 0.5 for rate in _rates(BANK)["phone"]]


@pytest.mark.parametrize(
    ("factors", "field"),
    [
        ({"fax": 2.0}, "fax"),
        ({"chat": math.nan}, "chat"),
        ({"chat": -1.0}, "chat"),
        ({"chat": math.inf}, "chat"),
    ],
)
def test_bad_growth_is_refused_by_name(factors: dict[str, float], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BANK.grow(**factors)
    assert caught.value.fields == [field]
