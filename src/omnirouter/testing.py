"""Helpers for testing routing policies in a test suite: a clock moved by hand and an
event recorder.

The router never reads the wall clock; it asks the clock it was given. A test gives it a
:class:`ManualClock`, moves the time with :meth:`~ManualClock.advance` and calls
``router.tick()`` to fire what fell due (offer timeouts, step expiry, wrap-up ends).
An :class:`EventRecorder` subscribed to the router keeps every event for assertions::

    clock = ManualClock()
    router = om.Router(clock=clock, offer_timeout=30)
    events = EventRecorder()
    router.subscribe(events)
    ...
    clock.advance(31)
    router.tick()
    assert events.kinds("call-1")[-1] == "offer_timeout"
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.routing.events import Event

__all__ = ["EventRecorder", "ManualClock"]


def _refuse(field: str, value: object, message: str) -> ValidationError:
    return ValidationError(
        "ManualClock", [ErrorDetail(path=[field], message=message, type="value_error", input=value)]
    )


class ManualClock:
    """A clock that stands still until the test moves it (epoch seconds, a float).

    Pass it as a router's ``clock``. It never goes backwards: :meth:`advance` takes
    seconds ``>= 0`` and :meth:`set` a time not before the current one; anything else
    raises :class:`~omnirouter.ValidationError` and leaves the time as it was.

    >>> clock = ManualClock(start=100.0)
    >>> clock()
    100.0
    >>> clock.advance(2.5)
    102.5
    """

    __slots__ = ("_now",)

    def __init__(self, start: float = 0.0) -> None:
        self._now = self._checked("start", start)

    def __call__(self) -> float:
        """The current time."""
        return self._now

    @property
    def now(self) -> float:
        """The current time."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move the time forward by ``seconds`` (``>= 0``); returns the new time."""
        step = self._checked("seconds", seconds)
        if step < 0:
            raise _refuse("seconds", seconds, "must be >= 0: the clock never goes backwards")
        self._now += step
        return self._now

    def set(self, at: float) -> float:
        """Move the time to ``at`` (not before the current time); returns it."""
        moment = self._checked("at", at)
        if moment < self._now:
            raise _refuse(
                "at", at, f"{moment} is before the current time {self._now}: clocks never go back"
            )
        self._now = moment
        return self._now

    @staticmethod
    def _checked(field: str, value: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _refuse(field, value, f"must be a number of seconds, not {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise _refuse(field, value, f"must be finite, not {value!r}")
        return number

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"


class EventRecorder:
    """Subscribe it to a router (``router.subscribe(recorder)``); it keeps every event.

    >>> recorder = EventRecorder()
    >>> recorder(Event("queued", 1.0, "i-1"))
    >>> recorder.kinds()
    ['queued']
    """

    def __init__(self) -> None:
        #: Every event received, in order.
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        """Record ``event`` (what the router calls)."""
        self.events.append(event)

    def kinds(self, interaction_id: str | None = None) -> list[str]:
        """The kinds of the events so far, of one interaction when ``interaction_id`` is given."""
        return [
            event.kind
            for event in self.events
            if interaction_id is None or event.interaction_id == interaction_id
        ]

    def of(self, kind: str) -> list[Event]:
        """The events of one kind, in order."""
        return [event for event in self.events if event.kind == kind]

    def last(self, kind: str | None = None) -> Event | None:
        """The latest event (of ``kind`` when given), or None."""
        matching = self.events if kind is None else self.of(kind)
        return matching[-1] if matching else None

    def assignments(self) -> dict[str, str]:
        """Interaction id → agent id of each ``assigned`` event (a later one wins)."""
        return {
            event.interaction_id: event.agent_id
            for event in self.events
            if event.kind == "assigned"
            and event.interaction_id is not None
            and event.agent_id is not None
        }

    def clear(self) -> None:
        """Forget the events recorded so far."""
        self.events.clear()

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[Event]:
        return iter(list(self.events))
