"""Capacity: may this agent take one more item of channel X now? (plain data, no pydantic).

:class:`Profile` is an agent's capacity as plain data (caps per channel or family, a
total, a budget with units per channel, exclusive channels, the channels allowed at
all). :class:`Load` is what the agent holds now against that profile: one check,
:meth:`Load.reason`, says why one more item does not fit (None when it does), and
:meth:`Load.can_take` caches the yes/no per channel until the load changes. Each
channel is compiled once into a small plan (the counters to check with their caps,
the budget units, whether it is exclusive), so the check is a few dict reads.

Channels are known through ``family_of(channel)``: the channel's family (the channel
itself when it has none), or None for a channel that does not exist.

Two implementations keep the same interface (:class:`CapacityLoad`): the compiled one
(``omnirouter._native.Load``) and :class:`PythonLoad`, the reference. :data:`Load` is
the one that runs (see :data:`omnirouter.dispatch.implementation`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Protocol

import attrs

from omnirouter.dispatch._implementation import IMPLEMENTATION, native_module

__all__ = ["CapacityLoad", "Load", "Profile", "PythonLoad"]

_ANY: Final = "*"


@attrs.frozen(slots=True)
class Profile:
    """An agent's capacity as plain data (what ``om.CapacityProfile`` says, plus the
    channels the agent may serve at all: None for every channel)."""

    per_channel: Mapping[str, int] = attrs.field(factory=dict)
    total: int | None = None
    budget: int | None = None
    units: Mapping[str, int] = attrs.field(factory=dict)
    exclusive: frozenset[str] = frozenset()
    channels: frozenset[str] | None = None


class _Plan:
    __slots__ = ("caps", "counters", "exclusive", "units")

    def __init__(
        self,
        caps: tuple[tuple[str, int], ...],
        counters: tuple[str, ...],
        units: int,
        exclusive: bool,
    ) -> None:
        self.caps = caps
        self.counters = counters
        self.units = units
        self.exclusive = exclusive


class CapacityLoad(Protocol):
    """What one agent holds now, checked against their capacity profile: the interface
    both implementations keep."""

    @property
    def profile(self) -> Profile:
        """The agent's capacity as plain data."""

    @property
    def gate(self) -> Any:
        """The blending gate (None until :meth:`set_gate`)."""

    def set_gate(self, gate: Any) -> None:
        """Let ``gate`` answer from now on: its ``allows(channel)`` is what
        :meth:`can_take` asks on a cache miss, its ``why_not(load, channel)`` what
        :meth:`why_not` returns."""

    def allows(self, channel: str) -> bool:
        """True when the profile allows ``channel`` at all."""

    def can_take(self, channel: str) -> bool:
        """True when one more item of ``channel`` fits now (the gate's answer if any)."""

    def forget(self) -> None:
        """Drop the cached answers (the blending rules changed)."""

    def fits(self, channel: str) -> bool:
        """True when one more item of ``channel`` fits the profile now, blending aside."""

    def why_not(self, channel: str) -> str | None:
        """Why one more item of ``channel`` does not fit (None when it does)."""

    def reason(self, channel: str, others: Iterable[str] = (), sign: int = 0) -> str | None:
        """Why one more item of ``channel`` does not fit the profile, blending aside,
        counting one item of each of ``others`` added (``sign=1``) or taken away (-1)."""

    def add(self, channel: str) -> None:
        """Count one more item of ``channel``; ValueError when the profile forbids it."""

    def remove(self, channel: str) -> None:
        """Count one item of ``channel`` less; ValueError when the profile forbids it."""

    @property
    def active(self) -> int:
        """How many items the agent holds."""

    def counters(self) -> dict[str, int]:
        """The counters that are not zero, by name (``c:<channel>``, ``f:<family>``, ``*``)."""

    def occupancy(self) -> float:
        """The fullest share of any cap or the budget, from 0.0 (idle) to 1.0 (full)."""


