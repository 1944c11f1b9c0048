"""Helpers for working through many records at once: cheap copies, the collector held off.

Python's cyclic garbage collector walks every live container object each time a full
collection runs, and a batch that builds hundreds of thousands of objects triggers
several such runs, each longer than the last, so the cost per record grows with the
size of the batch. The structures a merge builds hold no reference cycles (records,
contacts, keys, provenance are trees), so reference counting alone frees them and
the collector can wait until the batch is done.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

__all__ = ["collector_paused", "snapshot"]

T = TypeVar("T")

# Values that cannot change, so a copy may share them.
_ATOMIC: frozenset[type] = frozenset(
    {str, int, float, bool, type(None), bytes, date, datetime, time, Decimal}
)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block, if it is running.

    Only the caller that paused it resumes it, so nested or concurrent batches leave
    it as they found it; reference counting keeps freeing memory meanwhile.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def snapshot(value: T) -> T:
    """A deep copy of ``value``; plain dicts and lists of plain values take a fast path."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is dict:
        copied: dict[Any, Any] = dict(value)  # type: ignore[call-overload]
        for key, item in copied.items():
            if type(item) not in _ATOMIC:
                copied[key] = snapshot(item)
        return copied  # type: ignore[return-value]
    if kind is list:
        return [item if type(item) in _ATOMIC else snapshot(item) for item in value]  # type: ignore[attr-defined, return-value]
    return copy.deepcopy(value)
