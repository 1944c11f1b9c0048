"""Merging records of one person into a golden contact, with provenance, and unmerging.

``merge`` links records through their identities (see :mod:`.identity`) and,
optionally, the clusters of a duplicate finder; each linked group becomes one
:class:`GoldenContact` whose every field says which record and which rule it came
from, with consent merged per channel so that an opt-out wins.
``unmerge`` gives back the input records exactly as they were given.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import partial
from types import MappingProxyType
from typing import Any, Protocol

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history._bulk import collector_paused, snapshot
from omnirouter.history._records import as_contact, parse_timestamp
from omnirouter.history._survivorship import (
    SURVIVING_FIELDS,
    Candidate,
    FieldProvenance,
    SurvivorshipRule,
    SurvivorshipRules,
    choose,
    merge_consent,
)
from omnirouter.history.identity import (
    ALL_IDENTITY_KINDS,
    IdentityGraph,
    IdentityKey,
    IdentityKind,
    IdentityLink,
    KeyMemo,
    contact_keys,
)
from omnirouter.model.contact import Contact

__all__ = [
    "FieldProvenance",
    "GoldenContact",
    "MergeResult",
    "SurvivorshipRule",
    "SurvivorshipRules",
    "merge",
    "unmerge",
]

#: A record as merge takes it: a Contact model or a mapping (Contact-shaped or a flat row).
MergeInput = Contact | Mapping[str, Any]


class HasClusters(Protocol):
    """Anything with ``clusters``: groups of record ids judged to be one person."""

    @property
    def clusters(self) -> Iterable[Collection[object]]:
        """Each cluster's record ids."""
        ...


@attrs.frozen
class GoldenContact:
    """One person after a merge: the surviving contact, and how it came about.

    ``provenance`` maps each filled field (``given_name``, ``identities.emails.0``,
    ``consent.email.marketing``, ``attributes.tier`` …) to the record and rule it came
    from; ``links`` are the identities and duplicate clusters that joined the records.
    ``sources`` are the merged input records as given; use :func:`unmerge` for copies.
    """

    contact: Contact
    record_ids: tuple[str, ...]
    provenance: Mapping[str, FieldProvenance]
    links: tuple[IdentityLink[str], ...]
    sources: tuple[MergeInput, ...] = attrs.field(repr=False)

    @property
    def id(self) -> str:
        """The golden contact's id."""
        return self.contact.id

    def explain(self) -> str:
        """A readable account: which identities linked which records, each field's source."""
        lines = [f"golden contact {self.id} from {', '.join(self.record_ids)}"]
        lines += [f"  linked by {link}" for link in self.links]
        lines += [f"  {provenance}" for provenance in self.provenance.values()]
        return "\n".join(lines)


@attrs.frozen
class MergeResult:
    """The golden contacts of a merge, in order of their first input record."""

    golden: tuple[GoldenContact, ...]
    inputs: tuple[MergeInput, ...] = attrs.field(repr=False)
    _by_record: Mapping[str, GoldenContact] = attrs.field(repr=False, alias="by_record")

    def __iter__(self) -> Iterator[GoldenContact]:
        return iter(self.golden)

    def __len__(self) -> int:
        return len(self.golden)

    def golden_of(self, record_id: str) -> GoldenContact:
        """The golden contact an input record went into."""
        try:
            return self._by_record[record_id]
        except KeyError:
            raise ValidationError(
                "merge result", [ErrorDetail(["record_id"], f"no input record {record_id!r}")]
            ) from None


_IDENTITY_LISTS = ("emails", "phones", "handles", "customer_numbers", "session_ids")
_IDENTITY_FIELDS = tuple((kind, f"identities.{kind}") for kind in _IDENTITY_LISTS)
# Provenance names of list positions, made once: a large merge would otherwise build
# the same few strings again for every golden contact.
_POSITION_NAMES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        name: tuple(f"{name}.{position}" for position in range(16))
        for name in (*(field for _, field in _IDENTITY_FIELDS), "preferred_channels")
    }
)


def _position_name(name: str, position: int) -> str:
    names = _POSITION_NAMES[name]
    return names[position] if position < len(names) else f"{name}.{position}"


def _identity_of(kind: str, memo: KeyMemo, value: Any) -> object:
    """What makes two values of an identity list one value: their identity key."""
    if kind == "emails":
        found = memo.email(value)
    elif kind == "phones":
        found = memo.phone(value)
    elif kind == "handles":
        found = IdentityKey.handle(value.platform, value.handle)
    elif kind == "customer_numbers":
        found = IdentityKey.customer_number(value)
    else:
        found = IdentityKey.session(value)
    return found if found is not None else ("raw", value)


