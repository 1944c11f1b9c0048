"""KPI tallies filled while a simulation runs; memory is fixed per channel, queue and agent.

The runner calls these hooks from the router's events. Only customers who arrive
after the warm-up count; time integrals (backlog, busy and paused time) start at
the warm-up's end.
"""

from __future__ import annotations

import math

from omnirouter.simulation.stats import Histogram, RunningStats

__all__ = ["AgentTally", "GroupTally"]

#: Histogram bins per channel; the bin width is the channel's threshold / 20, so the
#: histogram reaches ten thresholds before its overflow bin.
HISTOGRAM_BINS = 200
_BINS_PER_THRESHOLD = 20


class GroupTally:
    """Counts and streamed statistics for one channel or one queue.

    ``synchronous`` decides what "answered" means for the service level: assigned to
    an agent (phone, chat) or completed (e-mail, letters: the reply is the answer).
    """

    __slots__ = (
        "abandon_wait",
        "abandoned",
        "answered",
        "backlog",
        "backlog_area",
        "backlog_since",
        "callbacks",
        "completed",
        "delayed",
        "histogram",
        "interval_abandoned",
        "interval_answered",
        "interval_seconds",
        "interval_within",
        "judged",
        "late_open",
        "max_backlog",
        "name",
        "offered",
        "own_advisor",
        "portfolio_answered",
        "response",
        "synchronous",
        "threshold",
        "transfers",
        "wait",
        "warmup_end",
        "within",
    )

    def __init__(
        self,
        name: str,
        *,
        synchronous: bool,
        threshold: float,
        warmup_end: float,
        horizon_end: float,
        interval_seconds: float,
        with_distribution: bool = True,
    ) -> None:
        self.name = name
        self.synchronous = synchronous
        self.threshold = threshold
        self.warmup_end = warmup_end
        self.offered = 0
        self.answered = 0
        self.within = 0
        self.abandoned = 0
        self.completed = 0
        self.delayed = 0
        self.judged = 0
        self.late_open = 0
        self.callbacks = 0
        self.transfers = 0
        self.portfolio_answered = 0
        self.own_advisor = 0
        self.wait = RunningStats()
        self.response = RunningStats()
        self.abandon_wait = RunningStats()
        self.histogram: Histogram | None = (
            Histogram(threshold / _BINS_PER_THRESHOLD, HISTOGRAM_BINS)
            if with_distribution
            else None
        )
        self.backlog = 0
        self.backlog_since = warmup_end
        self.backlog_area = 0.0
        self.max_backlog = 0
        self.interval_seconds = interval_seconds
        intervals = max(1, math.ceil((horizon_end - warmup_end) / interval_seconds))
        self.interval_answered = [0] * intervals
        self.interval_within = [0] * intervals
        self.interval_abandoned = [0] * intervals

    def _interval(self, arrived: float) -> int:
        index = int((arrived - self.warmup_end) / self.interval_seconds)
        return min(index, len(self.interval_answered) - 1)

    def _backlog_change(self, at: float, delta: int) -> None:
        if at > self.backlog_since:
            self.backlog_area += self.backlog * (at - self.backlog_since)
            self.backlog_since = at
        self.backlog += delta
        if self.backlog > self.max_backlog:
            self.max_backlog = self.backlog

    def arrived(self, at: float, counted: bool) -> None:
        """A customer of this group arrived (``counted``: after the warm-up)."""
        if counted:
            self.offered += 1
        self._backlog_change(at, 1)

    def assigned(self, arrived: float, at: float, counted: bool) -> None:
        """An agent took the work: the wait ends (for synchronous work, the answer)."""
        if self.synchronous:
            self._backlog_change(at, -1)
        if counted:
            wait = at - arrived
            self.answered += 1
            if wait > 0:
                self.delayed += 1
            self.wait.add(wait)
            if self.synchronous:
                self._judge(arrived, wait)

    def _judge(self, arrived: float, elapsed: float) -> None:
        self.judged += 1
        if self.histogram is not None:
            self.histogram.add(elapsed)
        interval = self._interval(arrived)
        self.interval_answered[interval] += 1
        if elapsed <= self.threshold:
            self.within += 1
            self.interval_within[interval] += 1

    def taken_by(self, own_advisor: bool) -> None:
        """A portfolio customer's work was taken, by their own advisor or someone else."""
        self.portfolio_answered += 1
        if own_advisor:
            self.own_advisor += 1

    def completed_work(self, arrived: float, at: float, counted: bool) -> None:
        """The work was completed (asynchronous: the reply is the answer)."""
        if not self.synchronous:
            self._backlog_change(at, -1)
        if counted:
            self.completed += 1
            self.response.add(at - arrived)
            if not self.synchronous:
                self._judge(arrived, at - arrived)

    def abandoned_work(self, arrived: float, at: float, counted: bool, callback: bool) -> None:
        """The customer hung up (or left a callback request) before an answer."""
        self._backlog_change(at, -1)
        if counted:
            self.abandoned += 1
            self.abandon_wait.add(at - arrived)
            self.interval_abandoned[self._interval(arrived)] += 1
            if callback:
                self.callbacks += 1

    def still_open(self, arrived: float, end: float, counted: bool) -> None:
        """At the horizon: an unanswered customer already past the threshold misses the SL."""
        if counted and end - arrived > self.threshold:
            self.late_open += 1

    def close(self, end: float) -> None:
        """Close the backlog integral at the horizon."""
        self._backlog_change(end, 0)

    def figures(self, span: float) -> dict[str, float]:
        """The scalar KPIs of this group (``span``: seconds measured after the warm-up)."""
        judged = self.judged + self.abandoned + self.late_open
        nan = math.nan
        histogram = self.histogram
        return {
            "offered": float(self.offered),
            "answered": float(self.answered),
            "abandoned": float(self.abandoned),
            "service_level": self.within / judged if judged else nan,
            "asa": self.wait.mean if self.answered else nan,
            "p_wait": self.delayed / self.answered if self.answered else nan,
            "abandonment_rate": self.abandoned / (self.answered + self.abandoned)
            if self.answered + self.abandoned
            else nan,
            "answer_time_p90": histogram.quantile(0.9) if histogram and histogram.total else nan,
            "response_time": self.response.mean if self.completed and not self.synchronous else nan,
            "backlog_mean": self.backlog_area / span if span > 0 else nan,
            "backlog_max": float(self.max_backlog),
            "backlog_end": float(self.backlog),
            "own_advisor_share": self.own_advisor / self.portfolio_answered
            if self.portfolio_answered
            else nan,
            "callbacks": float(self.callbacks),
            "transfers": float(self.transfers),
        }


