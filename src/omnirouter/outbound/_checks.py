"""Argument checks shared by the outbound modules: one typed error per bad argument."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = [
    "bad_argument",
    "require_aware",
    "require_positive_window",
    "require_text",
    "require_zone",
]


def bad_argument(title: str, where: str, message: str, value: object = None) -> ValidationError:
    """A :class:`ValidationError` about one argument (``where``) of ``title``."""
    return ValidationError(title, [ErrorDetail([where], message, input=value)])


def require_aware(value: object, where: str, title: str = "outbound arguments") -> datetime:
    """``value`` if it is a datetime with a time zone; a typed error otherwise."""
    if not isinstance(value, datetime):
        raise bad_argument(title, where, f"expected a datetime, got {type(value).__name__}", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise bad_argument(
            title,
            where,
            "naive datetime: give a time zone, e.g. datetime(..., tzinfo=timezone.utc)",
            value,
        )
    return value


def require_text(value: object, where: str, title: str = "outbound arguments") -> str:
    """``value`` if it is a non-blank string; a typed error otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise bad_argument(title, where, f"expected a non-empty string, got {value!r}", value)
    return value


def require_positive_window(value: object, where: str, title: str) -> timedelta:
    """``value`` if it is a positive timedelta; a typed error otherwise."""
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise bad_argument(title, where, f"expected a positive timedelta, got {value!r}", value)
    return value


def require_zone(name: object, where: str, title: str) -> ZoneInfo:
    """The IANA zone ``name``; a typed error for an unknown one."""
    try:
        if not isinstance(name, str):
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_argument(
            title,
            where,
            f"unknown time zone {name!r} (use an IANA name like 'Europe/Berlin')",
            name,
        ) from None
