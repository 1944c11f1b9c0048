"""The exception tree: every error omnirouter raises on purpose is an :class:`OmnirouterError`.

Each error says what was wrong and where. An operation that raises one has changed
nothing: it is safe to catch it, fix the input and try again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pydantic

__all__ = [
    "CalendarError",
    "CapacityExceededError",
    "ContactNotAllowedError",
    "DuplicateIdError",
    "ErrorDetail",
    "ExpressionError",
    "InvalidStateError",
    "JournalCorruptError",
    "JournalError",
    "NoQueueError",
    "OmnirouterError",
    "OmnirouterWarning",
    "RecoveryError",
    "RoutingError",
    "ScenarioWarning",
    "UnknownAgentError",
    "UnknownChannelError",
    "UnknownContactError",
    "UnknownInteractionError",
    "UnknownQueueError",
    "ValidationError",
]


class OmnirouterError(Exception):
    """Base class of every error omnirouter raises on purpose.

    Catch it to catch them all. An operation that raised one has changed nothing, so it
    is safe to fix the input and try again. Messages name what was wrong and where, and
    never repeat personal data.

    Example:
        >>> import omnirouter as om
        >>> try:
        ...     om.Router().accept("call-1")
        ... except om.OmnirouterError as error:
        ...     print(type(error).__name__, error)
        UnknownInteractionError unknown interaction 'call-1'
    """


class OmnirouterWarning(UserWarning):
    """Base class of every warning omnirouter issues: legal input that is almost surely a
    mistake. ``path`` names the field (as in :class:`ErrorDetail`), when there is one."""

    def __init__(self, message: str, path: Sequence[str | int] = ()) -> None:
        self.path: tuple[str | int, ...] = tuple(path)
        self.message = message
        where = ".".join(str(part) for part in self.path)
        super().__init__(f"{where}: {message}" if where else message)


class ScenarioWarning(OmnirouterWarning):
    """A scenario that loads and runs, but whose result is almost surely not what was meant
    (a workload no agent serves, callbacks nobody can take)."""


class ErrorDetail:
    """One problem found while validating input: where (``path``) and what (``message``).

    A :class:`ValidationError` carries one per bad field in ``errors``; a web service
    turns them into the body of a 422 answer.

    Attributes:
        path: Where, as keys and list indexes: ``("skills", "billing")``.
        location: The path as a dotted string: ``"skills.billing"`` (``"<root>"`` when
            the input as a whole is wrong).
        message: What is wrong, in words, e.g. ``"unknown channel 'pigeon'; known
            channels: …"``.
        type: A short machine-readable kind, e.g. ``"value_error"`` or ``"missing"``.
        input: The value that was given. It may be personal data: keep it out of
            answers and logs.

    Example:
        >>> import omnirouter as om
        >>> try:
        ...     om.Agent(id="anna", skills={"billing": 9})
        ... except om.ValidationError as error:
        ...     [(detail.location, detail.type) for detail in error.errors]
        [('skills.billing', 'less_than_equal')]
    """

    __slots__ = ("input", "message", "path", "type")

    def __init__(
        self,
        path: Sequence[str | int],
        message: str,
        type: str = "value_error",
        input: object = None,
    ) -> None:
        self.path: tuple[str | int, ...] = tuple(path)
        self.message = message
        self.type = type
        self.input = input

    @property
    def location(self) -> str:
        """The path as a dotted string, e.g. ``skills.billing`` or ``identities.emails.0``."""
        return ".".join(str(part) for part in self.path) or "<root>"

    def __repr__(self) -> str:
        return f"ErrorDetail({self.location!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ErrorDetail):
            return NotImplemented
        return (self.path, self.message, self.type) == (other.path, other.message, other.type)

    def __hash__(self) -> int:
        return hash((self.path, self.message, self.type))


class ValidationError(OmnirouterError, ValueError):
    """Input did not validate. ``errors`` lists every bad field with its path.

    Raised instead of pydantic's own error so that callers need to know only one
    exception tree; the original pydantic error is kept as ``__cause__``. The message
    lists every bad field on a line of its own.

    Attributes:
        title: What was validated, e.g. ``"Interaction"`` or ``"complete"``.
        errors: One :class:`ErrorDetail` per problem, in the order found.
        fields: Their dotted locations (see :attr:`fields`).

    Example:
        >>> import omnirouter as om
        >>> try:
        ...     om.Interaction.model_validate({"id": "x", "channel": "pigeon"})
        ... except om.ValidationError as error:
        ...     print(error.fields, error.errors[0].type)
        ['channel'] value_error
    """

    def __init__(self, title: str, errors: Iterable[ErrorDetail]) -> None:
        self.title = title
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        lines = [f"{len(self.errors)} invalid field(s) in {title}:"]
        lines += [f"  {detail.location}: {detail.message}" for detail in self.errors]
        super().__init__("\n".join(lines))

    @property
    def fields(self) -> list[str]:
        """The dotted location of each bad field, in the order found."""
        return [detail.location for detail in self.errors]

    @classmethod
    def from_pydantic(cls, error: pydantic.ValidationError) -> ValidationError:
        """Translate a pydantic error, keeping every location and message."""
        details = [
            ErrorDetail(
                path=list(item["loc"]),
                message=item["msg"].removeprefix("Value error, "),
                type=item["type"],
                input=item.get("input"),
            )
            for item in error.errors(include_url=False)
        ]
        return cls(error.title, details)


class UnknownChannelError(OmnirouterError, KeyError):
    """A channel name that the registry does not know; the message lists the known ones.

    Raised by :class:`~omnirouter.ChannelRegistry` look-ups and by the router for work
    on a channel outside its registry. ``name`` is the unknown name, ``known`` the
    registry's names. Also a ``KeyError``. In a web service: 422.
    """

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        super().__init__(f"unknown channel {name!r}; known channels: {', '.join(self.known)}")

    def __str__(self) -> str:
        # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0])


class ExpressionError(OmnirouterError, ValueError):
    """An expression (``accepts``, ``target``, rule condition) that cannot be compiled.

    ``column`` is 1-based and points at the offending character of ``expression``.
    """

    def __init__(self, message: str, expression: str, column: int) -> None:
        self.expression = expression
        self.column = column
        self.reason = message
        pointer = " " * (column - 1) + "^"
        super().__init__(f"{message} at column {column}\n  {expression}\n  {pointer}")


class CalendarError(OmnirouterError, ValueError):
    """A business-calendar question without an answer, e.g. no opening hours ahead.

    Raised by :class:`~omnirouter.BusinessCalendar` arithmetic (``add_business_time``
    when the calendar is never open again). Also a ``ValueError``.
    """


class ContactNotAllowedError(OmnirouterError):
    """Outbound work was requested for a contact the outbound rules refused.

    ``decision`` is the refused :class:`omnirouter.outbound.ContactDecision`; its
    ``refusals`` say which rule refused and on which consent record.
    """

    def __init__(self, message: str, decision: object) -> None:
        self.decision = decision
        super().__init__(message)


class UnknownContactError(OmnirouterError, KeyError):
    """A contact id that the contact history does not hold.

    Raised by :class:`~omnirouter.history.ContactHistory` look-ups; ``contact_id`` is
    the id asked for. Also a ``KeyError``. In a web service: 404.
    """

    def __init__(self, contact_id: str) -> None:
        self.contact_id = contact_id
        super().__init__(f"unknown contact {contact_id!r}")

    def __str__(self) -> str:
        # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0])


class RoutingError(OmnirouterError):
    """A router operation that cannot be done as asked; the router is unchanged.

    The base of the router's own errors: unknown ids, wrong states, duplicates, no
    matching queue, no room.
    """


class _UnknownRoutingKeyError(RoutingError, KeyError):
    what = "id"

    def __init__(self, key: str, known: Iterable[str] = ()) -> None:
        self.key = key
        names = sorted(known)
        hint = ""
        if names:
            hint = f"; known: {', '.join(names[:20])}" + (" …" if len(names) > 20 else "")
        super().__init__(f"unknown {self.what} {key!r}{hint}")

    def __str__(self) -> str:
        # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0])


class UnknownAgentError(_UnknownRoutingKeyError):
    """An agent id the router does not know (never added, or removed).

    ``key`` is the id asked for; the message lists up to 20 known ids. Also a
    ``KeyError``. In a web service: 404.
    """

    what = "agent"


class UnknownInteractionError(_UnknownRoutingKeyError):
    """An interaction id the router does not know (never submitted, or finished so long
    ago that ``keep_finished`` let it go).

    ``key`` is the id asked for. Also a ``KeyError``. In a web service: 404.
    """

    what = "interaction"


class UnknownQueueError(_UnknownRoutingKeyError):
    """A queue name the router does not know (e.g. in ``transfer(id, queue=...)``).

    ``key`` is the name asked for; the message lists the router's queues. Also a
    ``KeyError``. In a web service: 404.
    """

    what = "queue"


class InvalidStateError(RoutingError):
    """The operation does not fit the interaction's (or agent's) current state.

    For example ``accept`` of work that is not on offer, ``complete`` of work that is
    only offered or still waiting, ``resume`` of work that is not paused. The message
    names the state the work is in. In a web service: 409.
    """


class DuplicateIdError(RoutingError, ValueError):
    """An id that is already in use (an interaction submitted twice, an agent added twice).

    Finished interactions keep their ids (see ``keep_finished`` on
    :class:`~omnirouter.Router`). Also a ``ValueError``. In a web service: 409.
    """


class NoQueueError(RoutingError):
    """No queue's ``accepts`` expression matches the interaction, so ``submit`` refused
    it. Add a catch-all queue (``om.Queue("general")``) to route everything. In a web
    service: 422.
    """


class CapacityExceededError(RoutingError):
    """The agent has no room for one more item of that channel.

    Raised by ``pull``, ``resume`` and ``transfer(id, agent=...)``; the message says
    which limit is reached. In a web service: 409.
    """


class JournalError(OmnirouterError):
    """The durable journal cannot do what was asked (a failed write, a journal in use).

    A failed write is raised from the call whose command was applied in memory but not
    made durable: stop serving and recover the router from the journal
    (:meth:`omnirouter.Router.recover`). In a web service: 503.
    """


class JournalCorruptError(JournalError):
    """A journal file that is damaged or truncated; the message names the file and record.

    Raised by :meth:`omnirouter.SQLiteJournal.verify` and while reading records for
    recovery; damaged records are never replayed.
    """


class RecoveryError(JournalError):
    """A journal that cannot be replayed as recorded; no command is ever skipped silently.

    Raised by :meth:`omnirouter.Router.recover` when a command does not give its
    recorded outcome, usually because a hook (``priority=``, ``sla=``, a callable
    ``selection=``) was not passed again as it was when the commands were recorded.
    """
