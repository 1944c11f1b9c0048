"""Portfolio notifications: an advisor hears of every activity of their customers.

Once a customer is in an advisor's portfolio (``Agent.portfolio``), every event of
every interaction of that customer, on any channel, is passed to the advisor's
watchers as a :class:`PortfolioNotice`. While the advisor is not available (away or
offline), their ``backup_advisor_id`` is told as well (``as_backup=True``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import attrs

from omnirouter.errors import ErrorDetail, UnknownAgentError, ValidationError
from omnirouter.routing.events import Event

if TYPE_CHECKING:
    from omnirouter.routing.router import Router

__all__ = ["PortfolioNotice", "watch_portfolio"]

_ENDED: Final = frozenset({"completed", "abandoned", "cancelled"})


@attrs.frozen(slots=True)
class PortfolioNotice:
    """One activity of a portfolio customer, as told to ``advisor_id``.

    ``owner_id`` is the customer's personal advisor; ``as_backup`` is True when the
    advisor is told as the owner's backup while the owner is away.
    """

    advisor_id: str
    owner_id: str
    customer_id: str
    as_backup: bool
    event: Event


class _PortfolioHub:
    """One subscriber per router that routes events to the advisors' watchers."""

    def __init__(self, router: Router) -> None:
        self._router = router
        self._watchers: dict[str, list[Callable[[PortfolioNotice], object]]] = {}
        self._customer_of: dict[str, str | None] = {}
        self._unsubscribe: Callable[[], None] | None = None

    def add(self, advisor_id: str, callback: Callable[[PortfolioNotice], object]) -> None:
        self._watchers.setdefault(advisor_id, []).append(callback)
        if self._unsubscribe is None:
            self._unsubscribe = self._router.subscribe(self._on_event)

    def remove(self, advisor_id: str, callback: Callable[[PortfolioNotice], object]) -> None:
        callbacks = self._watchers.get(advisor_id, [])
        if callback in callbacks:
            callbacks.remove(callback)
        if not callbacks:
            self._watchers.pop(advisor_id, None)
        if not self._watchers and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            self._customer_of.clear()

    def _customer(self, interaction_id: str) -> str | None:
        if interaction_id in self._customer_of:
            return self._customer_of[interaction_id]
        view = self._router.view
        work = view.work(interaction_id)
        customer = None
        while work is not None:
            customer = work.interaction.customer_id
            if customer is not None or work.parent is None:
                break
            work = view.work(work.parent)
        self._customer_of[interaction_id] = customer
        return customer

    def _on_event(self, event: Event) -> None:
        interaction_id = event.interaction_id
        if interaction_id is None:
            return
        customer = self._customer(interaction_id)
        if event.kind in _ENDED:
            self._customer_of.pop(interaction_id, None)
        if customer is None:
            return
        router = self._router
        owner_id = router.view.advisor_of(customer)
        if owner_id is None:
            return
        for callback in tuple(self._watchers.get(owner_id, ())):
            callback(PortfolioNotice(owner_id, owner_id, customer, False, event))
        owner = router.view.agent(owner_id)
        if owner is None or owner.present:
            return
        backup = owner.agent.backup_advisor_id
        if backup is not None:
            for callback in tuple(self._watchers.get(backup, ())):
                callback(PortfolioNotice(backup, owner_id, customer, True, event))


def watch_portfolio(
    router: Router, advisor_id: str, callback: Callable[[PortfolioNotice], object]
) -> Callable[[], None]:
    """See :meth:`omnirouter.Router.watch_portfolio`; returns the function that stops it."""
    if not callable(callback):
        raise ValidationError(
            "watch_portfolio", [ErrorDetail(["callback"], f"{callback!r} is not callable")]
        )
    view = router.view
    with view.lock:
        if view.agent(advisor_id) is None:
            raise UnknownAgentError(str(advisor_id), view.agent_ids())
        hub = view.extensions.setdefault(_PortfolioHub, lambda: _PortfolioHub(router))
        hub.add(advisor_id, callback)

    def stop() -> None:
        with view.lock:
            hub.remove(advisor_id, callback)

    return stop
