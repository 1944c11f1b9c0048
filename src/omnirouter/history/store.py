"""``ContactHistory``: contacts, their identity graph, the unified timeline, and erasure.

One object a CRM embeds to answer "who is this, and what happened before?" across
channels (R-HI1..R-HI3, R-HI7): contacts and interactions are linked through their
identities; ``timeline`` shows everything of a person in order, ``golden`` the merged
contact with provenance, and ``forget`` erases a person (see :mod:`.erasure`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, UnknownContactError, ValidationError
from omnirouter.history._records import as_contact
from omnirouter.history.erasure import (
    ErasureReport,
    erase_activity,
    erase_contact,
    erase_interaction,
    keep_set,
    scrub_hints,
    scrubbed_kinds,
)
from omnirouter.history.identity import (
    ALL_IDENTITY_KINDS,
    IdentityGraph,
    IdentityKey,
    IdentityKind,
    IdentityLink,
    contact_keys,
    interaction_keys,
)
from omnirouter.history.merge import (
    GoldenContact,
    HasClusters,
    SurvivorshipRules,
    candidate_of,
    golden_from,
)
from omnirouter.history.timeline import PlannedActivity, Timeline, TimelineEntry
from omnirouter.model.contact import Contact
from omnirouter.model.interaction import Interaction

__all__ = ["AnonymousIdentity", "ContactHistory"]

_Node = tuple[str, str]
_CONTACT = "contact"
_INTERACTION = "interaction"
_CUSTOMER_LINK = "customer_id"


@attrs.frozen
class AnonymousIdentity:
    """Identities seen on interactions that no contact carries yet (e.g. a social handle)."""

    keys: tuple[IdentityKey, ...]
    interaction_ids: tuple[str, ...]


def _links_differ(old: TimelineEntry, new: TimelineEntry) -> bool:
    """Whether two versions of an interaction differ in what links or counts it."""
    before, after = old.interaction, new.interaction
    assert before is not None
    assert after is not None
    return (
        old.at != new.at
        or before.customer_id != after.customer_id
        or before.identity != after.identity
        or before.channel != after.channel
        or before.attributes.get("platform") != after.attributes.get("platform")
    )


def _label(node: _Node) -> str:
    kind, ident = node
    return ident if kind == _CONTACT else f"{kind}:{ident}"


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValidationError(
            "contact history", [ErrorDetail([name], "naive datetime: give a time zone")]
        )
    return value


class ContactHistory:
    """Contacts, interactions and planned activities of many people, linked by identity.

    Contacts join when they share an identity (see :func:`omnirouter.history.merge`);
    an interaction joins the person its ``customer_id`` names, and by its session id.
    An interaction without ``customer_id`` joins through every identity hint it
    carries (e-mail, phone, handle, session), so a call from a number known from an
    order, or a chat session continued on the phone, lands in the right history.
    Hints nobody is known by yet stay an :class:`AnonymousIdentity` until a contact
    with that identity is added.
    """

    def __init__(
        self,
        *,
        rules: SurvivorshipRules | Mapping[str, Any] | None = None,
        link_on: Iterable[IdentityKind | str] = ALL_IDENTITY_KINDS,
        default_region: str = "DE",
    ) -> None:
        if rules is None:
            rules = SurvivorshipRules()
        elif not isinstance(rules, SurvivorshipRules):
            rules = SurvivorshipRules.from_mapping(rules)
        self._rules = rules
        self._kinds = frozenset(IdentityKind(kind) for kind in link_on)
        self._region = default_region
        self._contacts: dict[str, Contact] = {}
        self._timeline = Timeline()
        self._graph: IdentityGraph[_Node] = IdentityGraph()
        self._duplicate_links: list[tuple[str, str]] = []
        self._erasures: list[ErasureReport] = []
        # Golden contacts by contact id, with the revision of the person they were made
        # at: valid until something joins, leaves or changes that person.
        self._golden: dict[str, tuple[int, GoldenContact]] = {}

    # --- input ---------------------------------------------------------------------

    def add_contact(self, record: Contact | Mapping[str, Any]) -> Contact:
        """Add a contact, or replace the one with the same id; returns it as stored."""
        contact = as_contact(record, 0)
        candidate_of(contact, 0, self._rules, [contact.id])  # refuse a bad updated_at now
        replacing = contact.id in self._contacts
        self._contacts[contact.id] = contact
        if replacing:
            self._rebuild()
        else:
            self._add_contact_node(contact)
        return contact

    def add_contacts(self, records: Iterable[Contact | Mapping[str, Any]]) -> list[Contact]:
        """Add several contacts; the first bad one raises and none of them is added."""
        contacts = [as_contact(record, index) for index, record in enumerate(records)]
        for index, contact in enumerate(contacts):
            candidate_of(contact, index, self._rules, [index])
        return [self.add_contact(contact) for contact in contacts]

    def record(
        self, interaction: Interaction | Mapping[str, Any], *, at: datetime | None = None
    ) -> bool:
        """Put an interaction into the history; True if it was new.

        The same interaction again (same id, same ``attributes["message_id"]`` or same
        content) is not duplicated. ``at`` stands in for a missing ``created_at``.
        """
        if not isinstance(interaction, Interaction):
            interaction = Interaction.model_validate(interaction)
        if at is not None:
            _aware(at, "at")
        if self._timeline.duplicate_of(interaction, at=at) is not None:
            return False
        previous = self._timeline.get(interaction.id)
        added = self._timeline.add(interaction, at=at)
        entry = self._timeline.get(interaction.id)
        assert entry is not None
        if previous is None:
            self._add_interaction_node(interaction, entry.at)
        elif _links_differ(previous, entry):
            # A new version that names another customer, other hints or another time:
            # links and counts of the old version must not linger.
            self._rebuild()
        return added

    def plan(self, activity: PlannedActivity | Mapping[str, Any]) -> PlannedActivity:
        """Add (or replace) a planned activity: who does what, from when until when."""
        if not isinstance(activity, PlannedActivity):
            activity = PlannedActivity.model_validate(activity)
        self._timeline.plan(activity)
        return activity

    def link_duplicates(self, duplicates: HasClusters) -> int:
        """Join the contacts of each duplicate cluster; returns the number of new links."""
        clusters = [[str(rid) for rid in cluster] for cluster in duplicates.clusters]
        unknown = sorted({rid for c in clusters for rid in c if rid not in self._contacts})
        if unknown:
            raise ValidationError(
                "duplicates",
                [ErrorDetail(["clusters", rid], "no contact with this id") for rid in unknown],
            )
        links = [(cluster[0], other) for cluster in clusters for other in cluster[1:]]
        for first, other in links:
            self._duplicate_links.append((first, other))
            self._link_duplicate(first, other)
        return len(links)

    # --- the identity graph ------------------------------------------------------------

    def _add_contact_node(self, contact: Contact) -> None:
        keys = contact_keys(contact, default_region=self._region, kinds=self._kinds)
        self._graph.add((_CONTACT, contact.id), keys)

    def _add_interaction_node(self, interaction: Interaction, at: datetime) -> None:
        node = (_INTERACTION, interaction.id)
        kinds = self._kinds
        if interaction.customer_id is not None:
            # An identified interaction belongs to its customer; its other hints (a
            # spouse's phone, a shared mailbox) must not pull in a different person.
            kinds = kinds & {IdentityKind.SESSION}
        self._graph.add(
            node, interaction_keys(interaction, default_region=self._region, kinds=kinds)
        )
        if interaction.customer_id is not None:
            self._graph.link(
                node,
                (_CONTACT, interaction.customer_id),
                kind=_CUSTOMER_LINK,
                reason=f"interaction {interaction.id} names its customer",
            )
        self._graph.stamp(node, at.timestamp())

    def _link_duplicate(self, first: str, other: str) -> None:
        self._graph.link(
            (_CONTACT, first), (_CONTACT, other), kind="duplicate", reason="duplicate cluster"
        )

    def _rebuild(self) -> None:
        self._graph = IdentityGraph()
        self._golden.clear()  # revisions start again with the new graph
        for contact in self._contacts.values():
            self._add_contact_node(contact)
        for entry in self._timeline:
            assert entry.interaction is not None
            self._add_interaction_node(entry.interaction, entry.at)
        for first, other in self._duplicate_links:
            self._link_duplicate(first, other)

    def _component(self, contact_id: str) -> list[_Node]:
        node = (_CONTACT, contact_id)
        if node not in self._graph:
            raise UnknownContactError(contact_id)
        return self._graph.component(node)

    # --- questions -------------------------------------------------------------------

    def contact(self, contact_id: str) -> Contact:
        """The stored contact with this id."""
        try:
            return self._contacts[contact_id]
        except KeyError:
            raise UnknownContactError(contact_id) from None

    @property
    def contacts(self) -> list[Contact]:
        """Every stored contact, in order of arrival."""
        return list(self._contacts.values())

    def person(self, contact_id: str) -> list[str]:
        """The ids of every contact that is the same person as ``contact_id``."""
        return [ident for kind, ident in self._component(contact_id) if kind == _CONTACT]

    def identify(self, hints: Interaction | Mapping[str, Any]) -> list[str]:
        """The contact ids an interaction's identity hints point to (nothing is stored)."""
        if not isinstance(hints, Interaction):
            hints = Interaction.model_validate(hints)
        found: dict[str, None] = {}
        for key in interaction_keys(hints, default_region=self._region, kinds=self._kinds):
            try:
                component = self._graph.component(key)
            except KeyError:
                continue
            found.update(dict.fromkeys(ident for kind, ident in component if kind == _CONTACT))
        return list(found)

    def explain(self, contact_id: str) -> list[IdentityLink[str]]:
        """The evidence that made this person: shared identities and duplicate links."""
        self._component(contact_id)
        return [
            IdentityLink(link.kind, link.value, tuple(_label(node) for node in link.nodes))
            for link in self._graph.explain((_CONTACT, contact_id))
            if link.kind != _CUSTOMER_LINK
        ]

    def golden(self, contact_id: str) -> GoldenContact:
        """The merged contact of this person, with provenance for every field.

        It is made once and kept until the person changes (a contact, interaction or
        duplicate link joins, a contact is replaced, an erasure).
        """
        node = (_CONTACT, contact_id)
        if node not in self._graph:
            raise UnknownContactError(contact_id)
        revision = self._graph.revision(node)
        cached = self._golden.get(contact_id)
        if cached is not None and cached[0] == revision:
            return cached[1]
        ids = [i for i in self.person(contact_id) if i in self._contacts]
        if not ids:
            raise UnknownContactError(contact_id)
        order = {ident: index for index, ident in enumerate(self._contacts)}
        ids.sort(key=order.__getitem__)
        contacts = [self._contacts[i] for i in ids]
        candidates = [candidate_of(c, order[c.id], self._rules, [c.id]) for c in contacts]
        golden = golden_from(
            candidates, self._rules, self.explain(contact_id), contacts, default_region=self._region
        )
        self._golden.update(dict.fromkeys(ids, (revision, golden)))
        return golden

    def timeline(self, contact_id: str, *, planned: bool = True) -> list[TimelineEntry]:
        """Everything of one person across channels, oldest first (R-HI1).

        Includes interactions linked only through identities (an anonymous handle
        later matched) and, with ``planned``, the person's planned activities.
        """
        component = self._component(contact_id)
        contact_ids = {ident for kind, ident in component if kind == _CONTACT}
        interactions = [ident for kind, ident in component if kind == _INTERACTION]
        activities = []
        if planned:
            activities = [
                entry.id
                for entry in self._timeline.activities()
                if entry.activity is not None and entry.activity.customer_id in contact_ids
            ]
        return self._timeline.select(interactions, activities)

    def case_timeline(self, case_id: str) -> list[TimelineEntry]:
        """Everything of one case or deal, across all its contact persons (R-HI2)."""
        return self._timeline.for_case(case_id)

    def planned(self, contact_id: str, *, at: datetime) -> list[PlannedActivity]:
        """The person's planned activities not yet over at ``at``, by start time."""
        _aware(at, "at")
        return [
            entry.activity
            for entry in self.timeline(contact_id)
            if entry.activity is not None
            and (entry.activity.ends_at or entry.activity.starts_at) >= at
        ]

    def count_recent(self, customer_id: str, since: datetime) -> int:
        """How many interactions the person had at or after ``since``; 0 if unknown.

        O(log n): each person keeps the times of its interactions sorted. Fits the
        priority scorer's repeat-contacts factor (``PriorityScorer(..., history=...)``).
        """
        if since.tzinfo is None:
            _aware(since, "since")
        return self._graph.count_from((_CONTACT, customer_id), since.timestamp())

    def anonymous(self) -> list[AnonymousIdentity]:
        """Groups of interactions whose identities no contact carries yet."""
        found = []
        for component in self._graph.components():
            if any(kind == _CONTACT for kind, _ in component):
                continue
            keys = {key: None for node in component for key in self._graph.keys_of(node)}
            found.append(AnonymousIdentity(tuple(keys), tuple(ident for _, ident in component)))
        return found

    # --- erasure ---------------------------------------------------------------------

    def forget(self, contact_id: str, *, at: datetime, keep: Iterable[str] = ()) -> ErasureReport:
        """Erase a person: every contact, interaction and activity linked to ``contact_id``.

        Contacts become tombstones holding only their id and the fields in ``keep``
        (see :data:`omnirouter.history.erasure.KEEPABLE`); interactions and planned
        activities are removed, or reduced to their bare facts when ``keep`` names
        ``interactions`` / ``activities``. Identity keys, message ids and content
        digests of the erased records disappear from every index, and the person's
        e-mail, phone, handle and session hints are removed from other people's
        interactions too (free text that names the person is not searched).
        """
        kept = keep_set(keep)
        _aware(at, "at")
        component = self._component(contact_id)
        contact_ids = [ident for kind, ident in component if kind == _CONTACT]
        interaction_ids = [ident for kind, ident in component if kind == _INTERACTION]
        activities = [
            entry.activity
            for entry in self._timeline.activities()
            if entry.activity is not None and entry.activity.customer_id in contact_ids
        ]

        def owner(customer_id: str | None) -> str:
            if customer_id is not None and customer_id in contact_ids:
                return customer_id
            return contact_id

        tombstones = {
            cid: erase_contact(self._contacts[cid], kept)
            for cid in contact_ids
            if cid in self._contacts
        }
        reduced: list[Interaction] = []
        if "interactions" in kept:
            for iid in interaction_ids:
                entry = self._timeline.get(iid)
                assert entry is not None
                assert entry.interaction is not None
                reduced.append(
                    erase_interaction(entry.interaction, owner(entry.interaction.customer_id))
                )
        scrubbed = scrubbed_kinds(kept)
        forgotten = [key for key in self._graph.keys_of(component[0]) if key.kind in scrubbed]
        others = [
            scrubbed
            for entry in self._timeline
            if entry.interaction is not None and entry.id not in interaction_ids
            for scrubbed in [scrub_hints(entry.interaction, forgotten, default_region=self._region)]
            if scrubbed is not None
        ]
        kept_activities = (
            [erase_activity(a, owner(a.customer_id)) for a in activities]
            if "activities" in kept
            else []
        )
        # Everything above may raise; nothing below does, so a failure changes nothing.
        self._contacts.update(tombstones)
        if "interactions" not in kept:
            for iid in interaction_ids:
                self._timeline.remove(iid)
        for interaction in reduced:
            self._timeline.replace_quietly(interaction)
        for interaction in others:
            self._timeline.replace_quietly(interaction, index=True)
        for activity in activities:
            self._timeline.remove_activity(activity.id)
        for activity in kept_activities:
            self._timeline.plan(activity)
        self._rebuild()
        report = ErasureReport(
            contact_id=contact_id,
            at=at,
            contact_ids=tuple(contact_ids),
            interaction_ids=tuple(interaction_ids),
            scrubbed_ids=tuple(i.id for i in others),
            activity_ids=tuple(a.id for a in activities),
            kept=tuple(sorted(kept)),
        )
        self._erasures.append(report)
        return report

    @property
    def erasures(self) -> list[ErasureReport]:
        """Every erasure so far, oldest first."""
        return list(self._erasures)

    # --- state -----------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The whole state as JSON-ready data: contacts, golden contacts, timeline,
        identity keys, de-duplication indexes and the erasure log."""
        golden = []
        seen: set[str] = set()
        for contact_id in self._contacts:
            if contact_id in seen:
                continue
            person = self.golden(contact_id)
            seen.update(person.record_ids)
            golden.append(
                {
                    "contact": person.contact.model_dump(mode="json"),
                    "record_ids": list(person.record_ids),
                    "provenance": {k: attrs.asdict(v) for k, v in person.provenance.items()},
                    "links": [str(link) for link in person.links],
                }
            )
        items: list[tuple[TimelineEntry, Interaction | PlannedActivity | None]] = [
            (entry, entry.interaction or entry.activity)
            for entry in [*self._timeline, *self._timeline.activities()]
        ]
        return {
            "contacts": [c.model_dump(mode="json") for c in self._contacts.values()],
            "golden": golden,
            "timeline": [
                {
                    "at": entry.at.isoformat(),
                    "item": item.model_dump(mode="json") if item is not None else None,
                    "quotes": [q.text for q in entry.quotes],
                }
                for entry, item in items
            ],
            "identities": sorted({str(key) for key in self._graph.all_keys()}),
            "duplicate_links": [list(pair) for pair in self._duplicate_links],
            "indexes": self._timeline.index_state(),
            "erasures": [report.as_dict() for report in self._erasures],
        }
