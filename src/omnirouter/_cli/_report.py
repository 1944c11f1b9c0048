"""How the command line words an error: one line naming what and where (private)."""

from __future__ import annotations

from omnirouter.errors import ExpressionError, OmnirouterError, ValidationError


def one_line(error: OmnirouterError, command: str = "") -> str:
    """The error as one line: a validation error lists each ``field: problem``.

    A title equal to ``command`` (``omnirouter simulate``) is left out: the command
    line prints that prefix itself.
    """
    if isinstance(error, ValidationError):
        parts = "; ".join(
            f"{detail.location}: {_flat(detail.message)}" if detail.path else _flat(detail.message)
            for detail in error.errors
        )
        title = "" if error.title == command else _flat(error.title)
        if not parts:
            return title
        return f"{title}: {parts}" if title else parts
    if isinstance(error, ExpressionError):
        return f"{error.reason} at column {error.column} of {error.expression!r}"
    return _flat(str(error))


def _flat(text: str) -> str:
    return " ".join(text.split())
