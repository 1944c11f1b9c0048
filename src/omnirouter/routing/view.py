"""A read-only view of a router for the modules around it (operations, reports, tools).

:class:`RouterView` is what code outside the routing core reads: the work the router
holds, its agents, queue names, advisors, the lock and the clock, and a typed registry
of the add-ons attached to the router (a journal writer, live statistics, a portfolio
hub). The records it hands out are the router's own, typed as read-only protocols:
read them under :attr:`RouterView.lock`, never change them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol, TypeVar

from omnirouter.model import Agent, Contact, Interaction, InteractionState

if TYPE_CHECKING:
    from omnirouter.routing._router_core import _RouterCore

__all__ = ["AgentInfo", "Extensions", "LoadInfo", "RouterView", "WorkInfo"]

_T = TypeVar("_T")


class WorkInfo(Protocol):
    """One interaction the router holds, as it is now (read only)."""

    @property
    def id(self) -> str:
        """The interaction's id."""
        ...

    @property
    def interaction(self) -> Interaction:
        """The interaction as submitted (with its current manual priority)."""
        ...

    @property
    def customer(self) -> Contact | None:
        """The customer passed on submit, if any."""
        ...

    @property
    def state(self) -> InteractionState:
        """Its state now."""
        ...

    @property
    def queue(self) -> str | None:
        """The queue it is in (or was last placed in)."""
        ...

    @property
    def agent(self) -> str | None:
        """The agent holding (or offered) it, or None."""
        ...

    @property
    def parent(self) -> str | None:
        """The interaction it is a part of (split, consultation, review), or None."""
        ...

    @property
    def enqueued_at(self) -> float:
        """When it started waiting (its place in the order counts from here)."""
        ...


class LoadInfo(Protocol):
    """An agent's load against their capacity profile."""

    def allows(self, channel: str) -> bool:
        """Whether the profile lets the agent take ``channel`` at all."""
        ...

    def occupancy(self) -> float:
        """The share of the capacity in use (0..1)."""
        ...


class AgentInfo(Protocol):
    """One agent as the router sees them now (read only)."""

    @property
    def id(self) -> str:
        """The agent's id."""
        ...

    @property
    def agent(self) -> Agent:
        """The validated agent."""
        ...

    @property
    def presence(self) -> str:
        """``available``, ``away`` or ``offline``."""
        ...

    @property
    def present(self) -> bool:
        """Available for work."""
        ...

    @property
    def items(self) -> Mapping[str, str]:
        """Interaction id → channel of the work offered to or held by the agent."""
        ...

    @property
    def wrapping(self) -> Mapping[str, str]:
        """Interaction id → channel of the work the agent is wrapping up."""
        ...

    @property
    def load(self) -> LoadInfo:
        """The agent's load."""
        ...


class Extensions:
    """Add-ons attached to one router, one per type (a journal writer, live statistics)."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[type, object] = {}

    def get(self, kind: type[_T]) -> _T | None:
        """The add-on of type ``kind``, or None."""
        found = self._items.get(kind)
        return found if isinstance(found, kind) else None

    def put(self, item: object) -> None:
        """Attach ``item`` (replacing one of the same type)."""
        self._items[type(item)] = item

    def setdefault(self, kind: type[_T], make: Callable[[], _T]) -> _T:
        """The add-on of type ``kind``, made by ``make()`` and attached if there is none."""
        found = self.get(kind)
        if found is None:
            found = make()
            self._items[kind] = found
        return found

    def pop(self, kind: type[_T]) -> _T | None:
        """Detach and return the add-on of type ``kind`` (None if there is none)."""
        found = self._items.pop(kind, None)
        return found if isinstance(found, kind) else None


class RouterView:
    """What code outside the routing core reads of one router (see the module doc)."""

    __slots__ = ("_router", "extensions")

    def __init__(self, router: _RouterCore) -> None:
        self._router = router
        #: The add-ons attached to the router.
        self.extensions = Extensions()

    @property
    def lock(self) -> threading.RLock:
        """The router's re-entrant lock: hold it while reading several things at once."""
        return self._router._lock

    @property
    def clock(self) -> Callable[[], float]:
        """The clock the router reads."""
        return self._router._clock

    def work(self, interaction_id: str) -> WorkInfo | None:
        """The open interaction ``interaction_id``, or None (finished or unknown)."""
        return self._router._work.get(interaction_id)

    def open_work(self) -> Iterator[tuple[str, WorkInfo]]:
        """(id, record) of every open interaction, in the order they were submitted."""
        return iter(list(self._router._work.items()))

    def agent(self, agent_id: str) -> AgentInfo | None:
        """The agent ``agent_id``, or None."""
        return self._router._agents.get(agent_id)

    def agents(self) -> Iterator[AgentInfo]:
        """Every agent, in the order they joined."""
        return iter(list(self._router._agents.values()))

    def agent_ids(self) -> list[str]:
        """Every agent's id, in the order they joined."""
        return list(self._router._agents)

    def queue_names(self) -> list[str]:
        """Every queue's name (the four-eyes review queue included, when there is one)."""
        return list(self._router._queues)

    def advisor_of(self, customer_id: str) -> str | None:
        """The agent whose portfolio holds ``customer_id``, or None."""
        return self._router._advisor_of.get(customer_id)