def _union_list(
    name: str,
    offers: Sequence[tuple[str, Sequence[Any]]],
    identity: Callable[[Any], object],
    all_ids: tuple[str, ...],
    provenance: dict[str, FieldProvenance],
) -> list[Any]:
    """The union of the ``(record id, values)`` offers, first spelling kept, with provenance."""
    seen: dict[object, int] = {}
    merged: list[Any] = []
    holders: list[list[str]] = []
    for record_id, values in offers:
        for value in values:
            key = identity(value)
            position = seen.get(key)
            if position is None:
                seen[key] = len(merged)
                merged.append(value)
                holders.append([record_id])
            elif holders[position][-1] != record_id:  # offers come one record at a time
                holders[position].append(record_id)
    for position, ids in enumerate(holders):
        field = _position_name(name, position)
        everyone = len(ids) == len(all_ids)  # share one tuple when every record holds it
        provenance[field] = FieldProvenance(
            field, ids[0], "union", all_ids if everyone else tuple(ids)
        )
    return merged


def _surviving_fields(
    candidates: Sequence[Candidate],
    rules: SurvivorshipRules,
    all_ids: tuple[str, ...],
    data: dict[str, Any],
    provenance: dict[str, FieldProvenance],
) -> None:
    only = candidates[0].contact if len(candidates) == 1 else None
    for field in SURVIVING_FIELDS:
        rule = rules.rule_for(field)
        if only is not None:  # one record: its values survive, nothing to choose
            value = getattr(only, field)
            if value is None:
                continue
            record_id, ids = only.id, all_ids
        else:
            offers = [(c, v) for c in candidates if (v := getattr(c.contact, field)) is not None]
            if not offers:
                continue
            chosen, value = offers[0] if len(offers) == 1 else choose(rules, rule, offers)
            record_id = chosen.contact.id
            ids = all_ids if len(offers) == len(all_ids) else tuple(o[0].contact.id for o in offers)
        data[field] = value
        provenance[field] = FieldProvenance(field, record_id, rule.value, ids)


def _attributes(
    candidates: Sequence[Candidate],
    rules: SurvivorshipRules,
    all_ids: tuple[str, ...],
    provenance: dict[str, FieldProvenance],
) -> dict[str, Any]:
    rule = rules.rule_for("attributes")
    attributes: dict[str, Any] = {}
    names = dict.fromkeys(name for c in candidates for name in c.contact.attributes)
    for name in names:
        offers = [
            (c, c.contact.attributes[name]) for c in candidates if name in c.contact.attributes
        ]
        chosen, value = offers[0] if len(offers) == 1 else choose(rules, rule, offers)
        attributes[name] = value
        ids = all_ids if len(offers) == len(all_ids) else tuple(o[0].contact.id for o in offers)
        field = f"attributes.{name}"
        provenance[field] = FieldProvenance(field, chosen.contact.id, rule.value, ids)
    return attributes


def golden_from(
    candidates: Sequence[Candidate],
    rules: SurvivorshipRules,
    links: Sequence[IdentityLink[str]],
    sources: Sequence[MergeInput],
    *,
    default_region: str = "DE",
    memo: KeyMemo | None = None,
) -> GoldenContact:
    """Apply ``rules`` to ``candidates`` (one person's records, in input order)."""
    memo = memo or KeyMemo(default_region)
    provenance: dict[str, FieldProvenance] = {}

    def note(field: str, record_id: str, rule: str, ids: tuple[str, ...]) -> None:
        provenance[field] = FieldProvenance(field, record_id, rule, ids)

    contacts = [c.contact for c in candidates]
    all_ids = tuple(contact.id for contact in contacts)
    id_rule = rules.fields.get("id")
    if id_rule is None:
        note("id", all_ids[0], "first_record", all_ids)
        data: dict[str, Any] = {"id": all_ids[0]}
    else:
        winner, _ = choose(rules, id_rule, [(c, c.contact.id) for c in candidates])
        note("id", winner.contact.id, id_rule.value, all_ids)
        data = {"id": winner.contact.id}
    _surviving_fields(candidates, rules, all_ids, data, provenance)
    # Empty collections are left to their defaults: fewer objects per golden contact.
    identities: dict[str, list[Any]] = {}
    for kind, field in _IDENTITY_FIELDS:
        offers = [(c.id, values) for c in contacts if (values := getattr(c.identities, kind))]
        if offers:
            identity = partial(_identity_of, kind, memo)
            identities[kind] = _union_list(field, offers, identity, all_ids, provenance)
    if identities:
        data["identities"] = identities
    channels = [(c.id, c.preferred_channels) for c in contacts if c.preferred_channels]
    if channels:
        data["preferred_channels"] = _union_list(
            "preferred_channels", channels, str, all_ids, provenance
        )
    if any(contact.attributes for contact in contacts):
        data["attributes"] = _attributes(candidates, rules, all_ids, provenance)
    if any(contact.consent for contact in contacts):
        data["consent"] = merge_consent(candidates, note)
    return GoldenContact(
        contact=Contact.model_validate(data),
        record_ids=all_ids,
        provenance=MappingProxyType(provenance),
        links=tuple(links),
        sources=tuple(sources),
    )


