"""``ContactHistory``: contacts, their identity graph, the unified timeline, and erasure.

One object a CRM embeds to answer "who is this, and what happened before?" across
channels: contacts and interactions are linked through their
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
_LEARNT_LINK = "learnt_hint"
# Hints an identified interaction teaches about its customer. Session ids link on their
# own; these only identify people who are otherwise anonymous (see ContactHistory).
_LEARNABLE = frozenset({IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.HANDLE})


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

    The e-mail, phone and handle hints of an identified interaction are *learnt* for
    its customer: a later interaction that carries them and links to nobody else
    joins that customer. Learnt hints never join two contacts: a household phone that
    wife and husband both call from, or a contact record that carries the number
    itself, takes precedence, and a hint learnt from two customers identifies neither.
    Hints nobody is known by stay an :class:`AnonymousIdentity` until a contact or an
    identified interaction with that identity arrives. The outcome does not depend on
    the order in which contacts and interactions arrive.
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
        # Hint keys of identified interactions: the customers who used each.
        self._learnt: dict[IdentityKey, list[str]] = {}
        self._shared_hints = 0  # learnt keys used by two or more customers

    # --- input ---------------------------------------------------------------------

    def add_contact(self, record: Contact | Mapping[str, Any]) -> Contact:
        """Add a contact, or replace the one with the same id; returns it as stored."""
        contact = as_contact(record, 0)
        candidate_of(contact, 0, self._rules, [contact.id])  # refuse a bad updated_at now
        replacing = contact.id in self._contacts
        self._contacts[contact.id] = contact
        if replacing or self._add_contact_node(contact):
            self._rebuild()
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
            if self._add_interaction_node(interaction, entry.at):
                self._rebuild()
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

    def _add_contact_node(self, contact: Contact) -> bool:
        """Add a contact to the graph; True if learnt links must be worked out anew."""
        node = (_CONTACT, contact.id)
        keys = contact_keys(contact, default_region=self._region, kinds=self._kinds)
        joined = self._graph.add(node, keys)
        self._graph.anchor(node)
        return joined and self._joined_may_relink(node)

    def _add_interaction_node(
        self, interaction: Interaction, at: datetime, *, learn: bool = True
    ) -> bool:
        """Add an interaction to the graph; True if learnt links must be worked out anew.

        ``learn=False`` (while rebuilding) leaves learnt links to :meth:`_rebuild`.
        """
        node = (_INTERACTION, interaction.id)
        graph = self._graph
        customer = interaction.customer_id
        keys = interaction_keys(interaction, default_region=self._region, kinds=self._kinds)
        if customer is None:
            stale = graph.add(node, keys) and self._joined_may_relink(node)
            graph.stamp(node, at.timestamp())
            if learn and not stale and not graph.anchored(node):
                self._link_by_learnt_hints(node)
            return stale
        # An identified interaction belongs to its customer; its other hints (a spouse's
        # phone, a shared mailbox) must not pull in a different person, so they are only
        # learnt: they identify the customer where no one else is known by them.
        sessions = [key for key in keys if key.kind is IdentityKind.SESSION]
        stale = graph.add(node, sessions) and self._joined_may_relink(node)
        customer_node = (_CONTACT, customer)
        joined = graph.link(
            node,
            customer_node,
            kind=_CUSTOMER_LINK,
            reason=f"interaction {interaction.id} names its customer",
        )
        stale = stale or (joined and self._joined_may_relink(node))
        graph.anchor(customer_node)
        graph.stamp(node, at.timestamp())
        for key in keys:
            if key.kind not in _LEARNABLE:
                continue
            customers = self._learnt.setdefault(key, [])
            if customer in customers:
                continue
            customers.append(customer)
            if len(customers) == 2:
                self._shared_hints += 1
            # A key someone else already holds may now name an anonymous group, or
            # make a group's learnt customer ambiguous.
            if learn and graph.has_key(key) and not graph.same(key, customer_node):
                stale = stale or not graph.anchored(key) or self._has_learnt_link(key)
        return stale

    def _has_learnt_link(self, node: _Node | IdentityKey) -> bool:
        return any(link.kind == _LEARNT_LINK for link in self._graph.links_of(node))

    def _joined_may_relink(self, node: _Node) -> bool:
        """After ``node``'s component joined another: can learnt links have changed?

        A group given to a customer by a learnt hint may have met a contact, and two
        customers who shared a hint may have turned out to be one person.
        """
        return self._shared_hints > 0 or self._has_learnt_link(node)

    def _link_by_learnt_hints(self, node: _Node) -> None:
        """Link an anonymous group to the one person its hints were learnt from."""
        found: dict[str, IdentityKey] = {}
        for key in self._graph.keys_of(node):
            for customer in self._learnt.get(key, ()):
                found.setdefault(customer, key)
        people = list(found.items())
        first = (_CONTACT, people[0][0]) if people else None
        if first is not None and all(
            self._graph.same(first, (_CONTACT, other)) for other, _ in people[1:]
        ):
            customer, key = people[0]
            customer_node = (_CONTACT, customer)
            self._graph.link(
                node,
                customer_node,
                kind=_LEARNT_LINK,
                reason=f"{key} known from interactions of {customer}",
            )
            self._graph.anchor(customer_node)

    def _link_duplicate(self, first: str, other: str) -> None:
        self._graph.link(
            (_CONTACT, first), (_CONTACT, other), kind="duplicate", reason="duplicate cluster"
        )

    def _rebuild(self) -> None:
        self._graph = IdentityGraph()
        self._golden.clear()  # revisions start again with the new graph
        self._learnt = {}
        self._shared_hints = 0
        for contact in self._contacts.values():
            self._add_contact_node(contact)
        for entry in self._timeline:
            assert entry.interaction is not None
            self._add_interaction_node(entry.interaction, entry.at, learn=False)
        for first, other in self._duplicate_links:
            self._link_duplicate(first, other)
        # Learnt hints last, when every strong link is known: only groups that are
        # still anonymous are given to a customer.
        for component in list(self._graph.components()):
            if not self._graph.anchored(component[0]):
                self._link_by_learnt_hints(component[0])

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
        """The contact ids an interaction's identity hints point to (nothing is stored).

        A hint nobody carries yet points to the customers whose identified
        interactions used it.
        """
        if not isinstance(hints, Interaction):
            hints = Interaction.model_validate(hints)
        found: dict[str, None] = {}
        for key in interaction_keys(hints, default_region=self._region, kinds=self._kinds):
            if not self._graph.has_key(key):
                found.update(dict.fromkeys(self._learnt.get(key, ())))
                continue
            component = self._graph.component(key)
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
        """Everything of one person across channels, oldest first.

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
        """Everything of one case or deal, across all its contact persons."""
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
