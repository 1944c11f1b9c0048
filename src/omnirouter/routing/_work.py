"""The router's runtime record of one interaction (never a pydantic object on the hot path)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from omnirouter.model import ChannelTraits, Contact, Interaction, InteractionState

if TYPE_CHECKING:
    from omnirouter.dispatch.lines import WaitLine
    from omnirouter.routing._agents import Pool

__all__ = ["Work"]

_NEW = InteractionState.NEW  # a global reads faster than a member of the enum class


class Work:
    """One interaction in the router: where it waits, who holds it, its timers' tokens."""

    __slots__ = (
        "agent",
        "answered",
        "children",
        "customer",
        "enqueued_at",
        "excluded",
        "head_start",
        "id",
        "interaction",
        "kind",
        "line",
        "line_token",
        "offer_token",
        "order_key",
        "parent",
        "paused_at",
        "paused_seconds",
        "pinned",
        "queue",
        "seq",
        "state",
        "step",
        "step_started_at",
        "step_token",
        "submitted_at",
        "traits",
    )

    def __init__(
        self,
        interaction: Interaction,
        traits: ChannelTraits,
        seq: int,
        now: float,
        customer: Contact | None = None,
        queue: str | None = None,
        kind: str = "work",
    ) -> None:
        self.interaction = interaction
        self.id = interaction.id
        self.traits = traits
        self.customer = customer
        self.seq = seq
        self.state = _NEW
        self.submitted_at = now
        self.enqueued_at = now
        self.head_start = 0.0
        self.order_key = now
        self.queue = queue
        self.step = 0
        self.step_started_at = now
        self.step_token = 0
        self.offer_token = 0
        self.line: WaitLine[Work, Pool] | None = None
        self.line_token = 0
        self.agent: str | None = None
        self.pinned: str | None = None
        self.excluded: set[str] = set()
        self.parent: str | None = interaction.parent_id
        self.children: list[str] = []
        self.answered = False
        #: When the current pause began, and the seconds paused since the last assignment.
        self.paused_at: float | None = None
        self.paused_seconds = 0.0
        #: "work" for ordinary work, "consult" for a consultation, "review" for four-eyes.
        self.kind = kind

    @property
    def channel(self) -> str:
        """The interaction's channel."""
        return self.interaction.channel

    def to_json(self) -> dict[str, Any]:
        """Everything needed to rebuild this record exactly (see ``Router.snapshot``)."""
        return {
            "interaction": self.interaction.model_dump(mode="json", exclude_defaults=True),
            "customer": None
            if self.customer is None
            else self.customer.model_dump(mode="json", exclude_defaults=True),
            "seq": self.seq,
            "state": self.state.value,
            "submitted_at": self.submitted_at,
            "enqueued_at": self.enqueued_at,
            "head_start": self.head_start,
            "queue": self.queue,
            "step": self.step,
            "step_started_at": self.step_started_at,
            "step_token": self.step_token,
            "offer_token": self.offer_token,
            "agent": self.agent,
            "pinned": self.pinned,
            "excluded": sorted(self.excluded),
            "parent": self.parent,
            "children": list(self.children),
            "answered": self.answered,
            "kind": self.kind,
            "paused_at": self.paused_at,
            "paused_seconds": self.paused_seconds,
        }
