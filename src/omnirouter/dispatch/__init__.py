"""The routing core's innermost layer: plain data and rules, no pydantic, lock, clock or I/O.

:mod:`omnirouter.dispatch.states` is the one transition table of an interaction's
lifecycle, and the only code that changes an interaction's state;
:mod:`omnirouter.dispatch.capacity` is the capacity rule on plain data,
:mod:`omnirouter.dispatch.lines` the wait lines and :mod:`omnirouter.dispatch.timers`
the timer heap. The router (:mod:`omnirouter.routing`)
is built around them.

The capacity rule and the timer heap run compiled (``omnirouter._native``, built from
Rust); :data:`implementation` says which implementation runs, ``"native"`` or
``"python"`` (the pure-Python reference, chosen by setting the environment variable
``OMNIROUTER_PURE_PYTHON=1`` before omnirouter is imported).
"""

from typing import Final

from omnirouter.dispatch._implementation import IMPLEMENTATION
from omnirouter.dispatch.states import (
    OPEN_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    InteractionState,
    can_move,
    move,
)

#: Which implementation of the dispatch core runs: ``"native"`` or ``"python"``.
implementation: Final = IMPLEMENTATION

__all__ = [
    "OPEN_STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "InteractionState",
    "can_move",
    "implementation",
    "move",
]
