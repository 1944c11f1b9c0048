"""Survivorship: which record's value a golden contact keeps for each field, and why."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs
import pydantic

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model.contact import ConsentRecord, ConsentStatus, Contact

__all__ = [
    "SURVIVING_FIELDS",
    "Candidate",
    "FieldProvenance",
    "SurvivorshipRule",
    "SurvivorshipRules",
    "choose",
    "merge_consent",
]

#: The single-valued contact fields decided by a rule (``id`` too, when a rule is set
#: for it; otherwise the golden contact keeps the id of the first record).
SURVIVING_FIELDS = (
    "title",
    "given_name",
    "family_name",
    "birth_date",
    "address",
    "tier",
    "segment",
    "advisor_id",
    "language",
    "timezone",
)
_RULED_FIELDS = frozenset({"id", "attributes", *SURVIVING_FIELDS})
_OLDEST = datetime.min.replace(tzinfo=UTC)


class SurvivorshipRule(enum.StrEnum):
    """A survivorship rule; ties fall to the more recent record, then the later input."""

    MOST_RECENT = "most_recent"
    MOST_TRUSTED = "most_trusted"
    MOST_FREQUENT = "most_frequent"


def _rule(value: object, where: list[str | int]) -> SurvivorshipRule:
    try:
        return SurvivorshipRule(str(value))
    except ValueError:
        known = ", ".join(rule.value for rule in SurvivorshipRule)
        raise ValidationError(
            "survivorship rules",
            [ErrorDetail(where, f"unknown rule {value!r}; known rules: {known}", input=value)],
        ) from None


def _field_rules(value: Mapping[str, object]) -> Mapping[str, SurvivorshipRule]:
    rules: dict[str, SurvivorshipRule] = {}
    for name, rule in value.items():
        if name not in _RULED_FIELDS:
            known = ", ".join(sorted(_RULED_FIELDS))
            raise ValidationError(
                "survivorship rules",
                [ErrorDetail(["fields", name], f"no rule applies to {name!r}; fields: {known}")],
            )
        rules[name] = _rule(rule, ["fields", name])
    return MappingProxyType(rules)


def _default_rule(value: object) -> SurvivorshipRule:
    return _rule(value, ["default"])


@attrs.frozen
class SurvivorshipRules:
    """Which value survives a merge, as data.

    ``default`` applies to every field without an entry in ``fields``;
    ``trusted_sources`` lists source names, most trusted first (unknown sources rank
    last). A record's source and its last update are read from its attributes
    ``source_key`` and ``updated_key`` (ISO 8601 with a time zone, or a date).
    """

    default: SurvivorshipRule = attrs.field(
        default=SurvivorshipRule.MOST_RECENT, converter=_default_rule
    )
    fields: Mapping[str, SurvivorshipRule] = attrs.field(
        factory=lambda: MappingProxyType({}), converter=_field_rules
    )
    trusted_sources: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    source_key: str = "source"
    updated_key: str = "updated_at"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SurvivorshipRules:
        """Rules from a dict (e.g. read from TOML or JSON); unknown keys are refused."""
        known = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                "survivorship rules",
                [
                    ErrorDetail([key], f"unknown setting; settings: {sorted(known)}")
                    for key in unknown
                ],
            )
        return cls(**data)

    def rule_for(self, field: str) -> SurvivorshipRule:
        """The rule deciding ``field``."""
        return self.fields.get(field, self.default)

    def trust(self, source: str | None) -> int:
        """Higher for more trusted sources; 0 for unknown or missing ones."""
        if source is None or source not in self.trusted_sources:
            return 0
        return len(self.trusted_sources) - self.trusted_sources.index(source)


@attrs.frozen
class Candidate:
    """One input record of a merge with what survivorship needs to know about it."""

    index: int
    contact: Contact
    source: str | None
    updated_at: datetime | None

    @property
    def recency(self) -> tuple[datetime, int]:
        """Sort key: last update (unknown = oldest), then input position."""
        return (self.updated_at or _OLDEST, self.index)


@attrs.frozen
class FieldProvenance:
    """Where a golden field came from: the winning record, the rule, and who competed.

    ``candidates`` are the ids of every record that had a value for the field.
    """

    field: str
    record_id: str
    rule: str
    candidates: tuple[str, ...]

    def __str__(self) -> str:
        others = ", ".join(self.candidates)
        return f"{self.field}: from {self.record_id} ({self.rule} among {others})"


def _comparable(value: object) -> object:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump_json()
    if isinstance(value, dict | list):
        return repr(value)
    return value


def choose(
    rules: SurvivorshipRules,
    rule: SurvivorshipRule,
    offers: Sequence[tuple[Candidate, object]],
) -> tuple[Candidate, object]:
    """The surviving (candidate, value) among non-empty ``offers`` under ``rule``."""
    if rule is SurvivorshipRule.MOST_TRUSTED:
        return max(offers, key=lambda offer: (rules.trust(offer[0].source), offer[0].recency))
    if rule is SurvivorshipRule.MOST_FREQUENT:
        counts = Counter(_comparable(value) for _, value in offers)
        return max(offers, key=lambda offer: (counts[_comparable(offer[1])], offer[0].recency))
    return max(offers, key=lambda offer: offer[0].recency)


def _latest(records: Sequence[ConsentRecord]) -> ConsentRecord:
    # Two decisions at the same instant contradict each other: the opt-out stands.
    return max(records, key=lambda record: (record.at, record.status is ConsentStatus.OPT_OUT))


def merge_consent(
    candidates: Sequence[Candidate],
    record: Callable[[str, str, str, tuple[str, ...]], None],
) -> list[ConsentRecord]:
    """Per channel and purpose, the decision that stands after a merge.

    Each record's own latest decision is taken; if any of them is an opt-out, the
    newest such opt-out stands (opt-out wins), else the newest opt-in.
    ``record(field, record_id, rule, candidates)`` is told each outcome.
    """
    latest: dict[tuple[str, str], list[tuple[Candidate, ConsentRecord]]] = {}
    for candidate in candidates:
        own: dict[tuple[str, str], list[ConsentRecord]] = {}
        for consent in candidate.contact.consent:
            own.setdefault((consent.channel, consent.purpose), []).append(consent)
        for topic, log in own.items():
            latest.setdefault(topic, []).append((candidate, _latest(log)))
    merged: list[ConsentRecord] = []
    for (channel, purpose), decisions in sorted(latest.items()):
        opt_outs = [d for d in decisions if d[1].status is ConsentStatus.OPT_OUT]
        pool, rule = (opt_outs, "opt_out_wins") if opt_outs else (decisions, "latest_opt_in")
        winner, consent = max(pool, key=lambda d: (d[1].at, d[0].index))
        ids = tuple(d[0].contact.id for d in decisions)
        record(f"consent.{channel}.{purpose}", winner.contact.id, rule, ids)
        merged.append(consent)
    return merged
