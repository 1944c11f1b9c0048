"""Merging records of one person into a golden contact, with provenance, and unmerging.

``merge`` links records through their identities (see :mod:`.identity`) and,
optionally, the clusters of a duplicate finder; each linked group becomes one
:class:`GoldenContact` whose every field says which record and which rule it came
from (R-HI5), with consent merged per channel so that an opt-out wins (R-HI6).
``unmerge`` gives back the input records exactly as they were given.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Protocol

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
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
from omnirouter.model.contact import Contact, SocialHandle

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


def _union_list(
    candidates: Sequence[Candidate],
    name: str,
    values: Any,
    key: Any,
    provenance: dict[str, FieldProvenance],
) -> list[Any]:
    seen: dict[object, int] = {}
    merged: list[Any] = []
    holders: list[list[str]] = []
    for candidate in candidates:
        for value in values(candidate.contact):
            identity = key(value)
            if identity in seen:
                found = holders[seen[identity]]
                if candidate.contact.id not in found:
                    found.append(candidate.contact.id)
                continue
            seen[identity] = len(merged)
            merged.append(value)
            holders.append([candidate.contact.id])
    for position, ids in enumerate(holders):
        provenance[f"{name}.{position}"] = FieldProvenance(
            f"{name}.{position}", ids[0], "union", tuple(ids)
        )
    return merged


def _identity_key(kind: str, memo: KeyMemo) -> Any:
    def key(value: Any) -> object:
        if isinstance(value, SocialHandle):
            found = IdentityKey.handle(value.platform, value.handle)
        elif kind == "emails":
            found = memo.email(value)
        elif kind == "phones":
            found = memo.phone(value)
        elif kind == "customer_numbers":
            found = IdentityKey.customer_number(value)
        else:
            found = IdentityKey.session(value)
        return found if found is not None else ("raw", value)

    return key


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

    all_ids = tuple(c.contact.id for c in candidates)
    data: dict[str, Any] = {}
    if "id" in rules.fields:
        winner, _ = choose(rules, rules.fields["id"], [(c, c.contact.id) for c in candidates])
        note("id", winner.contact.id, rules.fields["id"].value, all_ids)
    else:
        winner = candidates[0]
        note("id", winner.contact.id, "first_record", all_ids)
    data["id"] = winner.contact.id
    for field in SURVIVING_FIELDS:
        offers = [(c, getattr(c.contact, field)) for c in candidates]
        offers = [offer for offer in offers if offer[1] is not None]
        if offers:
            rule = rules.rule_for(field)
            chosen, value = choose(rules, rule, offers)
            data[field] = value
            note(field, chosen.contact.id, rule.value, tuple(o[0].contact.id for o in offers))
    identities: dict[str, list[Any]] = {}
    for kind in ("emails", "phones", "handles", "customer_numbers", "session_ids"):
        identities[kind] = _union_list(
            candidates,
            f"identities.{kind}",
            lambda contact, kind=kind: getattr(contact.identities, kind),
            _identity_key(kind, memo),
            provenance,
        )
    data["identities"] = identities
    data["preferred_channels"] = _union_list(
        candidates, "preferred_channels", lambda c: c.preferred_channels, str, provenance
    )
    attributes: dict[str, Any] = {}
    attribute_rule = rules.rule_for("attributes")
    names = dict.fromkeys(name for c in candidates for name in c.contact.attributes)
    for name in names:
        offers = [
            (c, c.contact.attributes[name]) for c in candidates if name in c.contact.attributes
        ]
        chosen, value = choose(rules, attribute_rule, offers)
        attributes[name] = value
        ids = tuple(o[0].contact.id for o in offers)
        note(f"attributes.{name}", chosen.contact.id, attribute_rule.value, ids)
    data["attributes"] = attributes
    data["consent"] = merge_consent(candidates, note)
    contact = Contact.model_validate(data)
    return GoldenContact(
        contact=contact,
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
    inputs = [copy.deepcopy(record) for record in records]
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
    candidates = [
        candidate_of(contact, index, survivorship, [index])
        for index, contact in enumerate(contacts)
    ]
    graph: IdentityGraph[str] = IdentityGraph()
    memo = KeyMemo(default_region)
    for contact in contacts:
        graph.add(contact.id, contact_keys(contact, kinds=kinds, memo=memo))
    if duplicates is not None:
        _link_duplicates(graph, duplicates, position)
    groups = sorted(
        (sorted(component, key=position.__getitem__) for component in graph.components()),
        key=lambda ids: position[ids[0]],
    )
    golden: list[GoldenContact] = []
    by_record: dict[str, GoldenContact] = {}
    for ids in groups:
        indexes = [position[record_id] for record_id in ids]
        person = golden_from(
            [candidates[i] for i in indexes],
            survivorship,
            graph.explain(ids[0]),
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
    return [copy.deepcopy(record) for record in records]