def candidate_of(
    contact: Contact, index: int, rules: SurvivorshipRules, where: list[str | int]
) -> Candidate:
    """The survivorship view of one record: its source and last update."""
    source = contact.attributes.get(rules.source_key)
    updated = parse_timestamp(
        contact.attributes.get(rules.updated_key), [*where, "attributes", rules.updated_key]
    )
    return Candidate(index, contact, source if isinstance(source, str) else None, updated)


def _rules(rules: SurvivorshipRules | Mapping[str, Any] | None) -> SurvivorshipRules:
    if rules is None:
        return SurvivorshipRules()
    if isinstance(rules, SurvivorshipRules):
        return rules
    return SurvivorshipRules.from_mapping(rules)


def _link_duplicates(
    graph: IdentityGraph[str], duplicates: HasClusters, known: Mapping[str, int]
) -> None:
    clusters = [[str(record_id) for record_id in cluster] for cluster in duplicates.clusters]
    unknown = sorted({rid for cluster in clusters for rid in cluster if rid not in known})
    if unknown:
        raise ValidationError(
            "merge input",
            [
                ErrorDetail(["duplicates", rid], "cluster names an id not among the records")
                for rid in unknown
            ],
        )
    for cluster in clusters:
        ordered = sorted(cluster, key=known.__getitem__)
        for other in ordered[1:]:
            graph.link(ordered[0], other, kind="duplicate", reason="duplicate finder cluster")


def merge(
    records: Iterable[MergeInput],
    *,
    duplicates: HasClusters | None = None,
    rules: SurvivorshipRules | Mapping[str, Any] | None = None,
    link_on: Iterable[IdentityKind | str] = ALL_IDENTITY_KINDS,
    id_field: str = "id",
    default_region: str = "DE",
) -> MergeResult:
    """Link ``records`` that are one person and merge each group into a golden contact.

    Records are linked when they share a normalised e-mail, an E.164 phone number, a
    social handle, a customer number or a session id (restrict with ``link_on``), or
    fall into one cluster of ``duplicates`` (e.g. :func:`find_duplicates`' result).
    ``rules`` (a :class:`SurvivorshipRules` or its mapping form) decides each field.
    Raises :class:`omnirouter.ValidationError` for bad records, repeated ids, or
    clusters naming unknown ids; then nothing is merged.
    """
    survivorship = _rules(rules)
    kinds = frozenset(IdentityKind(kind) for kind in link_on)
    with collector_paused():
        return _merge(records, duplicates, survivorship, kinds, id_field, default_region)


def _merge(
    records: Iterable[MergeInput],
    duplicates: HasClusters | None,
    survivorship: SurvivorshipRules,
    kinds: frozenset[IdentityKind],
    id_field: str,
    default_region: str,
) -> MergeResult:
    inputs = [snapshot(record) for record in records]
    contacts = [as_contact(record, index, id_field=id_field) for index, record in enumerate(inputs)]
    position: dict[str, int] = {}
    for index, contact in enumerate(contacts):
        if contact.id in position:
            raise ValidationError(
                "merge input",
                [
                    ErrorDetail(
                        [index, "id"], f"id {contact.id!r} repeats record {position[contact.id]}"
                    )
                ],
            )
        position[contact.id] = index
    candidates = {
        index: candidate_of(contact, index, survivorship, [index])
        for index, contact in enumerate(contacts)
    }
    graph: IdentityGraph[str] = IdentityGraph()
    memo = KeyMemo(default_region)
    for contact in contacts:
        graph.add(contact.id, contact_keys(contact, kinds=kinds, memo=memo))
    if duplicates is not None:
        _link_duplicates(graph, duplicates, position)
    order = [contact.id for contact in contacts]
    del contacts  # the candidates hold them, and give each one up once it is merged
    golden: list[GoldenContact] = []
    by_record: dict[str, GoldenContact] = {}
    for record_id in order:
        if record_id in by_record:
            continue
        # Components list their records in order of joining; golden contacts list
        # them in input order, and come in the order of their first record.
        ids = sorted(graph.component(record_id), key=position.__getitem__)
        indexes = [position[member] for member in ids]
        person = golden_from(
            [candidates.pop(i) for i in indexes],
            survivorship,
            graph.explain(record_id),
            [inputs[i] for i in indexes],
            memo=memo,
        )
        golden.append(person)
        by_record.update(dict.fromkeys(ids, person))
    return MergeResult(tuple(golden), tuple(inputs), MappingProxyType(by_record))


def unmerge(merged: MergeResult | GoldenContact) -> list[MergeInput]:
    """The input records exactly as given: all of a merge, or those of one golden contact.

    Copies are returned, so changing them leaves the merge result untouched.
    """
    records = merged.inputs if isinstance(merged, MergeResult) else merged.sources
    return [snapshot(record) for record in records]
