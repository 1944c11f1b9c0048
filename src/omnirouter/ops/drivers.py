"""Drivers that run a router live: they call ``tick()`` when ``next_wakeup()`` is due.

The router never reads the clock by itself; a host that serves requests (Flask, Django,
FastAPI) needs something to fire offer timeouts, step widening, wrap-up ends and SLA
timers on time. :class:`ThreadedDriver` is a daemon thread; :class:`AsyncioDriver` a
task on the running event loop. Both wake early when a call sets an earlier timer
(they listen to the router's commit hook) and never sleep longer than ``max_sleep``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from omnirouter.errors import ErrorDetail, ValidationError

if TYPE_CHECKING:
    from omnirouter.routing.router import Router

__all__ = ["AsyncioDriver", "ThreadedDriver"]


def _check(max_sleep: float) -> float:
    if isinstance(max_sleep, bool) or not isinstance(max_sleep, int | float) or max_sleep <= 0:
        raise ValidationError(
            "driver", [ErrorDetail(["max_sleep"], f"positive seconds, not {max_sleep!r}")]
        )
    return float(max_sleep)


class _DriverCore:
    """What both drivers share: the router, its clock, the tick count and the error."""

    def __init__(
        self,
        router: Router,
        *,
        clock: Callable[[], float] | None = None,
        max_sleep: float = 1.0,
    ) -> None:
        self._router = router
        self._clock = clock if clock is not None else router.view.clock
        self._max_sleep = _check(max_sleep)
        self._remove_hook: Callable[[], None] | None = None
        self.ticks = 0
        self.error: BaseException | None = None

    def _delay(self) -> float:
        wakeup = self._router.next_wakeup()
        if wakeup is None:
            return self._max_sleep
        return min(self._max_sleep, max(0.0, wakeup - self._clock()))

    def _due(self) -> bool:
        wakeup = self._router.next_wakeup()
        return wakeup is not None and wakeup <= self._clock()

    def _tick(self) -> bool:
        """Fire due timers; False (with :attr:`error` set) when the router refused."""
        try:
            self._router.tick(self._clock())
        except Exception as error:
            self.error = error
            return False
        self.ticks += 1
        return True

    def _unhook(self) -> None:
        if self._remove_hook is not None:
            self._remove_hook()
            self._remove_hook = None


class ThreadedDriver(_DriverCore):
    """Ticks ``router`` from a background thread: ``ThreadedDriver(router).start()``.

    ``clock`` must be the router's clock (the default takes it from the router).
    Errors raised by ``tick`` stop the driver and are kept in :attr:`error`; a
    :class:`~omnirouter.JournalError` is among them (the router must then be recovered).

    Args:
        router: The router to tick.
        clock: The router's clock (default: taken from the router).
        max_sleep: The longest the thread sleeps between checks, in seconds; it wakes
            earlier when a call sets an earlier timer.

    Raises:
        ValidationError: ``max_sleep`` is not positive seconds.

    Example:
        >>> import omnirouter as om
        >>> router = om.Router(offer_timeout=30)
        >>> with om.ThreadedDriver(router, max_sleep=0.5) as driver:
        ...     driver.running
        True
        >>> driver.running, driver.error
        (False, None)
    """

    def __init__(
        self,
        router: Router,
        *,
        clock: Callable[[], float] | None = None,
        max_sleep: float = 1.0,
    ) -> None:
        super().__init__(router, clock=clock, max_sleep=max_sleep)
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the driver thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> ThreadedDriver:
        """Start the thread (returns self, so ``driver = ThreadedDriver(r).start()``)."""
        if self.running:
            return self
        self._stopping = False
        self._wake.clear()
        self._remove_hook = self._router.add_commit_hook(self._wake.set)
        self._thread = threading.Thread(target=self._loop, name="omnirouter-driver", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stopping:
            delay = self._delay()
            if delay > 0:
                self._wake.wait(delay)
                self._wake.clear()
                if self._stopping:
                    return
                if not self._due():
                    continue
            if not self._tick():
                return

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the thread and wait for it (at most ``timeout`` seconds)."""
        self._stopping = True
        self._wake.set()
        self._unhook()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ThreadedDriver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class AsyncioDriver(_DriverCore):
    """Ticks ``router`` from a task on the running event loop.

    ``driver.start()`` inside a running loop (e.g. FastAPI's lifespan), ``await
    driver.stop()`` on shutdown; or ``async with AsyncioDriver(router): ...``. Ticks run
    on the loop's thread (a journal in ``"command"`` durability then writes there too).
    Arguments, errors and :attr:`error` as for :class:`ThreadedDriver`.

    Example:
        >>> import asyncio
        >>> import omnirouter as om
        >>> async def serve() -> bool:
        ...     async with om.AsyncioDriver(om.Router(), max_sleep=0.5) as driver:
        ...         return driver.running
        >>> asyncio.run(serve())
        True
    """

    def __init__(
        self,
        router: Router,
        *,
        clock: Callable[[], float] | None = None,
        max_sleep: float = 1.0,
    ) -> None:
        super().__init__(router, clock=clock, max_sleep=max_sleep)
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Checked by the task on every turn: on Python 3.11 ``asyncio.wait_for`` can
        # swallow a cancellation that arrives as the wake event is set, so cancelling
        # alone may leave the task (and ``stop``) waiting for ever.
        self._stopping = False

    @property
    def running(self) -> bool:
        """True while the driver task runs."""
        return self._task is not None and not self._task.done()

    def start(self) -> AsyncioDriver:
        """Start the task on the running loop (call from inside the loop)."""
        if self.running:
            return self
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stopping = False
        wake = self._wake = asyncio.Event()

        def poke() -> None:
            # Commit hooks run on whichever thread called the router.
            with contextlib.suppress(RuntimeError):  # the loop is closed
                loop.call_soon_threadsafe(wake.set)

        self._remove_hook = self._router.add_commit_hook(poke)
        self._task = loop.create_task(self._run(wake), name="omnirouter-driver")
        return self

    async def _run(self, wake: asyncio.Event) -> None:
        while not self._stopping:
            delay = self._delay()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), delay)
                wake.clear()
                if self._stopping:
                    return
                if not self._due():
                    continue
            if not self._tick():
                return

    async def stop(self) -> None:
        """Stop the task and wait for it to end."""
        self._unhook()
        self._stopping = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            if self._wake is not None:
                self._wake.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def __aenter__(self) -> AsyncioDriver:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
