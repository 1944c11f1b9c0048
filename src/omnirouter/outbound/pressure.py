"""Contact pressure: caps per contact, per channel or across channels, per rolling window.

Less is more: many people prefer one promotional e-mail a week to one a day.
The caller supplies the log of past outbound contacts, as :class:`OutboundRecord`
values, plain ``(contact_id, channel, at, purpose)`` tuples, or a :class:`ContactLog`.
Nothing here reads the clock: every question names its ``at``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.outbound._checks import (
    bad_argument,
    require_aware,
    require_positive_window,
    require_text,
)

__all__ = ["ContactCap", "ContactLog", "OutboundRecord", "RecordLike"]


def _utc_instant(value: object) -> datetime:
    # Stored in UTC so that window arithmetic is elapsed time, never wall-clock time.
    return require_aware(value, "at", "OutboundRecord").astimezone(UTC)


@attrs.frozen
class OutboundRecord:
    """One outbound contact that happened (or is planned): who, where, when, what for.

    ``at`` must carry a time zone; it is kept in UTC.
    """

    contact_id: str
    channel: str
    at: datetime = attrs.field(converter=_utc_instant)
    purpose: str

    def __attrs_post_init__(self) -> None:
        require_text(self.contact_id, "contact_id", "OutboundRecord")
        require_text(self.channel, "channel", "OutboundRecord")
        require_text(self.purpose, "purpose", "OutboundRecord")

    @classmethod
    def coerce(cls, item: RecordLike) -> OutboundRecord:
        """An :class:`OutboundRecord` from itself, a 4-tuple or a mapping with those keys."""
        if isinstance(item, OutboundRecord):
            return item
        if isinstance(item, Mapping):
            missing = sorted({"contact_id", "channel", "at", "purpose"} - set(item))
            if missing:
                raise bad_argument("OutboundRecord", missing[0], "field required", item)
            return cls(item["contact_id"], item["channel"], item["at"], item["purpose"])
        if isinstance(item, tuple) and len(item) == 4:
            return cls(*item)
        raise bad_argument(
            "OutboundRecord",
            "<root>",
            "expected an OutboundRecord, a (contact_id, channel, at, purpose) tuple or a mapping",
            item,
        )


#: What a log accepts as one record.
RecordLike = OutboundRecord | tuple[str, str, datetime, str] | Mapping[str, Any]


def _at(record: OutboundRecord) -> datetime:
    return record.at


class ContactLog:
    """The outbound contacts made so far, indexed by contact and kept in time order.

    >>> from datetime import datetime, timezone
    >>> log = ContactLog([("c-1", "email", datetime(2024, 5, 6, 9, tzinfo=timezone.utc), "promo")])
    >>> len(log.for_contact("c-1"))
    1
    """

    def __init__(self, records: Iterable[RecordLike] = ()) -> None:
        self._by_contact: dict[str, list[OutboundRecord]] = {}
        self._count = 0
        self.extend(records)

    def add(self, record: RecordLike) -> OutboundRecord:
        """Add one record (in any order: the log keeps time order)."""
        checked = OutboundRecord.coerce(record)
        bisect.insort_right(self._by_contact.setdefault(checked.contact_id, []), checked, key=_at)
        self._count += 1
        return checked

    def extend(self, records: Iterable[RecordLike]) -> None:
        """Add many records; a bad one raises before any of them is added."""
        checked: list[OutboundRecord] = []
        problems: list[ErrorDetail] = []
        for index, item in enumerate(records):
            try:
                checked.append(OutboundRecord.coerce(item))
            except ValidationError as error:
                problems += [ErrorDetail([index, *d.path], d.message) for d in error.errors]
        if problems:
            raise ValidationError("ContactLog records", problems)
        for record in checked:
            self.add(record)

    def for_contact(self, contact_id: str) -> list[OutboundRecord]:
        """Every record of one contact, oldest first."""
        return list(self._by_contact.get(contact_id, ()))

    def between(self, contact_id: str, after: datetime, until: datetime) -> list[OutboundRecord]:
        """Records of ``contact_id`` with ``after < at <= until``, oldest first."""
        records = self._by_contact.get(contact_id, [])
        low = bisect.bisect_right(records, after, key=_at)
        high = bisect.bisect_right(records, until, key=_at)
        return records[low:high]

    def copy(self) -> ContactLog:
        """An independent copy (records are immutable and shared)."""
        clone = ContactLog()
        clone._by_contact = {key: list(value) for key, value in self._by_contact.items()}
        clone._count = self._count
        return clone

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[OutboundRecord]:
        return iter(sorted((r for rs in self._by_contact.values() for r in rs), key=_at))

    def __repr__(self) -> str:
        return f"ContactLog({self._count} records, {len(self._by_contact)} contacts)"


def _optional_names(value: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(value, str):
        return frozenset({value})
    return None if value is None else frozenset(value)


@attrs.frozen
class ContactCap:
    """At most ``limit`` contacts per contact within any rolling ``window``.

    ``channel`` restricts the cap to one channel (or a channel family such as
    ``messenger``); ``None`` counts across all channels. ``purposes`` restricts it to
    some purposes; a purpose matches when it or the consent purpose it maps to (see
    :class:`OutboundPolicy`) is listed, so ``{"marketing"}`` catches promotions and
    newsletters alike. ``None`` counts every purpose.

    >>> from datetime import timedelta
    >>> ContactCap(1, timedelta(days=7), channel="email", purposes={"marketing"}).describe()
    'at most 1 per 7 days on email for marketing'
    """

    limit: int
    window: timedelta
    channel: str | None = None
    purposes: frozenset[str] | None = attrs.field(default=None, converter=_optional_names)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1:
            raise bad_argument(
                "ContactCap", "limit", f"expected an integer >= 1, got {self.limit!r}"
            )
        require_positive_window(self.window, "window", "ContactCap")
        if self.channel is not None:
            require_text(self.channel, "channel", "ContactCap")
        if self.purposes is not None and not self.purposes:
            raise bad_argument("ContactCap", "purposes", "give None (every purpose) or some names")

    def describe(self) -> str:
        """A readable name: ``name`` if given, else the rule in words."""
        if self.name:
            return self.name
        text = f"at most {self.limit} per {_span(self.window)}"
        text += f" on {self.channel}" if self.channel else " across channels"
        if self.purposes is not None:
            text += " for " + ", ".join(sorted(self.purposes))
        return text


def _span(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}s" if count != 1 else unit
    return f"{window.total_seconds():g} seconds"
