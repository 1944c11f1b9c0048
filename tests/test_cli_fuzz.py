"""The command line under generated input: valid, mutated and hostile.

Scenario TOML, CSV files and command-line arguments are generated; whatever comes in,
the command ends with exit code 0 (done) or 2 (refused, one line on stderr) and never
with an uncaught exception. Time stays bounded because every value large enough to
make a run long is beyond a documented limit (customers per run, horizon, replications,
team size), so it is refused before any work — the generators draw from small values
and from values far beyond the limits, nothing in between.
"""

from __future__ import annotations

import copy
import math
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from omnirouter.cli import main

VALID: dict[str, Any] = {
    "name": "fuzz",
    "horizon_hours": 1,
    "replications": 1,
    "seed": 1,
    "queues": [{"name": "front", "accepts": "", "steps": [{"target": "skills.billing >= 1"}]}],
    "teams": [{"name": "desk", "size": 2, "skills": {"billing": 2}, "capacity": {"voice": 1}}],
    "workload": [
        {
            "channel": "voice",
            "rate_per_hour": 20,
            "handle_time": {"distribution": "exponential", "mean_seconds": 120},
            "patience": {"distribution": "exponential", "mean_seconds": 60},
        }
    ],
}

#: Hostile and ordinary values: small enough to run quickly, or far beyond a limit.
VALUES = st.sampled_from(
    [
        0,
        1,
        2,
        -1,
        -3,
        0.5,
        1e-300,
        1e300,
        1e9,
        10**20,
        math.inf,
        -math.inf,
        math.nan,
        True,
        "",
        "x",
        "voice",
        "email",
        "pigeon",
        "skills.billing >== 3",
        "waiting.vocie > 2",
        "../outside.toml",
        "/dev/zero",
        "/etc/passwd",
        "log.csv",
        "fifo",
        "missing.csv",
        "0001-01-01T00:00:00+00:00",
        "25:99",
        "\x00\x01",
        "ä" * 300,
        [],
        [1] * 30,
        [5] * 24,
        {},
        {"distribution": "lognormal", "mean_seconds": 1e-300, "sd_seconds": 1e300},
        {"distribution": "gamma", "mean_seconds": 10, "sd_seconds": 3},
        {"distribution": "empirical", "file": "log.csv"},
        {"distribution": "empirical", "file": "/dev/zero"},
        {"file": "../strategy.toml"},
        [{"start": "00:10", "minutes": 1e300}],
        [{"start": "00:10", "minutes": 5}],
        {"start": "00:00", "end": "00:30"},
    ]
)

