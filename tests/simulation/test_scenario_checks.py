"""Scenario loading: every error at once with its field, limits, lints and file references."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

import omnirouter as om
from omnirouter.cli import main
from omnirouter.routing.blending import BlendRule, unknown_names
from omnirouter.simulation import Scenario, compare, load_scenario, simulate

DESK = """
horizon_hours = 2
replications = 2

[[teams]]
name = "desk"
size = 2
capacity = { voice = 1, email = 1 }
"""

VOICE = """
[[workload]]
channel = "voice"
rate_per_hour = 20
handle_time = { distribution = "constant", seconds = 120 }
"""


def _write(folder: Path, text: str, name: str = "scenario.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(text: str, tmp_path: Path, **options: object) -> om.ValidationError:
    with pytest.raises(om.ValidationError) as caught:
        load_scenario(_write(tmp_path, text), **options)  # type: ignore[arg-type]
    return caught.value


def test_every_broken_field_is_reported_at_load_time_together(tmp_path: Path) -> None:
    text = (
        DESK
        + VOICE
        + """
[router]
selection = "fastest"
offer_timeout = -3

[[queues]]
name = "billing"
accepts = "skills.billing >== 3"

  [[queues.steps]]
  target = "skills.billing >"
"""
    )
    error = _refused(text, tmp_path)
    assert error.title.startswith(str(tmp_path / "scenario.toml"))
    assert set(error.fields) == {
        "router.selection",
        "router.offer_timeout",
        "queues.0.accepts",
        "queues.0.steps.0.target",
    }
    messages = {detail.location: detail.message for detail in error.errors}
    assert "unknown policy 'fastest'" in messages["router.selection"]
    assert "column 18" in messages["queues.0.accepts"]


@pytest.mark.parametrize(
    ("condition", "field", "message"),
    [
        ('when = "waiting.vocie > 2"', "when", "did you mean 'voice'"),
        ('when = "longest_wait.emial > 60"', "when", "did you mean 'email'"),
        ('agents = "holding.vocie > 0"\nwhen = "waiting.voice > 0"', "agents", "no channel"),
        ('when = "queues.nosuchqueue.waiting > 1"', "when", "no queue 'nosuchqueue'"),
        ('when = "queues.front.wating > 1"', "when", "did you mean 'waiting'"),
    ],
)
def test_misspelt_names_in_blend_conditions_are_refused(
    tmp_path: Path, condition: str, field: str, message: str
) -> None:
    rule = '\n[[queues]]\nname = "front"\n\n[[blending]]\nname = "r"\noffer = ["voice"]\n'
    rule += condition + "\n"
    error = _refused(DESK + VOICE + rule, tmp_path)
    assert error.fields == [f"blending.0.{field}"]
    assert message in error.errors[0].message


def test_unknown_names_checks_a_router_rule_against_channels_and_queues() -> None:
    rule = BlendRule("r", when="waiting.voice > 2 AND queues.sales.waiting > 0", offer="voice")
    assert unknown_names(rule, ["voice"], ["sales"]) == []
    assert unknown_names(rule, ["voice"]) == []  # queue names unchecked without a list
    assert [field for field, _ in unknown_names(rule, ["email"], [])] == ["when", "when"]


def test_a_day_curve_longer_than_a_day_is_refused_clearly(tmp_path: Path) -> None:
    curve = "\n[[workload]]\nchannel = 'voice'\nrates_per_hour = [{}]\n{}"
    curve += "handle_time = {{ distribution = 'constant', seconds = 60 }}\n"
    error = _refused(DESK + curve.format(", ".join(["5"] * 25), ""), tmp_path)
    assert error.fields == ["workload.0"]
    assert "more than a day; give at most 24 rates" in error.errors[0].message
    half_hours = curve.format(", ".join(["5"] * 48), "interval_minutes = 30\n")
    assert load_scenario(_write(tmp_path, DESK + half_hours)).workload[0].rates_per_hour


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:00:00+00:00"])
def test_extreme_start_dates_are_typed_errors(tmp_path: Path, start: str) -> None:
    error = _refused(f"start = {start}\n" + DESK + VOICE, tmp_path)
    assert error.fields == ["start"]


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ("{ distribution = 'lognormal', mean_seconds = 1e-300, sd_seconds = 1e300 }", "sd_seconds"),
        ("{ distribution = 'gamma', mean_seconds = 100, sd_seconds = 1e-9 }", "between"),
        ("{ distribution = 'exponential', mean_seconds = 1e300 }", "less than or equal"),
        ("{ distribution = 'constant', seconds = 1e20 }", "less than or equal"),
    ],
)
def test_extreme_distribution_parameters_are_typed_errors(
    tmp_path: Path, distribution: str, message: str
) -> None:
    text = (
        DESK + f"[[workload]]\nchannel = 'voice'\nrate_per_hour = 5\nhandle_time = {distribution}\n"
    )
    error = _refused(text, tmp_path)
    assert all(field.startswith("workload.0.handle_time") for field in error.fields)
    assert message in str(error)


def test_limits_refuse_before_anything_is_built(tmp_path: Path) -> None:
    flood = DESK.replace("horizon_hours = 2", "horizon_hours = 1") + VOICE.replace(
        "rate_per_hour = 20", "rate_per_hour = 1e9"
    )
    error = _refused(flood, tmp_path)
    assert error.fields == ["workload"]
    assert "Limits.customers_per_run" in str(error)
    portfolios = (
        DESK + VOICE + "\n[[teams]]\nname = 'big'\nsize = 100000\nportfolio_size = 1000000\n"
    )
    # 10^11 portfolio customers: refused from the sizes, never built.
    assert "Limits.portfolio_customers" in str(_refused(portfolios, tmp_path))
    tiny = (
        DESK.replace("horizon_hours = 2", "horizon_hours = 8000\ninterval_minutes = 1e-6") + VOICE
    )
    tiny_error = _refused(tiny, tmp_path)
    assert "Limits.intervals_per_run" in str(tiny_error)
    assert "Limits.horizon_hours" not in str(tiny_error)
    assert "Limits.horizon_hours" in str(_refused(tiny.replace("8000", "9000"), tmp_path))


def test_limits_are_configurable(tmp_path: Path) -> None:
    path = _write(tmp_path, DESK + VOICE)
    assert load_scenario(path).expected_customers() == pytest.approx(40.0)
    with pytest.raises(om.ValidationError, match=r"Limits\.customers_per_run"):
        load_scenario(path, limits=om.Limits(customers_per_run=10))
    with pytest.raises(om.ValidationError, match=r"Limits\.file_bytes"):
        load_scenario(path, limits=om.Limits(file_bytes=10))
    with pytest.raises(ValueError, match="finite number > 0"):
        om.Limits(replications=0)


def test_replications_are_capped_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, DESK + VOICE)
    scenario = load_scenario(path)
    for run in (
        lambda: simulate(scenario, replications=10_001),
        lambda: compare([scenario], replications=10_001),
        lambda: simulate(scenario, replications=0),
    ):
        with pytest.raises(om.ValidationError, match=r"Limits\.replications"):
            run()
    assert main(["simulate", str(path), "--replications", "10001"]) == 2
    assert "--replications: must be from 1 to 10,000" in capsys.readouterr().err
    with pytest.raises(om.ValidationError, match="replications"):
        scenario.with_changes(replications=10_001)


def test_lints_warn_about_legal_but_suspicious_scenarios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    callbacks = VOICE.replace(
        "rate_per_hour = 20",
        "rate_per_hour = 20\ncallback_share = 0.5\n"
        "patience = { distribution = 'exponential', mean_seconds = 30 }",
    )
    chat = "\n[[workload]]\nchannel = 'chat'\nrate_per_hour = 5\n"
    chat += "handle_time = { distribution = 'constant', seconds = 60 }\n"
    path = _write(tmp_path, DESK + callbacks + chat)
    with pytest.warns(om.ScenarioWarning) as caught:
        load_scenario(path)
    found = {(w.message.path, type(w.message)) for w in caught}  # type: ignore[union-attr]
    assert found == {
        (("workload", 0, "callback_share"), om.ScenarioWarning),
        (("workload", 1, "channel"), om.ScenarioWarning),
    }
    assert main(["simulate", str(path), "--replications", "1", "--json"]) == 0
    err = capsys.readouterr().err
    assert "warning: workload.0.callback_share:" in err
    assert "warning: workload.1.channel: no agent serves channel 'chat'" in err
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_scenario(_write(tmp_path, DESK + VOICE, "clean.toml"))  # no warning at all


def test_file_references_stay_in_the_scenario_folder(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    _write(outside, DESK + VOICE, "base.toml")
    inside = tmp_path / "project"
    inside.mkdir()
    for reference in ("../elsewhere/base.toml", str(outside / "base.toml")):
        error = _refused(f'extends = "{reference}"\nname = "x"\n', inside)
        assert error.fields == ["extends"]
        assert "outside the folder" in str(error)
    allowed = load_scenario(
        _write(inside, 'extends = "../elsewhere/base.toml"\nname = "x"\n'), allow_files_outside=True
    )
    assert allowed.name == "x"
    replay = DESK + "[[workload]]\nchannel = 'voice'\nreplay = '../elsewhere/log.csv'\n"
    replay += "handle_time = { distribution = 'constant', seconds = 60 }\n"
    assert _refused(replay, inside).fields == ["workload.0.replay"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_or_device_is_refused_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    replay = DESK + "[[workload]]\nchannel = 'voice'\nreplay = 'pipe.csv'\n"
    replay += "handle_time = { distribution = 'constant', seconds = 60 }\n"
    error = _refused(replay, tmp_path)
    assert "not a regular file" in str(error)
    os.mkfifo(tmp_path / "scenario-pipe.toml")
    with pytest.raises(om.ValidationError, match="not a regular file"):
        load_scenario(tmp_path / "scenario-pipe.toml")
    if Path("/dev/zero").exists():
        empirical = DESK + "[[workload]]\nchannel = 'voice'\nrate_per_hour = 1\n"
        empirical += "handle_time = { distribution = 'empirical', file = '/dev/zero' }\n"
        error = _refused(empirical, tmp_path, allow_files_outside=True)
        assert "not a regular file" in str(error)


def test_errors_never_repeat_file_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n" * 2, encoding="utf-8")
    for field in (
        "replay = 'passwd'\nhandle_time = { distribution = 'constant', seconds = 1 }",
        "rate_per_hour = 1\nhandle_time = { distribution = 'empirical', file = 'passwd' }",
    ):
        path = _write(tmp_path, DESK + f"[[workload]]\nchannel = 'voice'\n{field}\n")
        assert main(["simulate", str(path), "--replications", "1"]) == 2
        err = capsys.readouterr().err
        assert "root:x" not in err
        assert "/bin/bash" not in err
        assert err.count("\n") == 1


def test_binary_garbage_is_a_typed_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "garbage.toml"
    path.write_bytes(bytes(range(256)) * 4)
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not UTF-8 text (byte 128 cannot be decoded)" in err
    assert err.count("\n") == 1


def test_misspelt_fields_get_a_suggestion(tmp_path: Path) -> None:
    text = DESK.replace("horizon_hours", "horizon_hour").replace("capacity", "capacty") + VOICE
    error = _refused(text.replace('channel = "voice"', 'chanel = "voice"'), tmp_path)
    messages = {detail.location: detail.message for detail in error.errors}
    assert messages["horizon_hour"] == (
        "Extra inputs are not permitted; did you mean 'horizon_hours'?"
    )
    assert messages["teams.0.template.capacty"].endswith("did you mean 'capacity'?")
    assert messages["workload.0.chanel"].endswith("did you mean 'channel'?")
    with pytest.raises(om.ValidationError, match="did you mean 'synchronous'"):
        om.ChannelTraits(name="pager", synchronus=False)  # type: ignore[call-arg]


def test_a_new_channel_needs_only_a_name_and_traits(tmp_path: Path) -> None:
    pager = om.ChannelTraits(name="pager", synchronous=False)
    assert pager.service_level_target.total_seconds() == 24 * 3600
    assert om.ChannelTraits(name="hotline", synchronous=True).service_level_target.seconds == 20
    assert (
        om.ChannelTraits(name="forum", synchronous=False, public=True).service_level_target.seconds
        == 3600
    )
    text = (
        DESK.replace("email = 1", "email = 1, pager = 1")
        + "[[channels]]\nname = 'pager'\nsynchronous = false\n"
    )
    text += "[[workload]]\nchannel = 'pager'\nrate_per_hour = 3\n"
    text += "handle_time = { distribution = 'constant', seconds = 60 }\n"
    scenario = load_scenario(_write(tmp_path, text))
    assert scenario.thresholds() == {"pager": 24 * 3600.0}
    assert isinstance(scenario, Scenario)


def test_extends_chains_are_bounded(tmp_path: Path) -> None:
    _write(tmp_path, DESK + VOICE, "s0.toml")
    for number in range(1, 35):
        _write(tmp_path, f'extends = "s{number - 1}.toml"\nname = "s{number}"\n', f"s{number}.toml")
    assert load_scenario(tmp_path / "s30.toml").name == "s30"
    with pytest.raises(om.ValidationError, match="more than 32 files extend one another"):
        load_scenario(tmp_path / "s34.toml")
    _write(tmp_path, 'extends = "loop.toml"\n', "loop.toml")
    with pytest.raises(om.ValidationError, match="extends itself"):
        load_scenario(tmp_path / "loop.toml")
