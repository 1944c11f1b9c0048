"""A router on the compiled dispatch core against a router on the Python reference.

The same seeded random operations (submit, accept, decline, complete with and without
wrap-up, abandon, transfer, cancel, presence changes, timers, blending rules that
pause and resume work) run on each core, each in a fresh process (the core is chosen
at import); the events, every call's outcome and the final snapshot must be identical.
100,000 operations per test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).with_name("_differential_router.py")
SEEDS = (1, 2, 3, 4)
OPERATIONS = 25_000


def start(seed: int, pure_python: bool) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("OMNIROUTER_PURE_PYTHON", None)
    if pure_python:
        env["OMNIROUTER_PURE_PYTHON"] = "1"
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(seed), str(OPERATIONS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.parametrize("seed", SEEDS)
def test_both_cores_give_the_same_events_outcomes_and_snapshot(seed: int) -> None:
    compiled, reference = start(seed, pure_python=False), start(seed, pure_python=True)
    native, python = finish(compiled), finish(reference)
    assert (native["implementation"], python["implementation"]) == ("native", "python")
    assert len(native["outcomes"]) == OPERATIONS
    kinds = {event[0] for event in python["events"]}
    # The run reaches what the compiled parts decide: capacity, blending, timers.
    assert {"assigned", "paused", "resumed", "offer_timeout", "wrap_up_ended"} <= kinds
    assert native["outcomes"] == python["outcomes"]
    for number, (got, expected) in enumerate(zip(native["events"], python["events"], strict=False)):
        assert got == expected, f"event {number} differs"
    assert len(native["events"]) == len(python["events"])
    assert native["snapshot"] == python["snapshot"]
