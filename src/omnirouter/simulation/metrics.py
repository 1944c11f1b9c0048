"""KPI tallies filled while a simulation runs; memory is fixed per channel, queue and agent.

The runner calls these hooks from the router's events. Only customers who arrive
after the warm-up count; time integrals (backlog, busy, break and paused time) start
at the warm-up's end. "Paused" always means work interrupted by channel blending (an
e-mail put aside for a call); an agent's breaks are "break" time.
"""

from __future__ import annotations

import math

from omnirouter.simulation.stats import Histogram

__all__ = ["AgentTally", "GroupTally", "RuleTally"]

#: Histogram bins per channel; the bin width is the channel's threshold / 20, so the
#: histogram reaches ten thresholds before its overflow bin.
HISTOGRAM_BINS = 200
#: Answers held back before :meth:`GroupTally.settle` folds them in (memory stays flat).
ANSWER_BATCH = 1024
_BINS_PER_THRESHOLD = 20


class GroupTally:
    """Counts and streamed sums for one channel or one queue; O(1) work per customer.

    ``synchronous`` decides what "answered" means for the service level: assigned to
    an agent (phone, chat) or completed (e-mail, letters: the reply is the answer).
    The time-average backlog is the sum of each customer's time in the backlog
    (clipped to the measured span) over the span, so no time-ordered integration runs.
    """

    __slots__ = (
        "abandoned",
        "answered",
        "answers",
        "backlog",
        "backlog_area",
        "bin_width",
        "bins",
        "callbacks",
        "completed",
        "delayed",
        "interruptions",
        "interval_abandoned",
        "interval_answered",
        "interval_seconds",
        "interval_within",
        "judged",
        "last_interval",
        "late_open",
        "max_backlog",
        "name",
        "offered",
        "overflow",
        "own_advisor",
        "paused_total",
        "portfolio_answered",
        "response_total",
        "sla_judged",
        "sla_met",
        "synchronous",
        "threshold",
        "transfers",
        "wait_total",
        "warmup_end",
        "with_distribution",
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
        # with_distribution: keep the histogram and the per-interval counts (a channel's
        # figures); a queue's tally keeps only the scalar ones.
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
        self.wait_total = 0.0
        self.response_total = 0.0
        self.sla_judged = 0
        self.sla_met = 0
        self.interruptions = 0
        self.paused_total = 0.0
        self.with_distribution = with_distribution
        self.bin_width = threshold / _BINS_PER_THRESHOLD
        self.bins = [0] * (HISTOGRAM_BINS if with_distribution else 0)
        self.overflow = 0
        self.backlog = 0
        self.backlog_area = 0.0
        self.max_backlog = 0
        self.interval_seconds = interval_seconds
        intervals = max(1, math.ceil((horizon_end - warmup_end) / interval_seconds))
        self.last_interval = intervals - 1
        self.interval_answered = [0] * intervals
        self.interval_within = [0] * intervals
        self.interval_abandoned = [0] * intervals
        #: Answers not yet folded into the figures: (arrived, answered) times.
        self.answers: list[tuple[float, float]] = []

    @property
    def histogram(self) -> Histogram | None:
        """The distribution of the time to answer (``None`` for queue tallies)."""
        if not self.with_distribution:
            return None
        self.settle()
        histogram = Histogram(self.bin_width, HISTOGRAM_BINS)
        histogram.counts = list(self.bins)
        histogram.overflow = self.overflow
        histogram.total = sum(self.bins) + self.overflow
        return histogram

    def _leave_backlog(self, arrived: float, at: float) -> None:
        self.settle()  # the backlog integral adds up in event order
        self.backlog -= 1
        start = arrived if arrived > self.warmup_end else self.warmup_end
        if at > start:
            self.backlog_area += at - start

    def arrived(self, at: float, counted: bool) -> None:
        """A customer of this group arrived (``counted``: after the warm-up)."""
        if counted:
            self.offered += 1
        backlog = self.backlog = self.backlog + 1
        if backlog > self.max_backlog:
            self.max_backlog = backlog

    def assigned(self, arrived: float, at: float, counted: bool) -> None:
        """An agent took the work: the wait ends (for synchronous work, the answer).

        ``counted`` must be ``arrived >= warmup_end`` (an answer is settled later,
        from its times alone).
        """
        if self.synchronous:
            self.backlog -= 1
            answers = self.answers
            answers.append((arrived, at))
            if len(answers) >= ANSWER_BATCH:
                self.settle()
        elif counted:
            wait = at - arrived
            self.answered += 1
            if wait > 0:
                self.delayed += 1
            self.wait_total += wait

    def completed_work(self, arrived: float, at: float, counted: bool) -> None:
        """The work was completed (asynchronous: the reply is the answer).

        ``counted`` must be ``arrived >= warmup_end``, as for :meth:`assigned`.
        """
        if not self.synchronous:
            self.backlog -= 1
            answers = self.answers
            answers.append((arrived, at))
            if len(answers) >= ANSWER_BATCH:
                self.settle()
        elif counted:
            self.completed += 1
            self.response_total += at - arrived

    def settle(self) -> None:
        """Fold the answers held back into the figures, in the order they came.

        An answer (an assignment of synchronous work, a completion of asynchronous
        work) ends a wait: the backlog integral, the wait or response sum, the service
        level, the histogram and the interval counts all take it. Held in a short list
        and folded in one loop, in arrival order, the sums are the very same floats as
        folding each at once, for a fraction of the per-answer cost. Every reader of
        those figures settles first.
        """
        answers = self.answers
        if not answers:
            return
        synchronous = self.synchronous
        warmup_end = self.warmup_end
        threshold = self.threshold
        area = self.backlog_area
        total = self.wait_total if synchronous else self.response_total
        count = delayed = within = 0
        detailed = self.with_distribution
        bins = self.bins
        bin_width = self.bin_width
        interval_seconds = self.interval_seconds
        last_interval = self.last_interval
        interval_answered = self.interval_answered
        interval_within = self.interval_within
        overflow = 0
        for arrived, at in answers:
            elapsed = at - arrived
            if arrived > warmup_end:
                if at > arrived:
                    area += elapsed
            elif at > warmup_end:
                area += at - warmup_end
            if arrived < warmup_end:
                continue  # arrived in the warm-up: not counted
            count += 1
            if elapsed > 0:
                delayed += 1
            total += elapsed
            answered_within = elapsed <= threshold
            if answered_within:
                within += 1
            if detailed:
                index = int(elapsed / bin_width) if elapsed > 0 else 0
                if index < HISTOGRAM_BINS:
                    bins[index] += 1
                else:
                    overflow += 1
                interval = int((arrived - warmup_end) / interval_seconds)
                if interval > last_interval:
                    interval = last_interval
                interval_answered[interval] += 1
                if answered_within:
                    interval_within[interval] += 1
        answers.clear()
        self.backlog_area = area
        if synchronous:
            self.answered += count
            self.delayed += delayed
            self.wait_total = total
        else:
            self.completed += count
            self.response_total = total
        self.judged += count
        self.within += within
        self.overflow += overflow

    def taken_by(self, own_advisor: bool) -> None:
        """A portfolio customer's work was taken, by their own advisor or someone else."""
        self.portfolio_answered += 1
        if own_advisor:
            self.own_advisor += 1

    def abandoned_work(self, arrived: float, at: float, counted: bool, callback: bool) -> None:
        """The customer hung up (or left a callback request) before an answer."""
        self._leave_backlog(arrived, at)
        if counted:
            self.abandoned += 1
            interval = min(
                int((arrived - self.warmup_end) / self.interval_seconds), self.last_interval
            )
            self.interval_abandoned[interval] += 1
            if callback:
                self.callbacks += 1

    def met_deadline(self, met: bool) -> None:
        """A counted customer's work was answered, by its SLA deadline (``met``) or late."""
        self.sla_judged += 1
        if met:
            self.sla_met += 1

    def interrupted(self) -> None:
        """Blending paused a counted customer's work (an e-mail put aside for a call)."""
        self.interruptions += 1

    def paused_for(self, seconds: float) -> None:
        """A counted customer's work resumed after ``seconds`` paused."""
        self.paused_total += seconds

    def still_open(self, arrived: float, end: float, counted: bool) -> None:
        """At the horizon: an unanswered customer already past the threshold misses the SL.

        Its time in the backlog up to the horizon is added to the backlog integral.
        """
        self.settle()
        if counted and end - arrived > self.threshold:
            self.late_open += 1
        start = arrived if arrived > self.warmup_end else self.warmup_end
        if end > start:
            self.backlog_area += end - start

    def figures(self, span: float) -> dict[str, float]:
        """The scalar KPIs of this group (``span``: seconds measured after the warm-up)."""
        self.settle()
        judged = self.judged + self.abandoned + self.late_open
        nan = math.nan
        histogram = self.histogram
        return {
            "offered": float(self.offered),
            "answered": float(self.answered),
            "abandoned": float(self.abandoned),
            "service_level": self.within / judged if judged else nan,
            "asa": self.wait_total / self.answered if self.answered else nan,
            "p_wait": self.delayed / self.answered if self.answered else nan,
            "abandonment_rate": self.abandoned / (self.answered + self.abandoned)
            if self.answered + self.abandoned
            else nan,
            "answer_time_p90": histogram.quantile(0.9)
            if histogram is not None and histogram.total
            else nan,
            "response_time": self.response_total / self.completed
            if self.completed and not self.synchronous
            else nan,
            "backlog_mean": self.backlog_area / span if span > 0 else nan,
            "backlog_max": float(self.max_backlog),
            "backlog_end": float(self.backlog),
            "own_advisor_share": self.own_advisor / self.portfolio_answered
            if self.portfolio_answered
            else nan,
            "callbacks": float(self.callbacks),
            "transfers": float(self.transfers),
            "sla_attainment": self.sla_met / self.sla_judged if self.sla_judged else nan,
            "interruptions": float(self.interruptions),
            "paused_seconds": self.paused_total,
        }

    def queue_figures(self, span: float) -> dict[str, float]:
        """With a single queue, its KPIs for this channel's work: the channel's own.

        All the channel's work is in that queue from its arrival, so every count and
        sum is the channel's, except what a queue's tally does not keep: the waiting
        histogram (no percentile) and the transfers and blending pauses, which are
        counted per channel only.
        """
        return {**self.figures(span), **_CHANNEL_ONLY}


#: What a queue's figures leave out (see GroupTally.queue_figures).
_CHANNEL_ONLY = {
    "answer_time_p90": math.nan,
    "transfers": 0.0,
    "interruptions": 0.0,
    "paused_seconds": 0.0,
}


class AgentTally:
    """Busy, staffed, break and paused-work time of one agent, over the measured span.

    Time is split by the agent's state: staffed (on shift), on a break (while staffed)
    and busy (holding at least one piece of work or its wrap-up). Busy time on a break
    or off shift (finishing a call after the shift) counts as busy but not as
    available-and-busy, so occupancy never exceeds 1. ``paused_seconds`` is the time
    the agent's work lay paused by blending while they served something else.
    """

    __slots__ = (
        "break_seconds",
        "busy_available_seconds",
        "busy_seconds",
        "handled",
        "last",
        "load",
        "on_break",
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
        self.on_break = False
        self.last = warmup_end
        self.busy_seconds = 0.0
        self.busy_available_seconds = 0.0
        self.staffed_seconds = 0.0
        self.break_seconds = 0.0
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
            if self.on_break:
                self.break_seconds += span
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
        self.on_break = presence == "away"

    def paused_work(self, paused_at: float, resumed_at: float) -> None:
        """A piece of the agent's work lay paused from ``paused_at`` to ``resumed_at``."""
        start = paused_at if paused_at > self.warmup_end else self.warmup_end
        if resumed_at > start:
            self.paused_seconds += resumed_at - start

    def close(self, end: float) -> None:
        """Integrate up to the horizon."""
        self._advance(end)

    def figures(self) -> dict[str, float]:
        """Occupancy (busy / available), utilisation (busy / staffed), times in seconds."""
        available = self.staffed_seconds - self.break_seconds
        return {
            "occupancy": self.busy_available_seconds / available if available > 0 else math.nan,
            "utilisation": self.busy_seconds / self.staffed_seconds
            if self.staffed_seconds > 0
            else math.nan,
            "handled": float(self.handled),
            "busy_seconds": self.busy_seconds,
            "busy_available_seconds": self.busy_available_seconds,
            "staffed_seconds": self.staffed_seconds,
            "break_seconds": self.break_seconds,
            "paused_seconds": self.paused_seconds,
        }


class RuleTally:
    """What one blending rule did after the warm-up: switches, moves, pauses, time on.

    Fed from the router's ``blend_switched`` and ``paused`` events.
    """

    __slots__ = (
        "active_seconds",
        "agent_moves",
        "on_since",
        "paused",
        "switched_off",
        "switched_on",
        "warmup_end",
    )

    def __init__(self, warmup_end: float) -> None:
        self.warmup_end = warmup_end
        self.switched_on = 0
        self.switched_off = 0
        self.agent_moves = 0
        self.paused = 0
        self.on_since: float | None = None
        self.active_seconds = 0.0

    def _open_span(self, until: float) -> float:
        if self.on_since is None:
            return 0.0
        start = self.on_since if self.on_since > self.warmup_end else self.warmup_end
        return until - start if until > start else 0.0

    def switched(self, at: float, active: bool) -> None:
        """The rule switched on (``active``) or off at ``at``."""
        counted = at >= self.warmup_end
        if active:
            if self.on_since is None:
                self.on_since = at
            if counted:
                self.switched_on += 1
        else:
            self.active_seconds += self._open_span(at)
            self.on_since = None
            if counted:
                self.switched_off += 1

    def moved_agent(self, at: float) -> None:
        """The rule moved an agent (gave them work that paused theirs, or reserved them)."""
        if at >= self.warmup_end:
            self.agent_moves += 1

    def paused_work(self, at: float) -> None:
        """The rule paused a piece of work."""
        if at >= self.warmup_end:
            self.paused += 1

    def figures(self, end: float) -> dict[str, float]:
        """Switches (on and off), agent moves, pauses, and the share of time the rule was on."""
        active = self.active_seconds + self._open_span(end)
        span = end - self.warmup_end
        return {
            "switches": float(self.switched_on + self.switched_off),
            "switched_on": float(self.switched_on),
            "agent_moves": float(self.agent_moves),
            "paused": float(self.paused),
            "active_share": active / span if span > 0 else math.nan,
        }
