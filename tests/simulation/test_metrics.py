"""KPI tallies: answers folded in batches give exactly what folding each at once gives."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.simulation import metrics
from omnirouter.simulation.metrics import HISTOGRAM_BINS, AgentTally, GroupTally

WARMUP_END = 100.0
HORIZON_END = 2_000.0
INTERVAL = 300.0
THRESHOLD = 20.0


@dataclass
class _Direct:
    """The definitions, folded one event at a time (the oracle)."""

    synchronous: bool
    offered: int = 0
    answered: int = 0
    completed: int = 0
    abandoned: int = 0
    delayed: int = 0
    judged: int = 0
    within: int = 0
    wait_total: float = 0.0
    response_total: float = 0.0
    backlog: int = 0
    max_backlog: int = 0
    backlog_area: float = 0.0
    overflow: int = 0
    bins: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_BINS)
    interval_answered: list[int] = field(default_factory=lambda: [0] * 7)
    interval_within: list[int] = field(default_factory=lambda: [0] * 7)

    def leave(self, arrived: float, at: float) -> None:
        self.backlog -= 1
        start = max(arrived, WARMUP_END)
        if at > start:
            self.backlog_area += at - start

    def judge(self, arrived: float, elapsed: float) -> None:
        self.judged += 1
        index = int(elapsed / (THRESHOLD / 20)) if elapsed > 0 else 0
        if index < HISTOGRAM_BINS:
            self.bins[index] += 1
        else:
            self.overflow += 1
        interval = min(int((arrived - WARMUP_END) / INTERVAL), 6)
        self.interval_answered[interval] += 1
        if elapsed <= THRESHOLD:
            self.within += 1
            self.interval_within[interval] += 1

    def arrive(self, at: float) -> None:
        self.offered += at >= WARMUP_END
        self.backlog += 1
        self.max_backlog = max(self.max_backlog, self.backlog)

    def assign(self, arrived: float, at: float) -> None:
        if self.synchronous:
            self.leave(arrived, at)
        if arrived >= WARMUP_END:
            self.answered += 1
            self.delayed += at > arrived
            self.wait_total += at - arrived
            if self.synchronous:
                self.judge(arrived, at - arrived)

    def complete(self, arrived: float, at: float) -> None:
        if not self.synchronous:
            self.leave(arrived, at)
        if arrived >= WARMUP_END:
            self.completed += 1
            self.response_total += at - arrived
            if not self.synchronous:
                self.judge(arrived, at - arrived)

    def abandon(self, arrived: float, at: float) -> None:
        self.leave(arrived, at)
        self.abandoned += arrived >= WARMUP_END

    def still_open(self, arrived: float, end: float) -> None:
        start = max(arrived, WARMUP_END)
        if end > start:
            self.backlog_area += end - start


_steps = st.lists(
    st.tuples(
        st.sampled_from(["arrive", "arrive", "assign", "complete", "abandon"]),
        st.one_of(st.just(0.0), st.floats(0.0, 150.0)),
        st.integers(0, 10_000),
    ),
    min_size=5,
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(_steps, st.booleans(), st.integers(1, 8))
def test_batched_answers_give_the_figures_of_folding_each_at_once(
    steps: list[tuple[str, float, int]], synchronous: bool, batch: int
) -> None:
    tally = GroupTally(
        "voice",
        synchronous=synchronous,
        threshold=THRESHOLD,
        warmup_end=WARMUP_END,
        horizon_end=HORIZON_END,
        interval_seconds=INTERVAL,
    )
    direct = _Direct(synchronous)
    waiting: list[float] = []
    working: list[float] = []
    now = 0.0
    saved, metrics.ANSWER_BATCH = metrics.ANSWER_BATCH, batch
    try:
        for kind, gap, pick in steps:
            now += gap
            if kind == "arrive":
                tally.arrived(now, now >= WARMUP_END)
                direct.arrive(now)
                waiting.append(now)
            elif kind == "assign" and waiting:
                arrived = waiting.pop(pick % len(waiting))
                tally.assigned(arrived, now, arrived >= WARMUP_END)
                direct.assign(arrived, now)
                working.append(arrived)
            elif kind == "complete" and working:
                arrived = working.pop(pick % len(working))
                tally.completed_work(arrived, now, arrived >= WARMUP_END)
                direct.complete(arrived, now)
            elif kind == "abandon" and waiting:
                arrived = waiting.pop(pick % len(waiting))
                tally.abandoned_work(arrived, now, arrived >= WARMUP_END, callback=False)
                direct.abandon(arrived, now)
        assert len(tally.answers) < batch  # held back no longer than a batch
        open_customers = waiting if synchronous else waiting + working
        for arrived in open_customers:
            tally.still_open(arrived, HORIZON_END, arrived >= WARMUP_END)
            direct.still_open(arrived, HORIZON_END)
        figures = tally.figures(HORIZON_END - WARMUP_END)
    finally:
        metrics.ANSWER_BATCH = saved
    for name in (
        "offered",
        "answered",
        "completed",
        "abandoned",
        "delayed",
        "judged",
        "within",
        "wait_total",
        "response_total",
        "backlog",
        "max_backlog",
        "backlog_area",
        "overflow",
        "bins",
        "interval_answered",
        "interval_within",
    ):
        assert getattr(tally, name) == getattr(direct, name), name
    assert figures["answered"] == direct.answered
    if direct.answered:
        assert figures["asa"] == direct.wait_total / direct.answered
    else:
        assert math.isnan(figures["asa"])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["took", "freed", "presence"]), st.floats(0.0, 50.0)),
        max_size=80,
    ),
    st.sampled_from(["available", "away", "offline"]),
)
def test_agent_time_splits_into_busy_staffed_and_break(
    steps: list[tuple[str, float]], presence: str
) -> None:
    agent = AgentTally("desk", WARMUP_END)
    agent.presence(0.0, "available")
    now, load, busy, staffed_busy, on_break, staffed_time = 0.0, 0, 0.0, 0.0, 0.0, 0.0
    state = "available"
    for kind, gap in steps:
        later = now + gap
        span = max(0.0, later - max(now, WARMUP_END))
        busy += span if load else 0.0
        staffed_time += span if state != "offline" else 0.0
        on_break += span if state == "away" else 0.0
        staffed_busy += span if load and state == "available" else 0.0
        now = later
        if kind == "took":
            agent.took(now, counted=True)
            load += 1
        elif kind == "freed" and load:
            agent.freed(now)
            load -= 1
        elif kind == "presence":
            agent.presence(now, presence)
            state = presence
    agent.close(now)
    figures = agent.figures()
    assert math.isclose(figures["busy_seconds"], busy, abs_tol=1e-6)
    assert math.isclose(figures["staffed_seconds"], staffed_time, abs_tol=1e-6)
    assert math.isclose(figures["break_seconds"], on_break, abs_tol=1e-6)
    assert math.isclose(figures["busy_available_seconds"], staffed_busy, abs_tol=1e-6)
