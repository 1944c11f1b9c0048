"""Limits: upper bounds that refuse oversized input before any work or memory is spent.

A scenario, a file or a command-line option beyond a limit is refused with a
:class:`omnirouter.ValidationError` that names the limit and how to raise it. Every
limit has a documented default (see ``docs/simulation.md``); pass your own
:class:`Limits` where a function takes ``limits=`` to allow more (or less).
"""

from __future__ import annotations

import math
from typing import Any

import attrs

__all__ = ["DEFAULT_LIMITS", "Limits"]


def _positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"Limits.{attribute.name} must be a number")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"Limits.{attribute.name} must be a finite number > 0, not {value!r}")


@attrs.frozen(kw_only=True, slots=True)
class Limits:
    """Upper bounds on one simulation run and on the files it reads.

    * ``customers_per_run`` — expected arrivals in one replication (rates × horizon).
    * ``horizon_hours`` — the simulated span of one replication.
    * ``replications`` — replications of one scenario (also with ``--replications``).
    * ``intervals_per_run`` — reporting intervals and day-curve steps in one replication.
    * ``portfolio_customers`` — customers in all agents' portfolios together.
    * ``file_bytes`` — size of any file read (scenario, strategy, arrival log, CSV).
    * ``field_chars`` — characters in one CSV field.
    """

    customers_per_run: int = attrs.field(default=10_000_000, validator=_positive)
    horizon_hours: float = attrs.field(default=24.0 * 366, validator=_positive)
    replications: int = attrs.field(default=10_000, validator=_positive)
    intervals_per_run: int = attrs.field(default=1_000_000, validator=_positive)
    portfolio_customers: int = attrs.field(default=1_000_000, validator=_positive)
    file_bytes: int = attrs.field(default=256 * 1024 * 1024, validator=_positive)
    field_chars: int = attrs.field(default=131_072, validator=_positive)


#: The limits used where none are given.
DEFAULT_LIMITS = Limits()
