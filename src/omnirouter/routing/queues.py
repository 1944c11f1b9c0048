"""Queue and step specifications: who accepts what, and targets that widen or narrow.

A :class:`Queue` takes the interactions its ``accepts`` expression matches (the first
matching queue wins). Its :class:`Step` list says which agents may take the work and for
how long: when a step's ``timeout`` runs out the next step's target applies, so targets
can widen (``skills.billing >= 4`` → ``>= 2``) or narrow. After the last step an optional
:class:`Overflow` moves the work to another queue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.routing.expressions import Expression, compile_expression

__all__ = ["DYNAMIC_ROOTS", "FourEyes", "Overflow", "Queue", "Step"]

#: Roots of a target expression that depend on the work, not only on the agent.
DYNAMIC_ROOTS = frozenset({"interaction", "advisor", "customer"})


def _invalid(title: str, field: str, message: str) -> ValidationError:
    return ValidationError(title, [ErrorDetail([field], message)])


def _check_seconds(title: str, field: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(title, field, f"must be a positive number of seconds, not {value!r}")
    try:
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    if not 0.0 < seconds < math.inf:
        raise _invalid(title, field, f"must be a positive finite number of seconds, not {value!r}")
    return seconds


class Step:
    """One stage of a queue: which agents may take the work (``target``) and for how long.

    ``target`` is an expression over the agent (``skills.billing >= 2``, ``languages HAS
    interaction.language``, ``portfolio HAS interaction.customer_id``, ``id ==
    advisor.backup_advisor_id``); blank means every agent. ``timeout`` (seconds) ends
    the step; ``None`` keeps it for good. With ``skip_if_absent`` the step is passed at
    once when no agent matching the target is present (e.g. the advisor is away).

    Raises:
        ExpressionError: ``target`` does not parse; the error shows where.
        ValidationError: ``timeout`` is not positive finite seconds.

    Example:
        >>> import omnirouter as om
        >>> experts_first = om.Step("skills.billing >= 4", timeout=20)
        >>> anyone_after = om.Step()
        >>> om.Queue("billing", accepts='reason == "billing"',
        ...          steps=[experts_first, anyone_after]).name
        'billing'
    """

    __slots__ = ("expression", "skip_if_absent", "target", "timeout")

    def __init__(
        self, target: str = "", timeout: float | None = None, *, skip_if_absent: bool = False
    ) -> None:
        if not isinstance(target, str):
            raise _invalid("Step", "target", f"must be a string, not {type(target).__name__}")
        self.target = target
        self.expression: Expression = compile_expression(target)
        self.timeout = _check_seconds("Step", "timeout", timeout)
        self.skip_if_absent = bool(skip_if_absent)

    @property
    def dynamic(self) -> bool:
        """True when the target reads the interaction, its customer or advisor."""
        return bool(self.expression.roots & DYNAMIC_ROOTS)

    def to_json(self) -> dict[str, Any]:
        """The step as plain data."""
        return {
            "target": self.target,
            "timeout": self.timeout,
            "skip_if_absent": self.skip_if_absent,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        """A step from :meth:`to_json` data."""
        return cls(
            data.get("target", ""),
            data.get("timeout"),
            skip_if_absent=data.get("skip_if_absent", False),
        )

    def __repr__(self) -> str:
        return f"Step(target={self.target!r}, timeout={self.timeout!r})"


class Overflow:
    """Move waiting work to ``queue`` once it has spent ``after`` seconds in the last step,
    or at once on arrival when ``max_waiting`` items already wait in the queue.

    Raises:
        ValidationError: ``queue`` is empty, neither ``after`` nor ``max_waiting`` is
            given, or one of them is negative or not a number.

    Example:
        >>> import omnirouter as om
        >>> spill = om.Overflow("backup_team", after=120, max_waiting=10)
        >>> om.Queue("main", overflow=spill).overflow.queue
        'backup_team'
    """

    __slots__ = ("after", "max_waiting", "queue")

    def __init__(
        self, queue: str, *, after: float | None = None, max_waiting: int | None = None
    ) -> None:
        if not isinstance(queue, str) or not queue:
            raise _invalid("Overflow", "queue", "must name a queue")
        if after is None and max_waiting is None:
            raise _invalid("Overflow", "after", "give after= (seconds) and/or max_waiting=")
        if max_waiting is not None and (
            isinstance(max_waiting, bool) or not isinstance(max_waiting, int) or max_waiting < 0
        ):
            raise _invalid("Overflow", "max_waiting", f"must be an int >= 0, not {max_waiting!r}")
        self.queue = queue
        self.after = _check_seconds("Overflow", "after", after)
        self.max_waiting = max_waiting

    def to_json(self) -> dict[str, Any]:
        """The overflow rule as plain data."""
        return {"queue": self.queue, "after": self.after, "max_waiting": self.max_waiting}

    def __repr__(self) -> str:
        return f"Overflow({self.queue!r}, after={self.after!r}, max_waiting={self.max_waiting!r})"


class Queue:
    """A named queue: ``accepts`` (over the interaction and its ``customer``) picks the
    work, ``steps`` say who may take it over time, ``overflow`` where it goes after.

    With ``sticky=True`` work from a known customer goes first to the agent who served
    that customer last, whatever the channel, when that agent is available now.

    Args:
        name: The queue's name, unique in a router.
        accepts: An expression over the interaction's fields (``channel``, ``reason``,
            ``language``, ``attributes.tier`` …) and ``customer``; blank takes everything.
        steps: The steps (:class:`Step`) in order; none means one step open to every
            agent.
        overflow: Where work goes next (:class:`Overflow`), if anywhere.
        sticky: Prefer the agent who served the customer last.

    Raises:
        ExpressionError: ``accepts`` does not parse.
        ValidationError: ``name`` is empty or a step is not a :class:`Step`.

    Example:
        >>> import omnirouter as om
        >>> vip = om.Queue("vip", accepts='attributes.tier == "gold"',
        ...                steps=[om.Step("skills.billing >= 4", timeout=20), om.Step()])
        >>> [step.target for step in vip.steps]
        ['skills.billing >= 4', '']
    """

    __slots__ = ("accepts", "accepts_expression", "name", "overflow", "steps", "sticky")

    def __init__(
        self,
        name: str,
        accepts: str = "",
        steps: Iterable[Step] = (),
        *,
        overflow: Overflow | None = None,
        sticky: bool = False,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise _invalid("Queue", "name", "a queue needs a non-empty name")
        if not isinstance(accepts, str):
            raise _invalid("Queue", "accepts", f"must be a string, not {type(accepts).__name__}")
        self.name = name
        self.accepts = accepts
        self.accepts_expression: Expression = compile_expression(accepts)
        self.steps: tuple[Step, ...] = tuple(steps) or (Step(),)
        for index, step in enumerate(self.steps):
            if not isinstance(step, Step):
                raise _invalid("Queue", f"steps.{index}", f"must be a Step, not {step!r}")
        if overflow is not None and not isinstance(overflow, Overflow):
            raise _invalid("Queue", "overflow", f"must be an Overflow, not {overflow!r}")
        if overflow is not None and overflow.queue == name:
            raise _invalid("Queue", "overflow", "a queue cannot overflow into itself")
        self.overflow = overflow
        self.sticky = bool(sticky)

    def to_json(self) -> dict[str, Any]:
        """The queue as plain data (expressions as their source text)."""
        return {
            "name": self.name,
            "accepts": self.accepts,
            "steps": [step.to_json() for step in self.steps],
            "overflow": None if self.overflow is None else self.overflow.to_json(),
            "sticky": self.sticky,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Queue:
        """A queue from :meth:`to_json` data."""
        overflow = data.get("overflow")
        return cls(
            data["name"],
            data.get("accepts", ""),
            [Step.from_json(step) for step in data.get("steps", ())],
            overflow=None if overflow is None else Overflow(**overflow),
            sticky=data.get("sticky", False),
        )

    def __repr__(self) -> str:
        return f"Queue({self.name!r}, accepts={self.accepts!r}, steps={list(self.steps)!r})"


class FourEyes:
    """The four-eyes principle for public replies.

    Completing work on one of ``channels`` does not finish it: a review task goes to
    an agent matching ``reviewer`` (never the author), and the original completes
    when the review does. ``when`` (a callable of the router's time) limits the rule,
    e.g. to core hours.
    """

    __slots__ = ("channels", "reviewer", "reviewer_expression", "when")

    def __init__(
        self,
        reviewer: str = "skills.reviewer >= 1",
        channels: Sequence[str] = ("social_public",),
        when: Any = None,
    ) -> None:
        if not isinstance(reviewer, str):
            raise _invalid("FourEyes", "reviewer", "must be an expression string")
        if isinstance(channels, str) or not channels:
            raise _invalid("FourEyes", "channels", "give a non-empty list of channel names")
        if when is not None and not callable(when):
            raise _invalid("FourEyes", "when", "must be a callable of the time, or None")
        self.reviewer = reviewer
        self.reviewer_expression: Expression = compile_expression(reviewer)
        self.channels = frozenset(channels)
        self.when = when

    def applies(self, channel: str, now: float) -> bool:
        """True when work on ``channel`` completed at ``now`` needs a review."""
        return channel in self.channels and (self.when is None or bool(self.when(now)))

    def __repr__(self) -> str:
        return f"FourEyes(reviewer={self.reviewer!r}, channels={sorted(self.channels)!r})"
