"""The routing core's innermost layer: plain data and rules, no pydantic, lock, clock or I/O.

:mod:`omnirouter.dispatch.states` is the one transition table of an interaction's
lifecycle, and the only code that changes an interaction's state. The router
(:mod:`omnirouter.routing`) is built around it.
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
