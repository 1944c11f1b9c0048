"""Kill -9 at random moments, recover, and nothing acknowledged is lost (≥ 50 rounds)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from crash_harness import check_recovered, run_round

ROUNDS = 50


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_sigkill_rounds_lose_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(20240807)
    path = tmp_path / "crash.db"
    acknowledged: list[tuple[int, str, str]] = []
    killed = 0
    for round_no in range(ROUNDS):
        durability = "command" if round_no % 2 == 0 else "group"
        outcome = run_round(path, durability, rng.randrange(2**32), round_no, rng)
        killed += outcome["exit"] != 0
        acknowledged.extend(outcome["acks"])
        commands = check_recovered(path, acknowledged, full_replay=round_no % 10 == 9)
        assert commands >= len({a[2] for a in acknowledged if a[1] == "submitted"})
    assert killed == ROUNDS
    assert len(acknowledged) > ROUNDS * 5