class AgentTally:
    """Busy, staffed and paused time of one agent, integrated over the measured span.

    Time is split by the agent's state: staffed (on shift), paused (on a break while
    staffed) and busy (holding at least one piece of work or its wrap-up). Busy time
    while paused or off shift (finishing a call after the shift) counts as busy but
    not as available-and-busy, so occupancy never exceeds 1.
    """

    __slots__ = (
        "busy_available_seconds",
        "busy_seconds",
        "handled",
        "last",
        "load",
        "paused",
        "paused_seconds",
        "staffed",
        "staffed_seconds",
        "team",
        "warmup_end",
    )

    def __init__(self, team: str, warmup_end: float) -> None:
        self.team = team
        self.warmup_end = warmup_end
        self.load = 0
        self.handled = 0
        self.staffed = False
        self.paused = False
        self.last = warmup_end
        self.busy_seconds = 0.0
        self.busy_available_seconds = 0.0
        self.staffed_seconds = 0.0
        self.paused_seconds = 0.0

    def _advance(self, at: float) -> None:
        if at <= self.last:
            return
        span = at - self.last
        self.last = at
        busy = self.load > 0
        if busy:
            self.busy_seconds += span
        if self.staffed:
            self.staffed_seconds += span
            if self.paused:
                self.paused_seconds += span
            elif busy:
                self.busy_available_seconds += span

    def took(self, at: float, counted: bool) -> None:
        """The agent started on one more piece of work."""
        self._advance(at)
        self.load += 1
        if counted:
            self.handled += 1

    def freed(self, at: float) -> None:
        """The agent finished one piece of work (after its wrap-up)."""
        self._advance(at)
        self.load -= 1

    def presence(self, at: float, presence: str) -> None:
        """The agent became ``available``, ``away`` (a break) or ``offline`` (off shift)."""
        self._advance(at)
        self.staffed = presence != "offline"
        self.paused = presence == "away"

    def close(self, end: float) -> None:
        """Integrate up to the horizon."""
        self._advance(end)

    def figures(self) -> dict[str, float]:
        """Occupancy (busy / available), utilisation (busy / staffed), times in seconds."""
        available = self.staffed_seconds - self.paused_seconds
        return {
            "occupancy": self.busy_available_seconds / available if available > 0 else math.nan,
            "utilisation": self.busy_seconds / self.staffed_seconds
            if self.staffed_seconds > 0
            else math.nan,
            "handled": float(self.handled),
            "busy_seconds": self.busy_seconds,
            "busy_available_seconds": self.busy_available_seconds,
            "staffed_seconds": self.staffed_seconds,
            "paused_seconds": self.paused_seconds,
        }