#: Places a mutation may touch, each with hostile values of its own kind (drawn as often
#: as the general ones above).
PLACES: dict[tuple[str | int, ...], list[Any]] = {
    ("horizon_hours",): [0.25, 1e-300, 1e300, 9000],
    ("warmup_hours",): [0.5, 0.99, 1e300],
    ("replications",): [2, 10_001, 0],
    ("interval_minutes",): [1e-300, 1e-6, 15],
    ("start",): ["2024-03-31T01:30:00+01:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
    ("extends",): ["../outside.toml", "scenario.toml", "fifo", "/dev/zero"],
    ("router", "selection"): ["round_robin", "fastest", ""],
    ("router", "offer_timeout"): [1e-300, 1e300, 0.5, -3],
    ("priority",): [{"file": "../strategy.toml"}, {"file": "fifo"}, {"name": "p"}],
    ("service_levels",): [{"targets": {"voice": {"threshold": 1e-300}}}, {"targets": {"x": {}}}],
    ("blending",): [
        [{"name": "r", "when": "waiting.vocie > 2", "offer": ["voice"]}],
        [{"name": "r", "when": "waiting.voice > 0", "offer": ["voice"], "recheck": 1e-300}],
    ],
    ("chanels",): [[]],
    ("queues", 0, "accepts"): ["skills.billing >== 3", "channel == 'voice'", "(" * 500],
    ("queues", 0, "steps"): [[{"target": "x", "timeout": 1e-300}], []],
    ("teams", 0, "size"): [100_001, 0, 3],
    ("teams", 0, "portfolio_size"): [10**7, 5],
    ("teams", 0, "capacity"): [{"pigeon": 1}, {"voice": 0}, {"voice": 10**9}],
    ("teams", 0, "shift"): [{"start": "23:00", "end": "01:00"}, {"start": "25:00", "end": "x"}],
    ("teams", 0, "breaks"): [
        [{"start": "00:10", "minutes": 1e300}],
        [{"start": "00:10", "minutes": 1e-300}],
        [{"start": "00:10", "minutes": 5}],
    ],
    ("workload", 0, "channel"): ["callback", "email", "pigeon"],
    ("workload", 0, "rate_per_hour"): [1e9, 1e-300, 1e300, 60],
    ("workload", 0, "rates_per_hour"): [[1] * 25, [1e9] * 24, [], [5, 10]],
    ("workload", 0, "replay"): ["log.csv", "fifo", "/dev/zero", "../outside.toml"],
    ("workload", 0, "handle_time"): [
        {"distribution": "lognormal", "mean_seconds": 1e-300, "sd_seconds": 1e300},
        {"distribution": "constant", "seconds": 1e300},
        {"distribution": "constant", "seconds": 0},
        {"distribution": "empirical", "file": "/dev/zero"},
    ],
    ("workload", 0, "patience"): [{"distribution": "constant", "seconds": 0}],
    ("workload", 0, "callback_share"): [1, 0.5],
    ("workload", 0, "callback_delay"): [1e300, 1e-300],
    ("workload", 0, "interval_minutes"): [1e-300, 1e300],
    ("workload", 0, "curve_start"): ["23:59", "24:00"],
    ("workload", 0, "hadle_time"): [1],
    ("queues", 0, "steps", 0, "timeout"): [1e-300, 1e300],
}

MUTATION = st.sampled_from(sorted(PLACES, key=str)).flatmap(
    lambda place: st.tuples(st.just(place), st.one_of(st.sampled_from(PLACES[place]), VALUES))
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 2**63 else f'"{value}"'
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        escaped = "".join(
            ch if ch.isprintable() and ch not in '"\\' else f"\\u{ord(ch):04x}" for ch in value
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"


def to_toml(document: dict[str, Any]) -> str:
    """A TOML document: every top-level key as ``key = <inline value>``."""
    return "".join(f'"{key}" = {_toml_value(value)}\n' for key, value in document.items())


def _mutate(document: dict[str, Any], place: tuple[str | int, ...], value: Any) -> None:
    """Set ``value`` at ``place``, making tables on the way (an earlier mutation may have
    replaced a table by a scalar: then this one lands on the top-level key instead)."""
    target: Any = document
    for part in place[:-1]:
        if isinstance(target, dict) and isinstance(part, str):
            target = target.setdefault(part, {})
        elif isinstance(target, list) and isinstance(part, int) and part < len(target):
            target = target[part]
        else:
            document[str(place[0])] = value
            return
    if isinstance(target, dict | list) and not (
        isinstance(target, list) and not isinstance(place[-1], int)
    ):
        if isinstance(target, dict):
            target[str(place[-1])] = value
        elif isinstance(place[-1], int) and place[-1] < len(target):
            target[place[-1]] = value
    else:
        document[str(place[0])] = value


def _exit_code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as stop:  # argparse refuses unparsable options with exit code 2
        return int(stop.code or 0)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    project = root / "project"
    project.mkdir()
    (root / "outside.toml").write_text(to_toml(VALID), encoding="utf-8")
    (root / "strategy.toml").write_text('name = "s"\n', encoding="utf-8")
    (project / "log.csv").write_text("at\n10\n20\n", encoding="utf-8")
    if hasattr(__import__("os"), "mkfifo"):
        __import__("os").mkfifo(project / "fifo")
    return project


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(SETTINGS, max_examples=150)
@example(mutations=[(("teams", 0, "breaks"), [{"start": "00:10", "minutes": 1e300}])], options=[])
@example(mutations=[(("router", "offer_timeout"), 1e-300)], options=[])
@example(mutations=[(("workload", 0, "rates_per_hour"), [1] * 25)], options=[])
@example(mutations=[(("workload", 0, "rate_per_hour"), 1e9)], options=[])
@example(mutations=[(("workload", 0, "replay"), "/dev/zero")], options=[["--allow-files-outside"]])
@example(mutations=[(("workload", 0, "replay"), "fifo")], options=[])
@example(mutations=[(("start",), "0001-01-01T00:00:00Z")], options=[])
@example(mutations=[(("teams", 0, "portfolio_size"), 10**7)], options=[])
@example(mutations=[], options=[["--replications", "10001"]])
@given(
    mutations=st.lists(MUTATION, max_size=4),
    options=st.lists(
        st.sampled_from(
            [
                ["--replications", "2"],
                ["--replications", "0"],
                ["--replications", "10001"],
                ["--replications", "x"],
                ["--seed", "99999999999999999999999"],
                ["--seed", "-4"],
                ["--json"],
                ["--allow-files-outside"],
            ]
        ),
        max_size=2,
    ),
)
def test_simulate_exits_0_or_2_for_any_scenario(
    folder: Path,
    mutations: list[tuple[tuple[str | int, ...], Any]],
    options: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = copy.deepcopy(VALID)
    for place, value in mutations:
        _mutate(document, place, value)
    path = folder / "scenario.toml"
    path.write_text(to_toml(document), encoding="utf-8")
    argv = ["simulate", str(path), "--no-progress", *[o for pair in options for o in pair]]
    code = _exit_code(argv)
    event(f"exit code {code}")
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2 and "usage:" not in err:
        refusals = [line for line in err.splitlines() if "warning:" not in line]
        assert len(refusals) == 1, err  # exactly one line says what and where


@SETTINGS
@given(data=st.binary(max_size=400), cut=st.integers(min_value=0, max_value=600))
def test_simulate_survives_garbage_and_truncated_files(
    folder: Path, data: bytes, cut: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = folder / "garbage.toml"
    valid = to_toml(VALID).encode("utf-8")
    path.write_bytes(valid[:cut] + data)
    assert _exit_code(["simulate", str(path), "--no-progress"]) in (0, 2)
    capsys.readouterr()


CELLS = st.text(alphabet=string.printable + "äöüßé\x00\u2028", max_size=12)


@SETTINGS
@given(
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=8),
    header=st.sampled_from(
        [
            ["id", "full_name", "email"],
            ["Kundennr", "Vorname", "Nachname", "E-Mail"],
            ["id", "given_name", "family_name", "birth_date", "phone", "postcode"],
            [],
        ]
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    options=st.lists(
        st.sampled_from(
            [
                ["--delimiter", ";"],
                ["--delimiter", ";;"],
                ["--delimiter", ""],
                ["--encoding", "cp1252"],
                ["--encoding", "nope"],
                ["--id-column", "Kundennr"],
                ["--map", "given_name=Vorname"],
                ["--map", "nonsense"],
                ["--map", "family_name=Nachname"],
                ["--threshold", "0.9"],
                ["--threshold", "7"],
                ["--max-field-size", "4"],
                ["--only-duplicates"],
                ["--no-household-guard"],
            ]
        ),
        max_size=3,
    ),
)
def test_dedupe_exits_0_or_2_for_any_csv(
    folder: Path,
    rows: list[list[str]],
    header: list[str],
    encoding: str,
    options: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    path = folder / "contacts.csv"
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    argv = ["dedupe", str(path), "--quiet", *[o for pair in options for o in pair]]
    code = _exit_code(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), err


@SETTINGS
@given(
    arguments=st.lists(
        st.sampled_from(
            [
                ["--arrivals-per-hour", "120"],
                ["--arrivals-per-hour", "-5"],
                ["--arrivals-per-hour", "1e308"],
                ["--aht", "240"],
                ["--aht", "0"],
                ["--aht", "nan"],
                ["--agents", "8-14"],
                ["--agents", "0"],
                ["--agents", "14-8"],
                ["--agents", "1-99999999999"],
                ["--threshold", "inf"],
                ["--target", "0.999"],
                ["--target", "1"],
                ["--patience", "60"],
                ["--patience", "-1"],
                ["--json"],
            ]
        ),
        max_size=5,
    )
)
def test_erlang_exits_0_or_2_for_any_options(
    arguments: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["erlang", *[o for pair in arguments for o in pair]]
    code = _exit_code(argv)
    assert code in (0, 2), capsys.readouterr().err
    capsys.readouterr()
