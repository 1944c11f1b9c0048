"""Scenario validation and the world around the router: shifts, breaks, callbacks, replay."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import omnirouter as om
from omnirouter.simulation import Scenario, Simulation, format_comparison, simulate
from omnirouter.simulation.runner import _presence_plan

BASE = """
name = "desk"
start = 2024-03-04T08:00:00+01:00
horizon_hours = 4
replications = 2
seed = 1

[[teams]]
name = "desk"
size = 3
capacity = { voice = 1, callback = 1, email = 2 }
"""

VOICE = """
[[workload]]
channel = "voice"
rate_per_hour = 30
handle_time = { distribution = "exponential", mean_seconds = 240 }
"""


def scenario(extra: str = VOICE, **changes: Any) -> Scenario:
    loaded = Scenario.from_toml(BASE + extra)
    return loaded.with_changes(**changes) if changes else loaded


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        (VOICE.replace("rate_per_hour = 30", ""), "workload.0", "exactly one of"),
        (VOICE.replace('"voice"', '"pigeon"'), "", "unknown channel 'pigeon'"),
        (VOICE + VOICE, "", "workload names must be unique: voice"),
        (VOICE.replace("exponential", "normal"), "workload.0.handle_time", ""),
        (VOICE + '[[queues]]\nname = "a"\noverflow = { queue = "b", after = 5 }\n', "", "unknown"),
        (VOICE + "[[agents]]\nid = 'desk-1'\n[[agents]]\nid = 'desk-1'\n", "", "unique: desk-1"),
    ],
)
def test_bad_scenarios_are_refused_with_their_place(extra: str, field: str, message: str) -> None:
    with pytest.raises(om.ValidationError) as caught:
        Scenario.from_toml(BASE + extra)
    assert any(location.startswith(field) for location in caught.value.fields)
    assert message in str(caught.value)


def test_warmup_must_end_before_the_horizon() -> None:
    with pytest.raises(om.ValidationError, match="warmup_hours must be shorter"):
        scenario().with_changes(warmup_hours=9)


def test_toml_syntax_errors_are_validation_errors() -> None:
    with pytest.raises(om.ValidationError, match="not valid TOML"):
        Scenario.from_toml("name = ")


def test_extends_cannot_loop(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(om.ValidationError, match="extends itself"):
        om.simulation.load_scenario(tmp_path / "a.toml")


def test_presence_plan_follows_shifts_and_breaks() -> None:
    loaded = Scenario.from_toml(
        BASE.replace("horizon_hours = 4", "horizon_hours = 30")
        + VOICE
        + '[[agents]]\nid = "late"\nshift = { start = "10:00", end = "18:00" }\n'
        + 'breaks = [{ start = "12:00", minutes = 30 }]\n'
    )
    entry = loaded.agents[0]
    start = loaded.start_epoch
    plan = [((at - start) / 3600, presence) for at, presence in _presence_plan(entry, loaded)]
    assert plan == [
        (0.0, "offline"),
        (2.0, "available"),
        (4.0, "away"),
        (4.5, "available"),
        (10.0, "offline"),
        (26.0, "available"),
        (28.0, "away"),
        (28.5, "available"),
    ]


def test_breaks_show_as_paused_time_and_no_work_is_taken_while_away() -> None:
    loaded = scenario(
        VOICE + '[[agents]]\nid = "solo"\nbreaks = [{ start = "09:00", minutes = 60 }]\n'
    )
    simulation = Simulation(loaded)
    assigned_at: list[float] = []
    simulation.router.subscribe(
        lambda event: (
            assigned_at.append(event.at)
            if event.kind == "assigned" and event.agent_id == "solo"
            else None
        )
    )
    result = simulation.run()
    solo = result.agents["solo"]
    assert solo["break_seconds"] == pytest.approx(3600.0)
    assert solo["paused_seconds"] == 0.0
    assert solo["staffed_seconds"] == pytest.approx(4 * 3600.0)
    start = loaded.start_epoch
    assert not any(start + 3600 <= at < start + 7200 for at in assigned_at)
    assert 0 < solo["occupancy"] <= 1


def test_impatient_callers_abandon_and_some_ask_for_a_callback() -> None:
    busy = VOICE.replace("rate_per_hour = 30", "rate_per_hour = 60") + (
        'patience = { distribution = "exponential", mean_seconds = 60 }\n'
        "callback_share = 0.5\ncallback_delay = 300\n"
    )
    report = simulate(scenario(busy))
    voice = report.channels()["voice"]
    assert voice["abandonment_rate"].mean > 0.05
    assert voice["callbacks"].mean > 0
    assert voice["callbacks"].mean < voice["abandoned"].mean
    callback = report.channels()["callback"]
    assert callback["offered"].mean == pytest.approx(voice["callbacks"].mean, abs=1.0)
    assert "callbacks" in format_comparison([report])


def test_replayed_arrivals_drive_the_run(tmp_path: Path) -> None:
    log = tmp_path / "calls.csv"
    log.write_text(
        "at,handle_seconds\n0,100\n10,100\n2024-03-04T08:00:20+01:00,100\n30,100\n",
        encoding="utf-8",
    )
    text = BASE + (
        "[[workload]]\nchannel = 'voice'\nreplay = 'calls.csv'\n"
        "handle_time = { distribution = 'constant', seconds = 999 }\n"
    )
    loaded = Scenario.from_toml(text, base=tmp_path)
    simulation = Simulation(loaded)
    handled: dict[str, float] = {}
    started: dict[str, float] = {}

    def record(event: Any) -> None:
        if event.kind == "assigned":
            started[event.interaction_id] = event.at
        elif event.kind == "completed":
            handled[event.interaction_id] = event.at - started[event.interaction_id]

    simulation.router.subscribe(record)
    result = simulation.run()
    assert result.customers == 4
    # Three agents, four calls 10 s apart, 100 s each: the fourth waits until 100 s.
    assert all(seconds == pytest.approx(100.0) for seconds in handled.values())
    assert result.channels["voice"]["asa"] == pytest.approx((0 + 0 + 0 + 70) / 4)


def test_email_backlog_and_reply_times() -> None:
    email = (
        "[[workload]]\nchannel = 'email'\nrate_per_hour = 20\n"
        "handle_time = { distribution = 'exponential', mean_seconds = 600 }\n"
    )
    report = simulate(scenario(email))
    figures = report.channels()["email"]
    assert figures["response_time"].mean > figures["asa"].mean
    assert figures["backlog_mean"].mean > 0
    assert figures["abandonment_rate"].mean == 0
    assert math.isnan(report.channels()["email"]["own_advisor_share"].mean)


def test_report_json_dataframe_and_plots(tmp_path: Path) -> None:
    report = simulate(scenario())
    document = report.to_json()
    assert document["replications"] == 2
    assert set(document["channels"]["voice"]["service_level"]) == {
        "mean",
        "half_width",
        "low",
        "high",
        "replications",
    }
    level = document["channels"]["voice"]["service_level"]
    assert 0.0 <= level["low"] <= level["mean"] <= level["high"] <= 1.0
    assert len(document["per_replication"]) == 2
    frame = report.to_dataframe("teams")
    assert set(frame["team"]) == {"desk"}
    with pytest.raises(om.ValidationError, match="must be one of channels, queues") as bad:
        report.to_dataframe("galaxies")
    assert bad.value.fields == ["level"]
    import matplotlib

    matplotlib.use("Agg")
    axes = report.plot_waiting_times("voice")
    assert axes.get_xlabel().startswith("time to answer")
    axes = report.plot_service_level("voice")
    assert len(axes.lines) == 1
    with pytest.raises(KeyError, match="pigeon"):
        report.waiting_distribution("pigeon")
    for bad_call in (report.plot_waiting_times, report.plot_service_level):
        with pytest.raises(om.UnknownChannelError, match="known channels: voice") as unknown:
            bad_call("pigeon")
        assert isinstance(unknown.value, om.OmnirouterError)
