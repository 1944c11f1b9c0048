"""The lifecycle of an interaction: its states and the one table of legal transitions.

Every change of an interaction's state in the router goes through :func:`move` (or
:func:`load`, when a snapshot is restored); a transition the table does not list raises
:class:`~omnirouter.InvalidStateError` and changes nothing. The operations check their
own preconditions first and say why in their own words ("'i1' is queued, not
offered"); the table is the rule those checks implement and the last line of defence.

    new ──► scheduled ──► queued ◄──────────────┐ (requeued, transferred)
     └───────────────────► │  ├──► offered ──► assigned ◄──► paused
                           │  └───────────────►   │
                           ▼                      ▼
          waiting_for_children ──► completed · abandoned · cancelled

Plain data only: this module imports no pydantic, holds no lock and reads no clock, so
a compiled core can implement the same table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final, Protocol

from omnirouter.errors import ErrorDetail, InvalidStateError, ValidationError

__all__ = [
    "OPEN_STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "HasState",
    "InteractionState",
    "can_move",
    "load",
    "move",
]


class InteractionState(enum.StrEnum):
    """Where an interaction is in its lifecycle.

    Every interaction ends in exactly one terminal state: ``completed``,
    ``abandoned``, ``cancelled`` or ``transferred_out``.
    """

    NEW = "new"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    OFFERED = "offered"
    ASSIGNED = "assigned"
    PAUSED = "paused"
    WAITING_FOR_CHILDREN = "waiting_for_children"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    CANCELLED = "cancelled"
    TRANSFERRED_OUT = "transferred_out"

    @property
    def terminal(self) -> bool:
        """True for the four end states."""
        return self in TERMINAL_STATES


S = InteractionState

#: The four end states; an interaction in one of them is finished and changes no more.
TERMINAL_STATES: Final = frozenset({S.COMPLETED, S.ABANDONED, S.CANCELLED, S.TRANSFERRED_OUT})

#: The states work may be in while the router holds it (what a snapshot may contain).
OPEN_STATES: Final = frozenset(
    {S.SCHEDULED, S.QUEUED, S.OFFERED, S.ASSIGNED, S.PAUSED, S.WAITING_FOR_CHILDREN}
)

#: From each state, the states it may move to. Work is "queued" again when it is placed
#: anew (requeued, transferred, overflowing, a reserved agent removed).
TRANSITIONS: Final[Mapping[InteractionState, frozenset[InteractionState]]] = {
    S.NEW: frozenset({S.SCHEDULED, S.QUEUED}),
    S.SCHEDULED: frozenset({S.QUEUED, S.ABANDONED, S.CANCELLED}),
    S.QUEUED: frozenset(
        {S.QUEUED, S.OFFERED, S.ASSIGNED, S.WAITING_FOR_CHILDREN, S.ABANDONED, S.CANCELLED}
    ),
    S.OFFERED: frozenset({S.ASSIGNED, S.QUEUED, S.WAITING_FOR_CHILDREN, S.ABANDONED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.PAUSED, S.QUEUED, S.WAITING_FOR_CHILDREN, S.COMPLETED, S.CANCELLED}),
    S.PAUSED: frozenset({S.ASSIGNED, S.QUEUED, S.WAITING_FOR_CHILDREN, S.CANCELLED}),
    # A split ends when its parts have; a reviewed reply as its review did.
    S.WAITING_FOR_CHILDREN: frozenset({S.COMPLETED, S.ABANDONED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.ABANDONED: frozenset(),
    S.CANCELLED: frozenset(),
    S.TRANSFERRED_OUT: frozenset(),
}


class HasState(Protocol):
    """Anything with an interaction's state (the router's work record)."""

    @property
    def id(self) -> str:
        """The interaction's id."""
        ...

    state: InteractionState


def can_move(source: InteractionState, target: InteractionState) -> bool:
    """Whether the table allows ``source`` → ``target``."""
    return target in TRANSITIONS[source]


def move(work: HasState, target: InteractionState) -> None:
    """Change ``work``'s state to ``target``; an illegal transition raises
    :class:`~omnirouter.InvalidStateError` and leaves the state as it was."""
    if target not in TRANSITIONS[work.state]:
        raise InvalidStateError(
            f"{work.id!r} cannot move from {work.state.value} to {target.value}"
        )
    work.state = target


def load(work: HasState, value: object, field: str) -> None:
    """Set ``work``'s state from saved data (a snapshot): one of :data:`OPEN_STATES`,
    by value; anything else raises :class:`~omnirouter.ValidationError` naming ``field``."""
    state = _BY_VALUE.get(value) if isinstance(value, str) else None
    if state is None or state not in OPEN_STATES:
        allowed = ", ".join(sorted(s.value for s in OPEN_STATES))
        raise ValidationError(
            "Router snapshot", [ErrorDetail([field], f"{value!r} is not one of {allowed}")]
        )
    work.state = state


_BY_VALUE: Final = {state.value: state for state in InteractionState}
