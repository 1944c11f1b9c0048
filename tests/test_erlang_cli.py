"""``omnirouter erlang``: the staffing table and its errors."""

from __future__ import annotations

import json

import pytest

from omnirouter.cli import main


def test_table_around_the_needed_staffing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang", "--arrivals-per-hour", "120", "--aht", "240"]) == 0
    out = capsys.readouterr().out
    assert "8.00 Erlangs" in out
    assert "needs 11 agents for 80% within 20 s" in out
    assert "    10        0.409          65.4%     49.1 s      80.0%" in out
    assert "P(all busy)" in out


def test_erlang_a_header_quotes_the_erlang_a_staffing(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["erlang", "--arrivals-per-hour", "120", "--aht", "240", "--patience", "120"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Erlang A needs 10 agents for 80% within 20 s" in out  # Erlang C would say 11
    assert "Erlang C needs" not in out
    assert main([*argv, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["agents_for_target_erlang_a"] == 10
    ten = next(row for row in document["rows"] if row["agents"] == 10)
    assert ten["service_level"] >= 0.8
    nine = next(row for row in document["rows"] if row["agents"] == 9)
    assert nine["service_level"] < 0.8


def test_json_with_patience(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["erlang", "--arrivals-per-hour", "120", "--aht", "240", "--agents", "9-10"]
    assert main([*argv, "--patience", "180", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["traffic_erlangs"] == pytest.approx(8.0)
    assert [row["agents"] for row in document["rows"]] == [9, 10]
    assert 0 < document["rows"][0]["p_abandon"] < 0.2


def test_unstable_staffing_prints_infinite_asa(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["erlang", "--arrivals-per-hour", "120", "--aht", "240", "--agents", "8"]) == 0
    assert "inf" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--agents", "ten"], "--agents"),
        (["--agents", "9-3"], "ascending"),
        (["--target", "1.2"], "target"),
        (["--aht", "nan"], "--aht"),
        (["--threshold", "inf"], "--threshold"),
        (["--patience", "-1"], "--patience"),
        (["--agents", "1-99999999999999"], "at most 1,000 rows"),
    ],
)
def test_bad_options_exit_2_with_a_message(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["erlang", "--arrivals-per-hour", "120", "--aht", "240", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
