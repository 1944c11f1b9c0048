"""``omnirouter plan``: tables, shifts, what-if growth, JSON, and refused input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omnirouter.cli import main

SHIFTS = """
[[shifts]]
name = "half"
start = "08:00"
hours = 0.5

[[shifts]]
name = "hour"
start = "08:00"
hours = 1
"""


@pytest.fixture
def files(tmp_path: Path, single_toml: str) -> tuple[Path, Path]:
    scenario = tmp_path / "desk.toml"
    scenario.write_text(single_toml.replace("horizon_hours = 2", "horizon_hours = 1"), "utf-8")
    shifts = tmp_path / "shifts.toml"
    shifts.write_text(SHIFTS, "utf-8")
    return scenario, shifts


def test_plan_prints_plan_roster_and_what_if(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, shifts = files
    code = main(
        [
            "plan",
            str(scenario),
            "--interval",
            "30",
            "--shifts",
            str(shifts),
            "--grow",
            "voice=1.4",
            "--replications",
            "2",
            "--verify",
            "2",
            "--workers",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "plan: one queue, 30-minute intervals" in out
    assert "what-if (voice x1.4)" in out
    assert "per-channel Erlang plan" in out
    assert "hour" in out  # the roster table
    assert "agent-hours desk" in out  # the what-if deltas
    assert "simulated days" in out


def test_plan_json(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    scenario, _ = files
    code = main(
        [
            "plan",
            str(scenario),
            "--replications",
            "2",
            "--verify",
            "2",
            "--workers",
            "1",
            "--cost",
            "desk=25",
            "--json",
        ]
    )
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    (plan,) = document["plans"]
    assert plan["groups"] == ["desk"]
    assert plan["cost"]["money"] == pytest.approx(plan["cost"]["agent_hours"] * 25)
    assert plan["baseline"]["method"] == "erlang"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grow", "voice"], "--grow"),
        (["--grow", "fax=2"], "fax"),
        (["--cost", "desk=abc"], "--cost"),
        (["--interval", "45"], "interval_minutes"),
        (["--grow", "voice=2", "--forecast", "f.csv"], "not a forecast file"),
    ],
)
def test_bad_input_exits_2_and_names_it(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    scenario, _ = files
    assert main(["plan", str(scenario), "--workers", "1", *extra]) == 2
    assert message in capsys.readouterr().err


def test_progress_bar_draws_each_batch() -> None:
    import io

    from omnirouter._cli.plan import _ProgressBar

    stream = io.StringIO()
    bar = _ProgressBar(stream, "plan")
    bar("search", 2, 4)
    bar("search", 4, 4)
    bar("trim", 1, 8)
    bar.close()
    text = stream.getvalue()
    assert "plan: [" in text
    assert "2/4 simulations, batch 1" in text
    assert "4/4 simulations, batch 1" in text
    assert "1/8 simulations, batch 2" in text
    assert text.endswith("\n")
