"""``om.Router``: the routing core's Router plus the operations conveniences.

The routing core (:mod:`omnirouter.routing`) never imports :mod:`omnirouter.ops`; this
module joins them. :class:`Router` is the router users meet as ``om.Router``: the
core's :class:`omnirouter.routing.Router` with ``journal=``, :meth:`Router.recover`,
:attr:`Router.journal`, :meth:`Router.stats` and :meth:`Router.watch_portfolio`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from omnirouter.model import ChannelRegistry
from omnirouter.ops.journal import Journal
from omnirouter.ops.portfolio import PortfolioNotice, watch_portfolio
from omnirouter.ops.recovery import recover
from omnirouter.ops.stats import RouterStats, live_stats
from omnirouter.ops.writer import JournalWriter, attach_journal
from omnirouter.routing import router as _core
from omnirouter.routing.queues import FourEyes, Queue
from omnirouter.routing.router import PriorityStrategy, ServiceLevelHook

__all__ = ["Router"]


class Router(_core.Router):
    """The universal queue: submit work, add agents, and the router gives each piece of
    work to the best-suited free agent, telling every change as an :class:`Event`.

    Every operation is thread-safe (one re-entrant lock) and either succeeds or raises
    an :class:`~omnirouter.OmnirouterError` having changed nothing. It is the routing core's
    :class:`omnirouter.routing.Router` with the operations conveniences: ``journal=``,
    :meth:`recover`, :attr:`journal`, :meth:`stats` and :meth:`watch_portfolio`.

    Args:
        queues: Tried in order; the first whose ``accepts`` matches takes the work.
            Without any, one queue named ``default`` takes everything.
        selection: How to pick among free matching agents: a policy name
            (``"longest_idle"``, ``"round_robin"`` …), a policy from
            :mod:`omnirouter.selection`, or a callable ``(interaction, candidates) ->
            agent``.
        clock: Where the router reads the time (epoch seconds); ``time.time`` in
            production, a :class:`~omnirouter.testing.ManualClock` in tests.
        channels: The channel registry (default: the built-in channels).
        offer_timeout: Seconds an agent has to :meth:`accept` an offer. Without it work
            is assigned directly.
        priority: The priority hook, ``(interaction, now) -> seconds of head start``,
            e.g. a :class:`~omnirouter.PriorityScorer` (default: manual priority × 60 s).
        sla: The service-level hook (e.g. a :class:`~omnirouter.ServiceLevelPolicy`);
            with it the router emits ``sla_at_risk`` and ``sla_breached``.
        rng: The random generator of random selection policies.
        four_eyes: The review rule for public replies (:class:`FourEyes`).
        journal: A :class:`~omnirouter.Journal` (e.g. :class:`~omnirouter.SQLiteJournal`)
            that makes every call durable before it returns.
        blending: Blending and invite rules (:mod:`omnirouter.blending`).
        keep_finished: How many finished interactions to remember (default: all);
            older ids are forgotten (unknown, and may be submitted again), so a long run
            stays flat in memory.

    Raises:
        ValidationError: An option is invalid (e.g. a negative ``offer_timeout``); the
            error names it.
        ExpressionError: A queue's ``accepts`` or a step's target does not parse; the
            error shows where.

    Example:
        >>> import omnirouter as om
        >>> router = om.Router(clock=lambda: 0.0)
        >>> router.add_agent({"id": "anna", "capacity": {"voice": 1}})
        >>> router.set_presence("anna", "available")
        >>> router.submit({"id": "call-1", "channel": "voice"})
        >>> router.agent_of("call-1")
        'anna'
    """

    def __init__(
        self,
        queues: Iterable[Queue] = (),
        selection: Any = "longest_idle",
        clock: Callable[[], float] = time.time,
        channels: ChannelRegistry | None = None,
        offer_timeout: float | None = None,
        priority: PriorityStrategy | None = None,
        sla: ServiceLevelHook | None = None,
        rng: random.Random | None = None,
        *,
        four_eyes: FourEyes | None = None,
        journal: Journal | None = None,
        blending: Iterable[Any] = (),
        keep_finished: int | None = None,
    ) -> None:
        super().__init__(
            queues,
            selection,
            clock,
            channels,
            offer_timeout,
            priority,
            sla,
            rng,
            four_eyes=four_eyes,
            blending=blending,
            keep_finished=keep_finished,
        )
        if journal is not None:
            attach_journal(self, journal)

    @property
    def journal(self) -> JournalWriter | None:
        """The writer of this router's durable journal (``journal=`` or :meth:`recover`)."""
        return self.view.extensions.get(JournalWriter)

    @classmethod
    def recover(
        cls,
        journal: Journal,
        *,
        queues: Iterable[Queue] | None = None,
        selection: Any = None,
        clock: Callable[[], float] = time.time,
        channels: ChannelRegistry | None = None,
        priority: PriorityStrategy | None = None,
        sla: ServiceLevelHook | None = None,
        rng: random.Random | None = None,
        four_eyes: FourEyes | None = None,
        checkpoint: bool = True,
        blending: Iterable[Any] | None = None,
    ) -> Router:
        """The router exactly as the journal left it (after a crash): its latest snapshot
        plus every command recorded after it, replayed at their recorded times. The
        router keeps writing to ``journal``; hooks are passed again as for :meth:`restore`
        (``blending``: the custom blending policies, or all rules to replace the
        snapshot's built-in ones).

        Args:
            journal: The journal the crashed router wrote.
            checkpoint: Store a fresh snapshot once the replay is done, so the next
                recovery starts there (default). ``False`` leaves the journal as it was.

        Raises:
            JournalCorruptError: A record fails its checksum or the sequence has a gap.
            RecoveryError: A replayed command does not give its recorded outcome (a
                hook passed differently than when it was recorded); nothing is skipped.
        """
        router = recover(
            cls,
            journal,
            queues=queues,
            selection=selection,
            clock=clock,
            channels=channels,
            priority=priority,
            sla=sla,
            rng=rng,
            four_eyes=four_eyes,
            checkpoint=checkpoint,
            blending=blending,
        )
        assert isinstance(router, cls)
        return router

    def stats(self, now: float | None = None) -> RouterStats:
        """Live figures: per channel and queue, agent, team and reason of contact.

        Counters (handled, service level so far today) count from the first call.
        """
        return live_stats(self, now)

    def watch_portfolio(
        self, advisor_id: str, callback: Callable[[PortfolioNotice], object]
    ) -> Callable[[], None]:
        """Tell ``callback`` every event of every customer in the advisor's portfolio,
        on any channel, and those of advisors they back up while those are away.
        Returns a function that stops the watch."""
        return watch_portfolio(self, advisor_id, callback)


Router.__module__ = "omnirouter"
