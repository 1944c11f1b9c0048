"""The routing core's innermost layer: plain data and rules, no pydantic, lock, clock or I/O.

:mod:`omnirouter.dispatch.states` is the one transition table of an interaction's
lifecycle, and the only code that changes an interaction's state;
:mod:`omnirouter.dispatch.capacity` is the capacity rule on plain data,
:mod:`omnirouter.dispatch.lines` the wait lines and :mod:`omnirouter.dispatch.timers`
the timer heap. The router (:mod:`omnirouter.routing`)
is built around them.
"""

from omnirouter.dispatch.states import (
    OPEN_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    InteractionState,
    can_move,
    move,
)

__all__ = [
    "OPEN_STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "InteractionState",
    "can_move",
    "move",
]
