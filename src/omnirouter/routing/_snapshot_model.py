"""The router snapshot's shape: a versioned pydantic model of plain JSON data.

:func:`parse` checks a snapshot's types and numbers (finite times, counts >= 0, only
known presence values, states and timer kinds); ``_snapshot.restore`` then checks what
refers to what before it builds anything. Format 1 snapshots (without the memory bound)
are still read; :data:`FORMAT` is what ``Router.snapshot`` writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal

import pydantic
from pydantic import Field, StrictInt, StrictStr

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = [
    "FORMAT",
    "TIMER_KINDS",
    "AgentRecord",
    "QueueRecord",
    "RouterSnapshot",
    "WorkRecord",
    "parse",
]

FORMAT: Final = 2
TIMER_KINDS: Final = ("step", "offer", "wrap", "due", "sla", "retry", "blend")

Time = Annotated[float, Field(allow_inf_nan=False)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: A counter: never negative, and within 64 bits (the compiled core counts in them).
Count = Annotated[int, Field(ge=0, lt=2**63)]
Ids = list[str]
OpenState = Literal["scheduled", "queued", "offered", "assigned", "paused", "waiting_for_children"]
EndState = Literal["completed", "abandoned", "cancelled", "transferred_out"]


class _Record(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(strict=True, extra="forbid", frozen=True)


class AgentRecord(_Record):
    """One agent: the validated agent's data and what the router knows of them now."""

    agent: dict[str, Any]
    seq: Count
    presence: Literal["available", "away", "offline"]
    idle_since: Time
    items: dict[str, str]
    wrapping: dict[str, str]
    paused: dict[str, str] = {}
    recent: list[Time]


class WorkRecord(_Record):
    """One open interaction and where it is."""

    interaction: dict[str, Any]
    customer: dict[str, Any] | None = None
    seq: Count
    state: OpenState
    submitted_at: Time
    enqueued_at: Time
    head_start: Time
    queue: str | None
    step: Count
    step_started_at: Time
    step_token: Count
    offer_token: Count
    agent: str | None
    pinned: str | None
    excluded: Ids
    parent: str | None
    children: Ids
    answered: bool
    kind: Literal["work", "consult", "review"]
    paused_at: Time | None = None
    paused_seconds: Seconds = 0.0


class StepRecord(_Record):
    """One step of a queue (``Step.to_json``)."""

    target: str = ""
    timeout: float | None = None
    skip_if_absent: bool = False


class OverflowRecord(_Record):
    """A queue's overflow rule (``Overflow.to_json``)."""

    queue: str
    after: float | None = None
    max_waiting: int | None = None


class QueueRecord(_Record):
    """One queue (``Queue.to_json``); the queue itself checks its values."""

    name: str
    accepts: str = ""
    steps: list[StepRecord] = []
    overflow: OverflowRecord | None = None
    sticky: bool = False


class SelectionRecord(_Record):
    """The selection policy: how to build it again (None for a callable) and its state."""

    config: dict[str, Any] | None
    state: dict[str, Any] = {}


class BlendingRecord(_Record):
    """The blending rules (None for a custom policy) and what they have done."""

    rules: list[dict[str, Any] | None] = []
    active: Ids = []
    members: dict[str, Ids] = {}
    paused: dict[str, dict[str, str]] = {}
    recheck_pending: bool = False
    signature: list[int] | None = None


#: A timer's token tells a current timer from a stale one (an offer's or step's number,
#: an SLA timer's "risk" or "breach", a wrap-up's interaction id) and is compared and
#: looked up by the router, so only a string, an integer or nothing is a token.
TimerToken = StrictStr | StrictInt | None

Timer = Annotated[
    tuple[Time, Count, Literal[TIMER_KINDS], str, TimerToken],  # type: ignore[valid-type]
    Field(strict=False),  # JSON gives lists
]


class RouterSnapshot(_Record):
    """A router's whole state (what ``Router.snapshot`` returns), version :data:`FORMAT`."""

    model_config = pydantic.ConfigDict(title="malformed Router snapshot")

    format: Literal[1, 2]
    now: Time | None
    seq: Count
    agent_seq: Count
    timer_seq: Count
    offer_timeout: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None
    queues: list[QueueRecord]
    channels: list[dict[str, Any]]
    selection: SelectionRecord
    agents: list[AgentRecord]
    work: list[WorkRecord]
    finished: dict[str, EndState]
    last_agent: dict[str, str]
    timers: list[Timer]
    keep_finished: Count | None = None
    forgettable: Ids = []
    blending: BlendingRecord | None = None


def parse(data: object) -> RouterSnapshot:
    """The snapshot ``data`` checked for shape, types and numbers, or a ValidationError
    naming every bad field."""
    if not isinstance(data, Mapping):
        raise ValidationError(
            "Router snapshot", [ErrorDetail([], f"must be a mapping, not {type(data).__name__}")]
        )
    if data.get("format") not in (1, FORMAT) or isinstance(data.get("format"), bool):
        raise ValidationError(
            "Router snapshot",
            [ErrorDetail(["format"], f"not a router snapshot of format 1 or {FORMAT}")],
        )
    try:
        return RouterSnapshot.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationError.from_pydantic(error) from error
