"""What the host plugs into the scorer: contact history, text classifiers, portfolios.

Each is a small :class:`typing.Protocol`, so the host's own CRM objects fit as they are.
:class:`RecentContacts` and :class:`AgentPortfolios` are ready in-memory versions for
tests, notebooks and small deployments.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model.agent import Agent

__all__ = [
    "AgentPortfolios",
    "ContactHistory",
    "PortfolioLookup",
    "RecentContacts",
    "TextClassifier",
]


@runtime_checkable
class ContactHistory(Protocol):
    """How many interactions a customer had since a moment, on any channel."""

    def count_recent(self, customer_id: str, since: datetime) -> int:
        """The number of the customer's interactions at or after ``since``."""
        ...


@runtime_checkable
class TextClassifier(Protocol):
    """Gives a text one label, or None: sentiment ("negative") or a reason ("billing").

    ``language`` is the interaction's language tag (``de``, ``en-gb``) when known.
    """

    def classify(self, text: str, language: str | None) -> str | None:
        """The label of ``text``, or None when nothing applies."""
        ...


@runtime_checkable
class PortfolioLookup(Protocol):
    """Who the personal advisor of a customer is, if anybody."""

    def advisor_of(self, customer_id: str) -> str | None:
        """The advisor's agent id, or None when the customer is in no portfolio."""
        ...


class RecentContacts:
    """An in-memory :class:`ContactHistory`: add contacts, count them per customer.

    >>> from datetime import datetime, timezone
    >>> history = RecentContacts()
    >>> history.add("k-1", datetime(2024, 5, 1, tzinfo=timezone.utc))
    >>> history.count_recent("k-1", datetime(2024, 4, 24, tzinfo=timezone.utc))
    1
    """

    def __init__(self, contacts: Iterable[tuple[str, datetime]] = ()) -> None:
        self._times: dict[str, list[float]] = {}
        for customer_id, at in contacts:
            self.add(customer_id, at)

    def add(self, customer_id: str, at: datetime) -> None:
        """Record one interaction of ``customer_id`` at ``at`` (an aware datetime)."""
        bisect.insort(self._times.setdefault(customer_id, []), _epoch(at, "at"))

    def count_recent(self, customer_id: str, since: datetime) -> int:
        """The number of recorded interactions of ``customer_id`` at or after ``since``."""
        times = self._times.get(customer_id)
        if not times:
            return 0
        return len(times) - bisect.bisect_left(times, _epoch(since, "since"))

    def count_recent_epoch(self, customer_id: str, since: float) -> int:
        """:meth:`count_recent` with ``since`` in epoch seconds.

        The scorer calls this instead of ``count_recent`` when a history has it, which
        spares a datetime round trip per score.
        """
        times = self._times.get(customer_id)
        if not times:
            return 0
        return len(times) - bisect.bisect_left(times, since)


class AgentPortfolios:
    """A :class:`PortfolioLookup` built from agents' ``portfolio`` lists."""

    def __init__(self, agents: Iterable[Agent]) -> None:
        self._advisor: dict[str, str] = {}
        for agent in agents:
            for customer_id in agent.portfolio:
                self._advisor.setdefault(customer_id, agent.id)

    def advisor_of(self, customer_id: str) -> str | None:
        """The first agent listing ``customer_id`` in their portfolio."""
        return self._advisor.get(customer_id)


def _epoch(moment: datetime, field: str) -> float:
    if moment.tzinfo is None:
        raise ValidationError("RecentContacts", [ErrorDetail([field], "naive datetime")])
    return moment.timestamp()
