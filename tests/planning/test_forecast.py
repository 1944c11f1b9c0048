"""The planning day: forecast rates per interval, the drain, and the Erlang baseline."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from omnirouter import erlang
from omnirouter.errors import ValidationError
from omnirouter.planning._baseline import erlang_staffing, workload_erlangs
from omnirouter.planning._forecast import load_forecast, planning_day
from omnirouter.planning._groups import skill_groups
from omnirouter.simulation import load_scenario

BANK = load_scenario(Path(__file__).resolve().parents[2] / "examples" / "bank.toml")


def test_day_curves_become_rates_per_interval() -> None:
    day = planning_day(BANK, 30)
    assert day.intervals == 20
    hourly = [60, 50, 45, 40, 35, 35, 40, 35, 30, 20]
    assert day.rates["advisory e-mail"] == pytest.approx([r for r in hourly for _ in (0, 1)])
    assert day.rates["service e-mail"] == pytest.approx([25.0] * 20)
    # The e-mail promise is one hour: the simulated day runs one hour longer, with no
    # new arrivals, so the last intervals' e-mail is judged; no warm-up.
    assert day.drain_hours == 1.0
    assert day.template.horizon_hours == 11.0
    assert day.template.warmup_hours == 0.0
    curve = day.template.workload[0].rates_per_hour or []
    assert curve[-2:] == [0.0, 0.0]


def test_sixty_minute_intervals_average_finer_curves() -> None:
    finer = BANK.model_copy(
        update={
            "workload": [
                BANK.workload[2].model_copy(
                    update={"rates_per_hour": [10.0, 30.0] * 5, "interval_minutes": 30.0}
                )
            ]
        }
    )
    day = planning_day(finer, 60)
    assert day.rates["phone"][:5] == pytest.approx([20.0] * 5)


def test_baseline_is_erlang_per_workload() -> None:
    scenario = BANK.model_copy(update={"workload": [BANK.workload[1]]})  # service e-mail
    day = planning_day(scenario, 30)
    groups = skill_groups(scenario, {"service desk": 20.0, "advisors": 30.0})
    eligible = {"service e-mail": frozenset({"advisors", "service desk"})}
    staffing = erlang_staffing(day, scenario, groups, eligible)
    # Both teams take only this work here: the cheaper one staffs it, two e-mails per
    # agent at a time.
    servers = erlang.agents_for_service_level(25 / 3600 * 360, 360, 3600, 0.8)
    assert staffing == ((0, math.ceil(servers / 2)),) * 20
    assert workload_erlangs(day, scenario) == pytest.approx([2.5] * 20)


def test_intervals_must_divide_the_horizon() -> None:
    with pytest.raises(ValidationError) as caught:
        planning_day(BANK, 45)
    assert caught.value.fields == ["interval_minutes"]


def test_a_forecast_replaces_the_scenario_rates(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    rows = ["interval,phone,chat"] + [
        f"{8 + i // 2:02d}:{30 * (i % 2):02d},{i},5" for i in range(20)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    forecast = load_forecast(path)
    assert forecast["phone"] == [float(i) for i in range(20)]
    day = planning_day(BANK, 30, forecast)
    assert day.rates["phone"] == tuple(float(i) for i in range(20))
    assert day.rates["chat"] == (5.0,) * 20
    assert day.rates["service e-mail"] == (25.0,) * 20  # not in the file: the scenario's
    curve = next(s for s in day.template.workload if s.name == "phone").rates_per_hour or []
    assert curve[:20] == [float(i) for i in range(20)]


def test_bad_forecasts_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        planning_day(BANK, 30, {"fax": [1.0] * 20, "phone": [1.0] * 3})
    assert set(caught.value.fields) == {"forecast.fax", "forecast.phone"}
    path = tmp_path / "bad.csv"
    path.write_text("interval,phone\n08:00,-1\n08:30,abc\n09:00\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_forecast(path)
    assert caught.value.fields == ["row 2.phone", "row 3.phone", "row 4"]
    path.write_text("when,phone\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="first row"):
        load_forecast(path)
