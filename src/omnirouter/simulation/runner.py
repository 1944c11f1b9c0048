"""The runner: one scenario, N replications, each driving a real :class:`omnirouter.Router`.

Nothing here models routing. The simulator only plays the world around the router:
customers arrive (:meth:`Router.submit`), agents accept what they are offered, work
for the drawn handle time (:meth:`Router.complete` with the drawn wrap-up),
customers run out of patience (:meth:`Router.abandon`), agents log in, take breaks
and log out (:meth:`Router.set_presence`). Every routing decision is the router's,
taken under the kernel's virtual clock, and the KPIs come from its events.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from omnirouter.model import Interaction, InteractionTemplate, ManualPriority
from omnirouter.simulation.distributions import Draw
from omnirouter.simulation.kernel import EventKernel
from omnirouter.simulation.metrics import AgentTally, GroupTally, RuleTally
from omnirouter.simulation.results import ReplicationResult, Report, WaitingDistribution
from omnirouter.simulation.scenario import (
    RosterAgent,
    Scenario,
    WorkloadSource,
    check_replications,
)
from omnirouter.simulation.streams import RandomStreams
from omnirouter.simulation.workload import (
    RateSegment,
    day_curve_segments,
    poisson_arrivals,
    replayed_arrivals,
)

if TYPE_CHECKING:
    from omnirouter.routing.events import Event
    from omnirouter.routing.router import Router

__all__ = ["PriorityStrategy", "Progress", "Simulation", "compare", "simulate"]

#: A priority hook for the router: ``(interaction, now) -> head start in seconds``.
PriorityStrategy = Callable[[Interaction, float], float]
#: Told after each replication: ``(replications done, replications in all)``.
Progress = Callable[[int, int], None]

# Same-time order: router timers run first (the kernel asks them before each event),
# then presence changes, completions, abandonments, and arrivals last, so an agent
# freed at time t is free for a customer arriving at t.
_PRESENCE, _COMPLETE, _ABANDON, _ARRIVE = 0, 1, 2, 3
#: How many finished interactions the simulated router remembers (its state_of answers).
_KEEP_FINISHED = 1_000


class _Customer:
    """What the simulator knows about one customer in the system (not the router's record)."""

    __slots__ = (
        "advisor",
        "agent",
        "answered",
        "arrived",
        "calls_back",
        "channel",
        "counted",
        "deadline",
        "done",
        "due",
        "handle",
        "id",
        "paused_at",
        "queue",
        "source",
        "wrap_up",
    )

    def __init__(
        self,
        customer_id: str,
        source: _Source,
        channel: GroupTally,
        arrived: float,
        counted: bool,
        handle: float,
        wrap_up: float,
    ) -> None:
        self.id = customer_id
        self.source = source
        self.channel = channel
        self.arrived = arrived
        self.counted = counted
        self.handle = handle
        self.wrap_up = wrap_up
        #: Whether the customer asks for a callback on abandoning, drawn on arrival.
        self.calls_back = False
        self.queue: GroupTally | None = None
        #: The tally of the agent who took the work.
        self.agent: AgentTally | None = None
        self.advisor: str | None = None
        self.answered = False
        self.done = False
        # Blending may pause the work: completion is due at ``due`` unless paused.
        self.due = 0.0
        self.paused_at: float | None = None
        self.deadline: float | None = None


class _Source:
    """One workload source compiled for the loop: its streams, draws and template."""

    __slots__ = (
        "arrivals",
        "callback_delay",
        "callback_rng",
        "callback_share",
        "channel",
        "customer_rng",
        "draw_handle",
        "draw_patience",
        "draw_wrap_up",
        "maker",
        "next_row",
        "portfolio",
        "portfolio_share",
        "replayed",
        "spec",
        "tally",
        "template",
    )

    def __init__(
        self,
        spec: WorkloadSource,
        streams: RandomStreams,
        replication: int,
        scenario: Scenario,
        portfolio: Sequence[str],
        tally: GroupTally,
    ) -> None:
        synchronous = tally.synchronous
        self.spec = spec
        name = spec.name
        self.channel = spec.channel
        # Each draw is bound to its own stream: one call per customer and value.
        handle_rng = streams.stream(f"handle:{name}", replication)
        self.draw_handle: Draw = spec.handle_time.bind(handle_rng)
        wrap_up_rng = streams.stream(f"wrap_up:{name}", replication)
        self.draw_wrap_up: Draw | None = spec.wrap_up.bind(wrap_up_rng) if spec.wrap_up else None
        # Patience only matters where the customer waits live.
        patience_rng = streams.stream(f"patience:{name}", replication)
        self.draw_patience: Draw | None = (
            spec.patience.bind(patience_rng) if spec.patience is not None and synchronous else None
        )
        # Which portfolio a customer belongs to, and whether a caller who gives up asks
        # for a callback, each come from a stream of their own: a decision that only
        # some customers need never shifts another decision's draws.
        self.customer_rng = streams.stream(f"customer:{name}", replication)
        self.callback_share = spec.callback_share if self.draw_patience is not None else 0.0
        self.callback_rng = streams.stream(f"callback:{name}", replication)
        self.callback_delay = spec.callback_delay
        self.portfolio = tuple(portfolio)
        self.portfolio_share = spec.portfolio_share if portfolio else 0.0
        horizon = scenario.horizon_seconds
        start = scenario.start_epoch
        self.replayed = spec.replay is not None
        self.next_row: Any = None
        self.tally = tally
        self.template = template = Interaction(
            id=f"template:{name}",
            channel=spec.channel,
            reason=spec.reason,
            language=spec.language,
            attributes=dict(spec.attributes),
            manual_priority=None if spec.priority is None else ManualPriority(value=spec.priority),
        )
        # Each customer's interaction is a trusted copy of it (see Simulation._enter).
        self.maker = InteractionTemplate(template)
        if spec.replay is not None:
            replayed = replayed_arrivals(spec.replay, scenario.start, horizon)
            self.arrivals: Any = (_Replayed(start + row.at, row) for row in replayed)
        else:
            if spec.rate_per_hour is not None:
                segments = [RateSegment(0.0, horizon, spec.rate_per_hour / 3600.0)]
            else:
                segments = day_curve_segments(
                    scenario.start,
                    horizon,
                    spec.rates_per_hour or [],
                    curve_start=spec.curve_start,
                    interval_minutes=spec.interval_minutes,
                    weekdays=spec.weekdays,
                )
            rng = streams.stream(f"arrivals:{name}", replication)
            self.arrivals = poisson_arrivals(segments, rng, origin=start)


class _Replayed:
    __slots__ = ("at", "row")

    def __init__(self, at: float, row: Any) -> None:
        self.at = at
        self.row = row


def _presence_plan(entry: RosterAgent, scenario: Scenario) -> list[tuple[float, str]]:
    """(time, presence) changes of one agent over the horizon, from its shift and breaks."""
    start = scenario.start
    end = start + timedelta(seconds=scenario.horizon_seconds)
    if entry.shift is None and not entry.breaks:
        return [(start.timestamp(), "available")]
    shifts: list[tuple[datetime, datetime]] = []
    breaks: list[tuple[datetime, datetime]] = []
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        if entry.shift is None:
            shifts = [(start, end)]
        elif day.strftime("%a").lower() in entry.shift.weekdays:
            begin = datetime.combine(day, entry.shift.start, tzinfo=start.tzinfo)
            finish = datetime.combine(day, entry.shift.end, tzinfo=start.tzinfo)
            if finish <= begin:
                finish += timedelta(days=1)
            shifts.append((begin, finish))
        for pause in entry.breaks:
            begin = datetime.combine(day, pause.start, tzinfo=start.tzinfo)
            breaks.append((begin, begin + timedelta(minutes=pause.minutes)))
        day += timedelta(days=1)

    def state(moment: datetime) -> str:
        if not any(begin <= moment < finish for begin, finish in shifts):
            return "offline"
        if any(begin <= moment < finish for begin, finish in breaks):
            return "away"
        return "available"

    points = sorted({start, *(p for pair in shifts + breaks for p in pair if start < p < end)})
    plan: list[tuple[float, str]] = []
    for moment in points:
        now = state(moment)
        if not plan or plan[-1][1] != now:
            plan.append((moment.timestamp(), now))
    return plan


class Simulation:
    """One replication of a scenario: builds the router, runs it, returns the KPIs.

    The scenario's policy (:meth:`Scenario.router_options`: priority strategy, SLA
    policy, blending rules) is handed to the router. ``priority`` (a callable
    ``(interaction, now) -> head start in seconds``) replaces the scenario's strategy;
    ``router_options`` pass further keyword arguments to :class:`omnirouter.Router`
    and win over the scenario's.
    """

    def __init__(
        self,
        scenario: Scenario,
        replication: int = 0,
        *,
        seed: int | None = None,
        priority: PriorityStrategy | None = None,
        router_options: dict[str, Any] | None = None,
    ) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = scenario.seed if seed is None else seed
        self.kernel = EventKernel(start=scenario.start_epoch)
        self.registry = scenario.registry()
        self._sla = scenario.service_levels
        options = {**scenario.router_options(self.registry), **(router_options or {})}
        self.router: Router = self._build_router(priority, options)
        self.customers: dict[str, _Customer] = {}
        self._advisor_of: dict[str, str] = {}
        self.arrivals = 0
        self._serial = 0
        self._to_accept: list[str] = []
        start = scenario.start_epoch
        self.warmup_end = start + scenario.warmup_seconds
        self.end = start + scenario.horizon_seconds
        self._interval = scenario.interval_minutes * 60.0
        self.channels: dict[str, GroupTally] = {}
        self.queues: dict[str, GroupTally] = {}
        #: (queue, channel tally) -> queue tally, without building the name per customer.
        self._queue_of: dict[tuple[str, GroupTally], GroupTally] = {}
        self.agents: dict[str, AgentTally] = {}
        self.rules: dict[str, RuleTally] = {
            spec.name: RuleTally(self.warmup_end) for spec in scenario.blending
        }
        # Bound once: the loop calls these per customer.
        self._schedule = self.kernel.schedule
        self._router_submit = self.router.submit
        self._router_complete = self.router.complete
        self._arrive_handler = self._arrive
        self._complete_handler = self._complete
        # Completions are not among them: the simulator records its own (_complete).
        self._handlers: dict[str, Callable[[Event], None]] = {
            "offered": self._offered,
            "assigned": self._assigned,
            "wrap_up_ended": self._wrap_up_ended,
            "transferred": self._transferred,
        }
        # With one queue all work enters it on submit: its figures per channel are the
        # channel's (GroupTally.queue_figures), so no "queued" event is needed (the
        # router builds none) and no queue tally either. The channels in the order their
        # first customer came, as the queue tallies would have been made.
        queues = self.router.queues
        self._only_queue: str | None = queues[0].name if len(queues) == 1 else None
        self._only_queue_channels: dict[GroupTally, None] = {}
        if self._only_queue is None:
            self._handlers["queued"] = self._queued
        if scenario.blending:
            self._handlers["blend_switched"] = self._blend_switched
            self._handlers["paused"] = self._paused
            self._handlers["resumed"] = self._resumed

    def _build_router(self, priority: PriorityStrategy | None, options: dict[str, Any]) -> Router:
        from omnirouter.routing.queues import Overflow, Queue, Step
        from omnirouter.routing.router import Router

        queues = [
            Queue(
                spec.name,
                spec.accepts,
                [Step(s.target, s.timeout, skip_if_absent=s.skip_if_absent) for s in spec.steps],
                overflow=None
                if spec.overflow is None
                else Overflow(
                    spec.overflow.queue,
                    after=spec.overflow.after,
                    max_waiting=spec.overflow.max_waiting,
                ),
                sticky=spec.sticky,
            )
            for spec in self.scenario.queues
        ] or [Queue("default")]
        if priority is not None:
            options = {**options, "priority": priority}
        # A long run must not remember every finished customer; the KPIs come from events.
        options = {"keep_finished": _KEEP_FINISHED, **options}
        return Router(
            queues=queues,
            selection=self.scenario.router.selection,
            clock=self.kernel.clock,
            channels=self.registry,
            offer_timeout=self.scenario.router.offer_timeout,
            **options,
        )

    # -- the tallies ------------------------------------------------------------------

    def _channel(self, name: str) -> GroupTally:
        """The channel's tally, made on first use."""
        tally = self.channels.get(name)
        if tally is None:
            traits = self.registry[name]
            tally = self.channels[name] = GroupTally(
                name,
                synchronous=traits.synchronous,
                threshold=self.scenario.service_level_target(name).threshold.total_seconds(),
                warmup_end=self.warmup_end,
                horizon_end=self.end,
                interval_seconds=self._interval,
            )
        return tally

    def _queue(self, queue: str, channel: GroupTally) -> GroupTally:
        """The tally of ``queue``'s work on ``channel``, made on first use."""
        pair = (queue, channel)
        tally = self._queue_of.get(pair)
        if tally is None:
            key = f"{queue} / {channel.name}"
            tally = self._queue_of[pair] = self.queues[key] = GroupTally(
                key,
                synchronous=channel.synchronous,
                threshold=channel.threshold,
                warmup_end=self.warmup_end,
                horizon_end=self.end,
                interval_seconds=self._interval,
                with_distribution=False,
            )
        return tally

    # -- router events ------------------------------------------------------------------

    # The handlers look ids up as the events carry them: None (an agent's event) finds
    # nothing, which is what ``or ""`` would give at a cost per event.

    def _queued(self, event: Event) -> None:
        customer = self.customers.get(event.interaction_id)  # type: ignore[arg-type]
        if customer is not None and customer.queue is None and event.queue is not None:
            tally = self._queue_of.get((event.queue, customer.channel)) or self._queue(
                event.queue, customer.channel
            )
            customer.queue = tally
            tally.arrived(customer.arrived, customer.counted)

    def _offered(self, event: Event) -> None:
        # Accept after the router call that offered returns: subscribers must not
        # re-enter the router.
        if event.interaction_id in self.customers:
            self._to_accept.append(event.interaction_id)

    def _assigned(self, event: Event) -> None:
        customer = self.customers.get(event.interaction_id)  # type: ignore[arg-type]
        if customer is None or customer.answered:
            return
        now = self.kernel.now
        customer.answered = True
        arrived = customer.arrived
        counted = customer.counted
        customer.channel.assigned(arrived, now, counted)
        queue = customer.queue
        if queue is not None:
            queue.assigned(arrived, now, counted)
        if customer.advisor is not None and counted:
            own = customer.advisor == event.agent_id
            customer.channel.taken_by(own)
            if queue is not None:
                queue.taken_by(own)
        agent = customer.agent = self.agents.get(event.agent_id)  # type: ignore[arg-type]
        if agent is not None:
            agent.took(now, counted)
        due = customer.due = now + customer.handle
        self._schedule(due, self._complete_handler, customer, _COMPLETE)

    def _wrap_up_ended(self, event: Event) -> None:
        # The router names the interaction in ``detail`` (the event is the agent's).
        work_id = event.interaction_id or event.detail.get("interaction_id") or ""
        customer = self.customers.get(work_id)
        if customer is not None:
            self._free(customer)

    def _free(self, customer: _Customer) -> None:
        agent = customer.agent
        if agent is not None:
            agent.freed(self.kernel.now)
        del self.customers[customer.id]

    def _transferred(self, event: Event) -> None:
        customer = self.customers.get(event.interaction_id or "")
        if customer is not None and customer.counted:
            customer.channel.transfers += 1

    def _blend_switched(self, event: Event) -> None:
        rule = self.rules.get(event.detail.get("rule", ""))
        if rule is None:
            return
        if event.agent_id is None:
            rule.switched(event.at, bool(event.detail.get("active")))
        else:
            rule.moved_agent(event.at)

    def _paused(self, event: Event) -> None:
        rule = self.rules.get(event.detail.get("rule", ""))
        if rule is not None:
            rule.paused_work(event.at)
        customer = self.customers.get(event.interaction_id or "")
        if customer is not None and customer.paused_at is None:
            customer.paused_at = event.at
            if customer.counted:
                customer.channel.interrupted()

    def _resumed(self, event: Event) -> None:
        # The handle time is work time: what was left when the work was paused is
        # still left now, so the completion moves by the time spent paused.
        customer = self.customers.get(event.interaction_id or "")
        if customer is None or customer.paused_at is None:
            return
        now = event.at
        if customer.counted:
            customer.channel.paused_for(now - customer.paused_at)
        agent = customer.agent
        if agent is not None:
            agent.paused_work(customer.paused_at, now)
        customer.due = now + max(0.0, customer.due - customer.paused_at)
        customer.paused_at = None
        self._schedule(customer.due, self._complete_handler, customer, _COMPLETE)

    def _accept_offers(self) -> None:
        pending = self._to_accept
        accept = self.router.accept
        while pending:
            accept(pending.pop(0))

    # -- the world around the router ------------------------------------------------------

    def _arrive(self, source: _Source) -> None:
        now = self.kernel.now
        serial = self._serial = self._serial + 1
        # Every draw for this customer happens here, from the source's own streams,
        # whatever the router later does with it (common random numbers).
        handle = source.draw_handle()
        draw_wrap_up = source.draw_wrap_up
        wrap_up = 0.0 if draw_wrap_up is None else draw_wrap_up()
        draw_patience = source.draw_patience
        patience = None if draw_patience is None else draw_patience()
        # Drawn for every customer of the source, whether or not this one gives up, so
        # the same customer decides the same under every policy.
        calls_back = bool(source.callback_share) and (
            source.callback_rng.random() < source.callback_share
        )
        customer_of = None
        if source.portfolio_share:
            rng = source.customer_rng
            if rng.random() < source.portfolio_share:
                customer_of = rng.choice(source.portfolio)
        if source.replayed:
            row = source.next_row
            if row.handle_seconds is not None:
                handle = row.handle_seconds
            if row.patience_seconds is not None and patience is not None:
                patience = row.patience_seconds
            self._schedule_next(source)
        else:
            upcoming = next(source.arrivals, None)
            if upcoming is not None and upcoming < self.end:
                self._schedule(upcoming, self._arrive_handler, source, _ARRIVE)
        customer = self._enter(
            source, f"c{serial}", source.tally, now, handle, wrap_up, patience, customer_of
        )
        customer.calls_back = calls_back

    def _enter(
        self,
        source: _Source,
        customer_id: str,
        tally: GroupTally,
        now: float,
        handle: float,
        wrap_up: float,
        patience: float | None,
        customer_of: str | None,
    ) -> _Customer:
        counted = now >= self.warmup_end
        channel = tally.name
        customer = _Customer(customer_id, source, tally, now, counted, handle, wrap_up)
        if customer_of is not None:
            customer.advisor = self._advisor_of.get(customer_of)
        self.customers[customer_id] = customer
        self.arrivals += 1
        tally.arrived(now, counted)
        if self._only_queue is not None and tally not in self._only_queue_channels:
            self._only_queue_channels[tally] = None
        if self._sla is not None and not tally.synchronous:
            customer.deadline = self._sla.deadline_at(channel, now, self.registry.get(channel))
        # The customer's interaction: a trusted copy of the source's template (pydantic
        # validated the template once).
        self._router_submit(source.maker.make(customer_id, channel, customer_of))
        if self._to_accept:
            self._accept_offers()
        if patience is not None and not customer.answered:
            self._schedule(now + patience, self._abandon, customer, _ABANDON)
        return customer

    def _complete(self, customer: _Customer) -> None:
        now = self.kernel.now
        if customer.paused_at is not None or customer.due != now:
            return  # paused, or rescheduled on resuming: a later call completes it
        self._router_complete(customer.id, customer.wrap_up)
        # Completion is the simulator's own act: recorded once Router.complete returns,
        # so the router builds no "completed" event per customer.
        customer.done = True
        arrived = customer.arrived
        counted = customer.counted
        customer.channel.completed_work(arrived, now, counted)
        queue = customer.queue
        if queue is not None:
            queue.completed_work(arrived, now, counted)
        if customer.deadline is not None and counted:
            met = now <= customer.deadline
            customer.channel.met_deadline(met)
            if queue is not None:
                queue.met_deadline(met)
        if customer.wrap_up <= 0:  # no wrap-up: the agent is free now
            agent = customer.agent
            if agent is not None:
                agent.freed(now)
            del self.customers[customer.id]
        if self._to_accept:
            self._accept_offers()

    def _abandon(self, customer: _Customer) -> None:
        if customer.answered or customer.id not in self.customers:
            return
        now = self.kernel.now
        source = customer.source
        callback = customer.calls_back
        self.router.abandon(customer.id)
        del self.customers[customer.id]
        customer.channel.abandoned_work(customer.arrived, now, customer.counted, callback)
        if customer.queue is not None:
            customer.queue.abandoned_work(customer.arrived, now, customer.counted, callback)
        self._accept_offers()
        if callback:
            when = now + source.callback_delay
            if when < self.end:
                self.kernel.schedule(when, self._callback, customer, _ARRIVE)

    def _callback(self, customer: _Customer) -> None:
        # The callback keeps the caller's need: the handle time drawn on arrival.
        self._enter(
            customer.source,
            f"{customer.id}-cb",
            self._channel("callback"),
            self.kernel.now,
            customer.handle,
            customer.wrap_up,
            None,
            None,
        )

    def _schedule_next(self, source: _Source) -> None:
        upcoming = next(source.arrivals, None)
        if upcoming is None:
            return
        if source.replayed:
            source.next_row = upcoming.row
            upcoming = upcoming.at
        if upcoming < self.end:
            self._schedule(upcoming, self._arrive_handler, source, _ARRIVE)

    def _presence(self, change: tuple[str, str]) -> None:
        agent_id, presence = change
        now = self.kernel.now
        self.agents[agent_id].presence(now, presence)
        self.router.set_presence(agent_id, presence)
        self._accept_offers()

    # -- the run ------------------------------------------------------------------------

    def run(self) -> ReplicationResult:
        """Simulate the horizon once; the router's events feed the KPI tallies."""
        scenario = self.scenario
        streams = RandomStreams(self.seed)
        roster = scenario.roster()
        portfolio = [customer for entry in roster for customer in entry.agent.portfolio]
        for entry in roster:
            for customer_id in entry.agent.portfolio:
                self._advisor_of.setdefault(customer_id, entry.agent.id)
        # One subscription per kind: the router hands each event straight to its handler.
        unsubscribers = [
            self.router.subscribe(handler, kinds=[kind]) for kind, handler in self._handlers.items()
        ]
        try:
            for entry in roster:
                agent = entry.agent
                self.agents[agent.id] = AgentTally(agent.team or "(no team)", self.warmup_end)
                self.router.add_agent(agent)
                plan = _presence_plan(entry, scenario)
                if not plan or plan[0][0] > scenario.start_epoch:
                    self.router.set_presence(agent.id, "offline")
                for at, presence in plan:
                    self.kernel.schedule(at, self._presence, (agent.id, presence), _PRESENCE)
            for spec in scenario.workload:
                tally = self._channel(spec.channel)
                source = _Source(spec, streams, self.replication, scenario, portfolio, tally)
                self._schedule_next(source)
            self.kernel.run(until=self.end, next_wakeup=self.router.next_wakeup, tick=self._tick)
        finally:
            for unsubscribe in unsubscribers:
                unsubscribe()
        return self._result()

    def _queue_figures(self, span: float) -> dict[str, dict[str, float]]:
        if self._only_queue is None:
            return {name: tally.figures(span) for name, tally in self.queues.items()}
        return {
            f"{self._only_queue} / {channel.name}": channel.queue_figures(span)
            for channel in self._only_queue_channels
        }

    def _tick(self, now: float) -> None:
        self.router.tick(now)
        self._accept_offers()

    def _result(self) -> ReplicationResult:
        end = self.end
        for tally in (*self.channels.values(), *self.queues.values()):
            tally.settle()
        for customer in self.customers.values():
            unanswered = (
                not customer.done if not customer.channel.synchronous else not customer.answered
            )
            if unanswered:
                customer.channel.still_open(customer.arrived, end, customer.counted)
                if customer.queue is not None:
                    customer.queue.still_open(customer.arrived, end, customer.counted)
            # Still open past its deadline: missed. Not yet due: not judged.
            deadline = customer.deadline
            if deadline is not None and deadline < end and customer.counted and not customer.done:
                customer.channel.met_deadline(False)
                if customer.queue is not None:
                    customer.queue.met_deadline(False)
        span = end - self.warmup_end
        for agent in self.agents.values():
            agent.close(end)
        teams: dict[str, list[AgentTally]] = {}
        for agent in self.agents.values():
            teams.setdefault(agent.team, []).append(agent)
        waiting = {
            name: WaitingDistribution(tally.bin_width, tuple(tally.bins), tally.overflow)
            for name, tally in self.channels.items()
            if tally.with_distribution
        }
        intervals = {
            name: tuple(
                zip(
                    tally.interval_answered,
                    tally.interval_within,
                    tally.interval_abandoned,
                    strict=True,
                )
            )
            for name, tally in self.channels.items()
        }
        return ReplicationResult(
            replication=self.replication,
            customers=self.arrivals,
            measured_seconds=span,
            interval_seconds=self._interval,
            channels={name: tally.figures(span) for name, tally in self.channels.items()},
            queues=self._queue_figures(span),
            teams={name: _team_figures(members) for name, members in sorted(teams.items())},
            agents={agent_id: tally.figures() for agent_id, tally in self.agents.items()},
            waiting=waiting,
            intervals=intervals,
            blending={name: tally.figures(end) for name, tally in self.rules.items()},
        )


def _team_figures(members: Sequence[AgentTally]) -> dict[str, float]:
    busy = sum(member.busy_seconds for member in members)
    busy_available = sum(member.busy_available_seconds for member in members)
    staffed = sum(member.staffed_seconds for member in members)
    on_break = sum(member.break_seconds for member in members)
    available = staffed - on_break
    return {
        "agents": float(len(members)),
        "occupancy": busy_available / available if available > 0 else math.nan,
        "utilisation": busy / staffed if staffed > 0 else math.nan,
        "handled": float(sum(member.handled for member in members)),
        "break_seconds": on_break,
        "paused_seconds": sum(member.paused_seconds for member in members),
    }


def simulate(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    priority: PriorityStrategy | None = None,
    router_options: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run ``replications`` independent replications (default: the scenario's) of a scenario.

    Replication ``r`` draws from streams seeded by ``(seed, r, source)``, so the same
    seed gives identical results, and two scenarios that differ only in policy see
    identical customers. The result is a :class:`Report`: KPIs per channel, queue,
    team and agent, each a mean with its 95 % confidence interval across replications.
    See the simulation guide for the scenario format and every KPI.
    """
    count = scenario.replications if replications is None else replications
    check_replications(count)
    used_seed = scenario.seed if seed is None else seed
    results = []
    for replication in range(count):
        simulation = Simulation(
            scenario,
            replication,
            seed=used_seed,
            priority=priority,
            router_options=router_options,
        )
        results.append(simulation.run())
        if progress is not None:
            progress(replication + 1, count)
    return Report(scenario.name, used_seed, tuple(results), scenario.thresholds())


def compare(
    scenarios: Sequence[Scenario],
    *,
    replications: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> list[Report]:
    """Simulate several scenarios (policies) on the same seed and replications.

    Without ``seed`` and ``replications`` the first scenario's values apply to all, so
    every policy meets the same customers.
    """
    if not scenarios:
        return []
    first = scenarios[0]
    used_seed = first.seed if seed is None else seed
    count = first.replications if replications is None else replications
    check_replications(count)
    total = count * len(scenarios)
    reports = []
    for index, scenario in enumerate(scenarios):
        done = index * count

        def told(finished: int, _: int, done: int = done) -> None:
            if progress is not None:
                progress(done + finished, total)

        reports.append(simulate(scenario, replications=count, seed=used_seed, progress=told))
    return reports
