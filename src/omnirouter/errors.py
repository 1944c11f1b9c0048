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
    "RecoveryError",
    "RoutingError",
    "UnknownAgentError",
    "UnknownChannelError",
    "UnknownContactError",
    "UnknownInteractionError",
    "UnknownQueueError",
    "ValidationError",
]


class OmnirouterError(Exception):
    """Base class of every error omnirouter raises on purpose."""


class ErrorDetail:
    """One problem found while validating input: where (``path``) and what (``message``).

    ``input`` is the rejected value only when it is a number, a flag or None: text and
    containers are left out, because they may be personal data (an e-mail address, a
    name) that must not travel on in logs and error reports."""

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
    exception tree; the original pydantic error is kept as ``__cause__``.
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
                input=_safe_input(item.get("input")),
            )
            for item in error.errors(include_url=False)
        ]
        return cls(error.title, details)


def _safe_input(value: object) -> object:
    """The rejected input when it cannot be personal data (a number, a flag, None);
    text and containers may hold a name, an address or a transcript and are dropped."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


class UnknownChannelError(OmnirouterError, KeyError):
    """A channel name that the registry does not know; the message lists the known ones."""

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
    """A business-calendar question without an answer, e.g. no opening hours ahead."""


class ContactNotAllowedError(OmnirouterError):
    """Outbound work was requested for a contact the outbound rules refused.

    ``decision`` is the refused :class:`omnirouter.outbound.ContactDecision`; its
    ``refusals`` say which rule refused and on which consent record.
    """

    def __init__(self, message: str, decision: object) -> None:
        self.decision = decision
        super().__init__(message)


class UnknownContactError(OmnirouterError, KeyError):
    """A contact id that the contact history does not hold."""

    def __init__(self, contact_id: str) -> None:
        self.contact_id = contact_id
        super().__init__(f"unknown contact {contact_id!r}")

    def __str__(self) -> str:
        # KeyError quotes its argument; we want the plain sentence.
        return str(self.args[0])


class RoutingError(OmnirouterError):
    """A router operation that cannot be done as asked; the router is unchanged."""


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
    """An agent id the router does not know."""

    what = "agent"


class UnknownInteractionError(_UnknownRoutingKeyError):
    """An interaction id the router does not know."""

    what = "interaction"


class UnknownQueueError(_UnknownRoutingKeyError):
    """A queue name the router does not know."""

    what = "queue"


class InvalidStateError(RoutingError):
    """The operation does not fit the interaction's (or agent's) current state,
    e.g. ``accept`` of work that was never offered."""


class DuplicateIdError(RoutingError, ValueError):
    """An id that is already in use (an interaction submitted twice, an agent added twice)."""


class NoQueueError(RoutingError):
    """No queue's ``accepts`` expression matches the interaction."""


class CapacityExceededError(RoutingError):
    """The agent has no room for one more item of that channel (e.g. on ``pull``)."""


class JournalError(OmnirouterError):
    """The durable journal cannot do what was asked (a failed write, a journal in use)."""


class JournalCorruptError(JournalError):
    """A journal file that is damaged or truncated; the message names the file and record."""


class RecoveryError(JournalError):
    """A journal that cannot be replayed as recorded; no command is ever skipped silently."""