class PythonLoad:
    """What one agent holds now, checked against their capacity profile (the reference).

    Per-channel caps count the channel (``c:<name>``) and its family (``f:<family>``);
    ``total`` caps everything; a ``budget`` caps the sum of channel units; an exclusive
    channel is delivered only to an agent holding nothing and blocks everything else.
    Work that is paused (interrupted email) does not count.
    """

    __slots__ = (
        "_family_of",
        "_plans",
        "budget",
        "counts",
        "decide",
        "exclusive_active",
        "gate",
        "profile",
        "units",
        "verdicts",
    )

    def __init__(self, profile: Profile, family_of: Callable[[str], str | None]) -> None:
        #: The agent's capacity as plain data.
        self.profile = profile
        self._family_of = family_of
        self._plans: dict[str, _Plan | None] = {}
        #: can_take answers for the current load, per channel; emptied whenever the load
        #: changes (add, remove, forget). Hot-path readers may read it directly and, on a
        #: miss, call ``decide`` and store its answer here (what can_take does).
        self.verdicts: dict[str, bool] = {}
        self.counts: dict[str, int] = {}
        self.units = 0
        self.exclusive_active = 0
        self.budget = profile.budget
        #: The blending gate (``routing._blend_engine``): when set, it answers why_not, and
        #: ``decide`` (what can_take asks on a cache miss) is its answer instead of fits.
        #: (The one hook into this class from outside; a compiled core would take the
        #: rules' verdicts as data instead.)
        self.gate: Any = None
        self.decide: Callable[[str], bool] = self.fits

    def plan(self, channel: str) -> _Plan | None:
        """The compiled plan of ``channel``, or None when the agent may not take it at all."""
        try:
            return self._plans[channel]
        except KeyError:
            plan = self._compile(channel)
            self._plans[channel] = plan
            return plan

    def _compile(self, channel: str) -> _Plan | None:
        family = self._family_of(channel)
        if family is None:  # an unknown channel
            return None
        profile = self.profile
        if (
            profile.channels is not None
            and channel not in profile.channels
            and family not in profile.channels
        ):
            return None
        caps: list[tuple[str, int]] = []
        per_channel = profile.per_channel
        if per_channel:
            if family != channel and channel in per_channel:
                caps.append(("c:" + channel, per_channel[channel]))
            if family in per_channel:
                caps.append(("f:" + family, per_channel[family]))
            if not caps:
                return None
            total = profile.total
        elif profile.total is not None or profile.budget is not None:
            total = profile.total
        else:  # an empty profile: one interaction at a time
            total = 1
        if total is not None:
            caps.append((_ANY, total))
        if any(cap <= 0 for _, cap in caps):
            return None
        units = 0
        if profile.budget is not None:
            units = profile.units.get(channel) or profile.units.get(family) or 0
            if units <= 0 or units > profile.budget:
                return None
        counters = (
            ("c:" + channel, "f:" + family, _ANY) if family != channel else ("f:" + family, _ANY)
        )
        exclusive = channel in profile.exclusive or family in profile.exclusive
        return _Plan(tuple(caps), counters, units, exclusive)

    def allows(self, channel: str) -> bool:
        """True when the profile allows ``channel`` at all (whatever the agent holds now)."""
        return self.plan(channel) is not None

    def can_take(self, channel: str) -> bool:
        """True when one more item of ``channel`` fits now."""
        fits = self.verdicts.get(channel)
        if fits is None:
            fits = self.verdicts[channel] = self.decide(channel)
        return fits

    def forget(self) -> None:
        """Drop the cached answers (the blending rules changed)."""
        self.verdicts.clear()

    def set_gate(self, gate: Any) -> None:
        """Let ``gate`` answer :meth:`can_take` (its ``allows``) and :meth:`why_not`."""
        self.gate = gate
        self.decide = gate.allows
        self.verdicts.clear()

    def fits(self, channel: str) -> bool:
        """True when one more item of ``channel`` fits the profile now, blending aside."""
        plan = self._plans.get(channel) or self.plan(channel)
        if plan is None or self.exclusive_active:
            return False
        counts = self.counts
        if plan.exclusive and counts.get(_ANY):
            return False
        for key, cap in plan.caps:
            if counts.get(key, 0) >= cap:
                return False
        budget = self.budget
        return not (budget is not None and self.units + plan.units > budget)

    def why_not(self, channel: str) -> str | None:
        """Why one more item of ``channel`` does not fit (None when it does)."""
        if self.gate is not None:
            reason: str | None = self.gate.why_not(self, channel)
            return reason
        return self.reason(channel)

    def reason(self, channel: str, others: Iterable[str] = (), sign: int = 0) -> str | None:
        """Why one more item of ``channel`` does not fit the profile, blending aside.

        With ``others`` and ``sign`` the check counts the load as if one item of each
        channel in ``others`` were added (``sign=1``) or taken away (``sign=-1``): what
        the blending gate asks about paused and interruptible work.
        """
        plan = self.plan(channel)
        if plan is None:
            return f"channel {channel} not in the agent's capacity profile"
        counts = self.counts
        units = self.units
        exclusive_active = self.exclusive_active
        if others and sign:
            counts = dict(counts)
            for other in others:
                other_plan = self.plan(other)
                if other_plan is None:
                    continue
                for key in other_plan.counters:
                    counts[key] = counts.get(key, 0) + sign
                units += sign * other_plan.units
                if other_plan.exclusive:
                    exclusive_active += sign
        if exclusive_active:
            return "busy on an exclusive channel"
        if plan.exclusive and counts.get(_ANY):
            return f"{channel} is exclusive and the agent holds other work"
        for key, cap in plan.caps:
            if counts.get(key, 0) >= cap:
                what = "in total" if key == _ANY else f"on {key[2:]}"
                return f"at capacity {what} ({cap})"
        if self.budget is not None and units + plan.units > self.budget:
            return f"budget {units}+{plan.units} > {self.budget}"
        return None

    def add(self, channel: str) -> None:
        """Count one more item of ``channel`` (the caller checked :meth:`can_take`)."""
        plan = self._plans.get(channel) or self.plan(channel)
        if plan is None:  # pull/transfer to an agent may not bypass the profile
            raise ValueError(f"channel {channel} not allowed")
        self.verdicts.clear()
        counts = self.counts
        for key in plan.counters:
            counts[key] = counts.get(key, 0) + 1
        self.units += plan.units
        if plan.exclusive:
            self.exclusive_active += 1

    def remove(self, channel: str) -> None:
        """Count one item of ``channel`` less (ValueError, changing nothing, when the
        agent holds none)."""
        plan = self._plans.get(channel) or self.plan(channel)
        if plan is None:
            raise ValueError(f"channel {channel} not allowed")
        counts = self.counts
        if counts.get(plan.counters[0], 0) <= 0:
            raise ValueError(f"channel {channel} not held")
        self.verdicts.clear()
        for key in plan.counters:
            counts[key] -= 1
        self.units -= plan.units
        if plan.exclusive:
            self.exclusive_active -= 1

    @property
    def active(self) -> int:
        """How many items the agent holds (offers, work and wrap-up)."""
        return self.counts.get(_ANY, 0)

    def counters(self) -> dict[str, int]:
        """The counters that are not zero, by name (``c:<channel>``, ``f:<family>``, ``*``)."""
        return {key: count for key, count in self.counts.items() if count}

    def occupancy(self) -> float:
        """The fullest share of any cap or the budget, from 0.0 (idle) to 1.0 (full)."""
        shares = [0.0]
        profile = self.profile
        if self.budget is not None:
            shares.append(self.units / self.budget)
        for key, count in self.counts.items():
            if not count:
                continue
            if key == _ANY:
                total = profile.total
                if total is None and not profile.per_channel and profile.budget is None:
                    total = 1
                cap = total if total is not None else sum(profile.per_channel.values())
                if cap <= 0:  # a budget alone: the budget share above says it all
                    continue
            else:
                cap = profile.per_channel.get(key[2:], 0)
            if cap > 0:
                shares.append(count / cap)
        return max(shares)


#: A load for one agent: ``Load(profile, family_of)`` of the implementation that runs.
Load: Callable[[Profile, Callable[[str], str | None]], CapacityLoad] = (
    native_module().Load if IMPLEMENTATION == "native" else PythonLoad
)
