"""The unified timeline: interactions from every channel and planned activities, in order.

A :class:`Timeline` keeps each interaction once: ingesting it again under
the same id updates it in place, and a copy with another id is recognised and skipped
when it has the same ``attributes["message_id"]``, the same content at the same time,
or — a text without message id — the same content within :data:`REDELIVERY_WINDOW`. Each
entry lists the prices quoted in it, so an offer made in chat is in front of the
agent who takes the follow-up call. Planned activities say who does what,
from when until when.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Literal

import attrs
import pydantic
from pydantic import AwareDatetime, Field

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history._quotes import Quote, find_quotes
from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import Identifier
from omnirouter.model.interaction import Interaction

__all__ = [
    "REDELIVERY_WINDOW",
    "PlannedActivity",
    "Quote",
    "Timeline",
    "TimelineEntry",
    "content_hash",
]


class PlannedActivity(BoundaryModel):
    """Planned work: who does what, from when until when, for a customer and/or a case."""

    id: Identifier
    who: Identifier = Field(description="The agent, team or person who does it.")
    what: str = Field(min_length=1, max_length=2000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    customer_id: Identifier | None = None
    case_id: Identifier | None = None

    @pydantic.model_validator(mode="after")
    def _check(self) -> PlannedActivity:
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("ends_at must not be before starts_at")
        if self.customer_id is None and self.case_id is None:
            raise ValueError("give a customer_id or a case_id (or both)")
        return self


@attrs.frozen
class TimelineEntry:
    """One line of a history: an interaction or a planned activity, at a time.

    ``sequence`` is the order of arrival and breaks ties between equal times.
    """

    at: datetime
    sequence: int
    kind: Literal["interaction", "activity"]
    interaction: Interaction | None = None
    activity: PlannedActivity | None = None
    quotes: tuple[Quote, ...] = ()

    @property
    def id(self) -> str:
        """The interaction's or the activity's id."""
        item = self.interaction or self.activity
        assert item is not None
        return item.id

    @property
    def summary(self) -> str:
        """One readable line: time, channel (or who), what it was about, quoted prices."""
        when = self.at.strftime("%Y-%m-%d %H:%M %Z").strip()
        if self.activity is not None:
            until = (
                f" until {self.activity.ends_at:%Y-%m-%d %H:%M}" if self.activity.ends_at else ""
            )
            return f"{when} planned: {self.activity.who} — {self.activity.what}{until}"
        assert self.interaction is not None
        item = self.interaction
        preview_lines = (item.preview or "").strip().splitlines()
        text = item.subject or (preview_lines[0] if preview_lines else "") or item.reason or ""
        line = f"{when} {item.channel} {item.direction.value}: {text[:120]}".rstrip(": ")
        if self.quotes:
            line += " [quoted " + ", ".join(q.text for q in self.quotes) + "]"
        return line

    def sort_key(self) -> tuple[datetime, int]:
        """Time, then order of arrival."""
        return (self.at, self.sequence)


#: Without a message id, the same text from the same sender on the same channel and in
#: the same direction, this close in time, is taken for a re-delivery of one message.
REDELIVERY_WINDOW = timedelta(minutes=15)


def content_hash(interaction: Interaction, at: datetime | None) -> str:
    """A digest of what an interaction says and who sent it, independent of its id;
    of its time too when ``at`` is given."""
    body = {
        "channel": interaction.channel,
        "direction": interaction.direction.value,
        "customer": interaction.customer_id,
        "identity": interaction.identity.model_dump(mode="json"),
        "subject": interaction.subject,
        "preview": interaction.preview,
    }
    if at is not None:
        body["at"] = at.isoformat()
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _text_digest(interaction: Interaction) -> str | None:
    """The time-free digest that finds re-deliveries: only for a text without message id."""
    if isinstance(interaction.attributes.get("message_id"), str):
        return None
    if not (interaction.subject or interaction.preview):
        return None  # two bare calls in a row are two calls
    return content_hash(interaction, None)


def _entry_time(interaction: Interaction, at: datetime | None) -> datetime:
    when = interaction.created_at or at
    if when is None:
        raise ValidationError(
            "interaction",
            [
                ErrorDetail(
                    ["created_at"], f"interaction {interaction.id!r} has no created_at; pass at="
                )
            ],
        )
    if when.tzinfo is None:
        raise ValidationError(
            "interaction", [ErrorDetail(["at"], "naive datetime: give a time zone", input=at)]
        )
    return when


class Timeline:
    """Interactions and planned activities, each kept once, ordered by time."""

    def __init__(self) -> None:
        self._entries: dict[str, TimelineEntry] = {}
        self._activities: dict[str, TimelineEntry] = {}
        self._message_ids: dict[str, str] = {}
        self._hashes: dict[str, str] = {}
        self._indexed_by: dict[str, list[tuple[dict[str, str], str]]] = {}
        # Time-free digests of texts without message id: their times and entry ids.
        self._texts: dict[str, list[tuple[datetime, str]]] = {}
        self._texts_of: dict[str, list[str]] = {}
        self._sequence = 0

    def __len__(self) -> int:
        """The number of interactions."""
        return len(self._entries)

    def __contains__(self, interaction_id: object) -> bool:
        return interaction_id in self._entries

    def __iter__(self) -> Iterator[TimelineEntry]:
        """Interaction entries in time order."""
        return iter(sorted(self._entries.values(), key=TimelineEntry.sort_key))

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def duplicate_of(self, interaction: Interaction, *, at: datetime | None = None) -> str | None:
        """The id of a stored interaction that ``interaction`` repeats under another id.

        A repeat has the same ``attributes["message_id"]``, or the same content at the
        same time, or — for a text (subject or preview) without message id — the same
        content within :data:`REDELIVERY_WINDOW` of a kept version: a channel that
        re-delivers or a re-import that stamps its own time is not taken for a new
        message, while the same words written again later still count.
        """
        when = _entry_time(interaction, at)
        message_id = interaction.attributes.get("message_id")
        matches = [self._hashes.get(content_hash(interaction, when))]
        if isinstance(message_id, str):
            matches.insert(0, self._message_ids.get(message_id))
        found = next((m for m in matches if m is not None and m != interaction.id), None)
        digest = _text_digest(interaction)
        if found is None and digest is not None:
            found = next(
                (
                    kept
                    for kept_at, kept in self._texts.get(digest, ())
                    if kept != interaction.id and abs(kept_at - when) <= REDELIVERY_WINDOW
                ),
                None,
            )
        return found

    def add(self, interaction: Interaction, *, at: datetime | None = None) -> bool:
        """Keep ``interaction``; True if it is new.

        The same id again replaces the stored version in its place (its state may have
        moved on); a repeat under another id (see :meth:`duplicate_of`; any version kept
        so far counts) is skipped. ``at`` stands in for a missing ``created_at``.
        """
        when = _entry_time(interaction, at)
        if self.duplicate_of(interaction, at=at) is not None:
            return False
        previous = self._entries.get(interaction.id)
        entry = TimelineEntry(
            at=when,
            sequence=previous.sequence if previous else self._next(),
            kind="interaction",
            interaction=interaction,
            quotes=find_quotes(interaction),
        )
        self._entries[interaction.id] = entry
        self._index(entry)
        return previous is None

    def _index(self, entry: TimelineEntry) -> None:
        assert entry.interaction is not None
        keys: list[tuple[dict[str, str], str]] = []
        message_id = entry.interaction.attributes.get("message_id")
        if isinstance(message_id, str):
            keys.append((self._message_ids, message_id))
        keys.append((self._hashes, content_hash(entry.interaction, entry.at)))
        for index, key in keys:
            index[key] = entry.id
        # Earlier versions stay indexed: a late copy of the first version is a repeat too.
        self._indexed_by.setdefault(entry.id, []).extend(keys)
        digest = _text_digest(entry.interaction)
        if digest is not None:
            self._texts.setdefault(digest, []).append((entry.at, entry.id))
            self._texts_of.setdefault(entry.id, []).append(digest)

    def _unindex(self, entry: TimelineEntry) -> None:
        for index, key in self._indexed_by.pop(entry.id, ()):
            if index.get(key) == entry.id:
                del index[key]
        for digest in self._texts_of.pop(entry.id, ()):
            kept = [item for item in self._texts.get(digest, ()) if item[1] != entry.id]
            if kept:
                self._texts[digest] = kept
            else:
                self._texts.pop(digest, None)

    def get(self, interaction_id: str) -> TimelineEntry | None:
        """The entry of one interaction, if kept."""
        return self._entries.get(interaction_id)

    def remove(self, interaction_id: str) -> None:
        """Drop an interaction and everything that indexed it."""
        entry = self._entries.pop(interaction_id, None)
        if entry is not None:
            self._unindex(entry)

    def replace_quietly(self, interaction: Interaction, *, index: bool = False) -> None:
        """Swap in a reduced version of a kept interaction, forgetting the old one's
        message id and content digests; the new version is indexed only if ``index``.

        Used by erasure: a stripped record must not keep digests of what was erased,
        and a bare skeleton must not be taken for a repeat of other records.
        """
        entry = self._entries[interaction.id]
        self._unindex(entry)
        reduced = attrs.evolve(entry, interaction=interaction, quotes=find_quotes(interaction))
        self._entries[interaction.id] = reduced
        if index:
            self._index(reduced)

    def plan(self, activity: PlannedActivity) -> None:
        """Add or replace a planned activity."""
        previous = self._activities.get(activity.id)
        self._activities[activity.id] = TimelineEntry(
            at=activity.starts_at,
            sequence=previous.sequence if previous else self._next(),
            kind="activity",
            activity=activity,
        )

    def activity(self, activity_id: str) -> TimelineEntry | None:
        """The entry of one planned activity, if kept."""
        return self._activities.get(activity_id)

    def remove_activity(self, activity_id: str) -> None:
        """Drop a planned activity."""
        self._activities.pop(activity_id, None)

    def activities(self) -> list[TimelineEntry]:
        """Every planned activity, by start time."""
        return sorted(self._activities.values(), key=TimelineEntry.sort_key)

    def select(
        self, interaction_ids: Iterable[str], activity_ids: Iterable[str] = ()
    ) -> list[TimelineEntry]:
        """The entries of the given interactions and activities, in time order."""
        entries = [self._entries[i] for i in interaction_ids if i in self._entries]
        entries += (self._activities[a] for a in activity_ids if a in self._activities)
        return sorted(entries, key=TimelineEntry.sort_key)

    def for_case(self, case_id: str) -> list[TimelineEntry]:
        """Every interaction and activity of one case or deal, in time order."""
        found = [
            e for e in self._entries.values() if e.interaction and e.interaction.case_id == case_id
        ]
        found += (
            e for e in self._activities.values() if e.activity and e.activity.case_id == case_id
        )
        return sorted(found, key=TimelineEntry.sort_key)

    def index_state(self) -> dict[str, list[str]]:
        """The de-duplication indexes (message ids and content digests), for dumps."""
        return {
            "message_ids": sorted(self._message_ids),
            "content_hashes": sorted(self._hashes),
            "text_digests": sorted(self._texts),
        }
