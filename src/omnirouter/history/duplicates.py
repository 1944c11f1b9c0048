"""The duplicate finder: blocking, comparators, a Fellegi–Sunter model, a household guard.

``find_duplicates(records)`` reads mappings (CSV rows, JSON objects) or ``Contact``
models and returns the scored duplicate pairs with per-field evidence and the clusters
of records that are one person. No labelled data is needed: the model's m
probabilities are estimated by EM from the records themselves, its u probabilities
from the values' frequencies and random pairs; a file too small or too uniform for EM
is weighed with documented prior weights.

The address is compared as one unit (same home, same building, same street, same
town, moved), so a customer who moved keeps most of the evidence of name, birth date,
e-mail and mobile number. The household and neighbour guard keeps people who share a
home apart unless their personal data say they are one person, and clustering never
joins two groups that contain a vetoed or clearly non-matching pair, so one bad link
cannot chain unrelated people together.
"""

from __future__ import annotations

import os
import random
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from itertools import compress
from typing import Final

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history._bulk import collector_paused
from omnirouter.history._dedupe_blocking import (
    CandidatePairs,
    blocking_passes,
    candidate_pairs,
    phonetic_codes,
)
from omnirouter.history._dedupe_compare import (
    ADDRESS_PARTS,
    VETOED,
    PairComparer,
    PatternCodec,
    comparator_for,
)
from omnirouter.history._dedupe_dask import is_dask_input
from omnirouter.history._dedupe_em import (
    MIN_RECORDS_FOR_EM,
    PRIOR_DUPLICATE_SHARE,
    PRIOR_PROBABILITIES,
    FellegiSunterModel,
    estimate_model,
)
from omnirouter.history._dedupe_fields import (
    BIRTH_YEAR_PIVOT,
    INPUT_FIELDS,
    UnknownColumnError,
    read_columns,
)
from omnirouter.history._dedupe_guard import guard_vetoes
from omnirouter.history._dedupe_shares import agreement_shares
from omnirouter.model.contact import Contact

__all__ = [
    "BIRTH_YEAR_PIVOT",
    "DEDUPE_FIELDS",
    "MIN_RECORDS_FOR_EM",
    "PRIOR_DUPLICATE_SHARE",
    "PRIOR_PROBABILITIES",
    "BlockTooLargeError",
    "DedupeStats",
    "DuplicatePair",
    "DuplicateResult",
    "FellegiSunterModel",
    "FieldEvidence",
    "UnknownColumnError",
    "find_duplicates",
]

#: The fields the finder reads (map your own column names onto them with ``fields=``).
DEDUPE_FIELDS: Final = INPUT_FIELDS

#: Progress callback: ``(stage, done, total)``; ``total`` is 0 when unknown.
Progress = Callable[[str, int, int], None]

_RANDOM_PAIRS = 20_000
# Compared one by one; the address parts are compared as one unit, "address".
_PERSON_AND_CONTACT = ("given_name", "family_name", "birth_date", "email", "phone")
# A name is common (weighs less when it agrees) from 1 record in 1,000, and 5 records.
_COMMON_SHARE = 1_000
_COMMON_AT_LEAST = 5
# The guard acts when household pairs number at least 1 in 100 records.
_HOUSEHOLD_SHARE = 100
# A compared pair this unlikely is a cannot-link for clustering, like a vetoed pair.
_CANNOT_LINK_BELOW = 0.01


@attrs.frozen(slots=True)
class FieldEvidence:
    """How one field of a pair compared: its level (``exact``, ``different`` …) and weight.

    ``weight`` is log2(m/u): positive speaks for the same person, negative against,
    0.0 for a value missing on either side.
    """

    field: str
    level: str
    weight: float

    def __str__(self) -> str:
        return f"{self.field} {self.level} {self.weight:+.1f}"


@attrs.frozen(slots=True)
class DuplicatePair:
    """Two records scored as one person: ``score`` is the match probability (0…1)."""

    id_a: str
    id_b: str
    score: float
    weight: float
    evidence: tuple[FieldEvidence, ...]

    def explain(self) -> str:
        """One line: the score, the total weight and every field's evidence."""
        fields = ", ".join(str(item) for item in self.evidence)
        return f"score {self.score:.3f} (weight {self.weight:+.1f}): {fields}"


@attrs.frozen
class DedupeStats:
    """What the finder did: records read, pairs compared per blocking pass, EM rounds.

    ``household_pairs`` counts the compared pairs that share family name and home but
    are clearly two people (another given name and birth date, or another sex);
    ``household_guard`` says whether the guard acted (see :func:`find_duplicates`).
    ``sampled_records`` is the number of records drawn into the random pairs that
    estimate the u probabilities (the model's m and prior come from all compared pairs).
    """

    records: int
    compared_pairs: int
    pairs_per_pass: Mapping[str, int]
    oversized_blocks: Mapping[str, int]
    vetoed_pairs: int
    em_iterations: int
    household_pairs: int = 0
    household_guard: bool = False
    sampled_records: int = 0


@attrs.frozen
class DuplicateResult:
    """Scored duplicate ``pairs`` (best first) and the ``clusters`` they form."""

    pairs: list[DuplicatePair]
    clusters: list[frozenset[str]]
    model: FellegiSunterModel
    stats: DedupeStats
    _cluster_index: dict[str, int] = attrs.field(repr=False, alias="cluster_index")
    # Filled on the first call of pair(): most callers never ask for single pairs.
    _pair_index: dict[tuple[str, str], DuplicatePair] = attrs.field(
        factory=dict, init=False, repr=False, eq=False
    )

    def cluster_of(self, record_id: str) -> frozenset[str]:
        """The cluster holding ``record_id``; a record without duplicates is alone in it."""
        index = self._cluster_index.get(record_id)
        return self.clusters[index] if index is not None else frozenset({record_id})

    def pair(self, id_a: str, id_b: str) -> DuplicatePair | None:
        """The scored pair of these two records (either order), if they count as duplicates."""
        index = self._pair_index
        if not index and self.pairs:
            for found in self.pairs:
                index[found.id_a, found.id_b] = found
                index[found.id_b, found.id_a] = found
        return index.get((id_a, id_b))


class BlockTooLargeError(ValidationError):
    """``max_block_size`` is larger than one worker of a cluster compares in one go.

    ``asked`` is the size given, ``largest`` the largest the cluster path takes.
    """

    def __init__(self, asked: int, largest: int) -> None:
        self.asked = asked
        self.largest = largest
        pairs = asked * (asked - 1) // 2
        advice = (
            f"a block of {asked:,} records is {pairs:,} pairs for one worker; on a cluster "
            f"at most {largest:,}: lower it (larger blocks are skipped and counted in "
            "stats.oversized_blocks) and let the other blocking passes find their pairs"
        )
        super().__init__("duplicate finder options", [ErrorDetail(["max_block_size"], advice)])


def _check_options(threshold: float, window: int, max_block_size: int) -> None:
    problems = []
    if not 0.0 < threshold < 1.0:
        problems.append(ErrorDetail(["threshold"], f"must be between 0 and 1, got {threshold}"))
    if window < 2:
        problems.append(ErrorDetail(["window"], f"must be at least 2, got {window}"))
    if max_block_size < 2:
        problems.append(
            ErrorDetail(["max_block_size"], f"must be at least 2, got {max_block_size}")
        )
    if problems:
        raise ValidationError("duplicate finder options", problems)


def _random_pairs(record_count: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """The record indexes of the random pairs that estimate u."""
    first: list[int] = []
    second: list[int] = []
    if record_count < 2:
        return first, second
    for _ in range(min(_RANDOM_PAIRS, record_count * (record_count - 1) // 2)):
        i = rng.randrange(record_count)
        j = rng.randrange(record_count - 1)
        j += j >= i
        first.append(i)
        second.append(j)
    return first, second


class _Clusters:
    """Union-find that joins two groups only if links between them outnumber cannot-links.

    A record that matches two members of a group and is vetoed against a third joins;
    one that matches one member and is vetoed against another stays out, so a record
    without a birth date cannot bridge a father and a son of the same name.
    """

    def __init__(self, links: dict[int, set[int]], cannot_link: dict[int, set[int]]) -> None:
        self.parent: dict[int, int] = {}
        self.members: dict[int, list[int]] = {}
        self.links = links
        self.cannot_link = cannot_link

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while parent.get(root, root) != root:
            root = parent[root]
        while node != root:
            parent[node], node = root, parent[node]
        return root

    def join(self, a: int, b: int) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        group_a = self.members.get(root_a, [root_a])
        group_b = self.members.get(root_b, [root_b])
        if len(group_a) > len(group_b):
            root_a, root_b, group_a, group_b = root_b, root_a, group_b, group_a
        conflicts = 0
        for member in group_a:
            for other in self.cannot_link.get(member, ()):
                conflicts += self.find(other) == root_b
        if conflicts:
            support = 0
            for member in group_a:
                for other in self.links.get(member, ()):
                    support += self.find(other) == root_b
            if conflicts >= support:
                return False
        self.parent[root_a] = root_b
        self.members[root_b] = group_b + group_a
        self.members.pop(root_a, None)
        return True

    def groups(self) -> list[list[int]]:
        return [members for members in self.members.values() if len(members) > 1]


Evidence = tuple[float, float, tuple[FieldEvidence, ...]]  # score, weight, per field


def _evidence_by_pattern(
    codec: PatternCodec, model: FellegiSunterModel, pattern_counts: Mapping[int, int]
) -> dict[int, Evidence]:
    """Score, weight and field evidence of every distinct pattern, built once and shared."""
    evidence_of: dict[int, Evidence] = {}
    for pattern in pattern_counts:
        levels = codec.decode(pattern)
        weights = [model.level_weight(index, level) for index, level in enumerate(levels)]
        weight = sum(weights)
        evidence = tuple(
            FieldEvidence(
                field=comparator.field,
                level=comparator.levels[level] if level < len(comparator.levels) else "missing",
                weight=round(weights[index], 3),
            )
            for index, (comparator, level) in enumerate(zip(codec.comparators, levels, strict=True))
        )
        evidence_of[pattern] = (model.probability(weight), weight, evidence)
    return evidence_of


def _linked_and_apart(
    evidence_of: Mapping[int, Evidence], threshold: float, guarded: set[int]
) -> tuple[set[int], set[int]]:
    """The patterns that link two records, and those that keep them apart (cannot-link)."""
    linked = {
        pattern
        for pattern, (score, _, _) in evidence_of.items()
        if score >= threshold and pattern not in guarded
    }
    below = min(threshold, _CANNOT_LINK_BELOW)
    apart = {pattern for pattern, (score, _, _) in evidence_of.items() if score < below}
    apart |= guarded
    apart.add(VETOED)
    return linked, apart


def _link_and_cluster(
    candidates: CandidatePairs,
    evidence_of: Mapping[int, Evidence],
    ids: list[str],
    threshold: float,
    guarded: set[int],
) -> tuple[list[DuplicatePair], list[frozenset[str]], int]:
    """The duplicate pairs (best first), the clusters and the number of vetoed pairs.

    ``guarded`` patterns are vetoed by the household and neighbour guard.
    """
    first, second, patterns = candidates.first, candidates.second, candidates.patterns
    # Classify each distinct pattern once, then pick the pairs of each class in C loops.
    linked, apart = _linked_and_apart(evidence_of, threshold, guarded)
    weight_of = {pattern: -evidence[1] for pattern, evidence in evidence_of.items()}
    chosen = list(compress(range(len(patterns)), map(linked.__contains__, patterns)))
    # Best first; ties by the records' ids, so the order never depends on the input order.
    matched = sorted(
        (weight_of[patterns[position]], ids[first[position]], ids[second[position]], position)
        for position in chosen
    )
    vetoed = patterns.count(VETOED) + sum(map(guarded.__contains__, patterns))

    links: dict[int, set[int]] = {}
    has_link = bytearray(len(ids))
    for *_, position in matched:
        i, j = first[position], second[position]
        links.setdefault(i, set()).add(j)
        links.setdefault(j, set()).add(i)
        has_link[i] = has_link[j] = 1
    # Only records with a link can be joined wrongly, so only their conflicts matter.
    conflicting = compress(range(len(patterns)), map(apart.__contains__, patterns))
    cannot_link: dict[int, set[int]] = {}
    for position in conflicting:
        i, j = first[position], second[position]
        if has_link[i] and has_link[j]:
            cannot_link.setdefault(i, set()).add(j)
            cannot_link.setdefault(j, set()).add(i)
    clusters = _Clusters(links, cannot_link)
    made = {
        pattern: (round(score, 6), round(weight, 3), evidence)
        for pattern, (score, weight, evidence) in evidence_of.items()
        if pattern in linked
    }
    pairs = []
    for _, id_a, id_b, position in matched:
        clusters.join(first[position], second[position])
        pairs.append(DuplicatePair(id_a, id_b, *made[patterns[position]]))
    groups = sorted(
        (frozenset(ids[node] for node in group) for group in clusters.groups()), key=min
    )
    return pairs, groups, vetoed


def find_duplicates(
    records: Iterable[Mapping[str, object] | Contact] | str | os.PathLike[str],
    *,
    id_field: str = "id",
    fields: Mapping[str, str] | None = None,
    threshold: float = 0.5,
    default_region: str = "DE",
    household_guard: bool = True,
    window: int = 3,
    max_block_size: int = 200,
    rng: random.Random | None = None,
    progress: Progress | None = None,
) -> DuplicateResult:
    """Find the records that are one person; see the module documentation.

    ``records`` are mappings (keyed by the names in :data:`DEDUPE_FIELDS`, or map your
    columns with ``fields={"family_name": "surname", …}``) or :class:`~omnirouter.Contact`
    models. ``threshold`` is the match probability from which a pair counts as a
    duplicate. ``household_guard`` keeps people who share a home apart unless their
    given name, birth date, e-mail or mobile number say they are one person; it acts
    only on a file that shows households (see ``DedupeStats.household_guard``), so data
    without households (such as Febrl's) need no flag. ``window`` is the
    sorted-neighbourhood width, ``max_block_size`` the largest block compared in full
    (larger ones are skipped and counted in the stats). ``rng`` draws the random pairs
    that estimate u (default: a fixed seed, so results are reproducible).
    ``progress(stage, done, total)`` is called now and then for long runs.

    ``records`` may also be a Dask DataFrame, or the path of Parquet files (a folder or
    ``*.parquet``) or CSV files (``*.csv``, globs allowed) to read with Dask: the work
    then runs on the Dask cluster of the current ``dask.distributed`` client (or Dask's
    local scheduler without one), with the same result as in one process (see
    "Scaling out" in the documentation; needs ``pip install 'omnirouter[distributed]'``).
    There, ``max_block_size`` above 5,000 raises :class:`BlockTooLargeError`.

    Raises :class:`ValidationError` for a record without an id, a repeated id, an
    unknown field name or an option out of range, and :class:`UnknownColumnError`
    (a ``ValidationError``) when ``fields`` maps to a column that no record has.
    """
    _check_options(threshold, window, max_block_size)
    run: Callable[..., DuplicateResult]
    if is_dask_input(records):
        from omnirouter.history._dedupe_dask import find_duplicates_on_dask as run
    else:
        assert not isinstance(records, str | os.PathLike)
        run = _find_duplicates
    # The finder builds millions of small objects but no reference cycles, so the cyclic
    # collector would only walk the growing heap again and again (half the run at 100k).
    with collector_paused():
        return run(
            records,
            id_field=id_field,
            fields=fields,
            threshold=threshold,
            default_region=default_region,
            household_guard=household_guard,
            window=window,
            max_block_size=max_block_size,
            rng=rng if rng is not None else random.Random(0),
            progress=progress,
        )


def _active_fields(present: set[str]) -> list[str]:
    """The compared fields (the address as one) of a file whose ``present`` fields have values."""
    active = [field for field in _PERSON_AND_CONTACT if field in present]
    if present.intersection(ADDRESS_PARTS):
        active.append("address")
    return active


def _households_at_least(records: int) -> int:
    """Household pairs a file must show for the guard to act: 1 % of its records.

    A file too small for EM always gets the guard: it has too few pairs to tell.
    """
    return 0 if records < MIN_RECORDS_FOR_EM else records // _HOUSEHOLD_SHARE


def _common_values(column: list[str | None]) -> frozenset[str]:
    """The values frequent enough to weigh less when they agree (term frequency)."""
    counts = Counter(value for value in column if value is not None)
    return _common_from_counts(counts.items(), len(column))


def _common_from_counts(counts: Iterable[tuple[str, int]], records: int) -> frozenset[str]:
    """:func:`_common_values` from ``(value, records holding it)`` of a file of ``records``."""
    floor = max(_COMMON_AT_LEAST, records // _COMMON_SHARE)
    return frozenset(value for value, count in counts if value and count >= floor)


def _find_duplicates(
    records: Iterable[Mapping[str, object] | Contact],
    *,
    id_field: str,
    fields: Mapping[str, str] | None,
    threshold: float,
    default_region: str,
    household_guard: bool,
    window: int,
    max_block_size: int,
    rng: random.Random,
    progress: Progress | None,
) -> DuplicateResult:
    columns = read_columns(
        records, id_field=id_field, fields=fields, default_region=default_region, progress=progress
    )
    ids = columns.ids
    values = columns.values
    present = {field for field, column in values.items() if any(v is not None for v in column)}
    active = _active_fields(present)
    codec = PatternCodec(tuple(comparator_for(field) for field in active))
    given_code = phonetic_codes(values["given_name"])
    family_code = phonetic_codes(values["family_name"])
    compared = {field: values[field] for field in (*active, *ADDRESS_PARTS) if field in present}
    common = {field: _common_values(values[field]) for field in ("given_name", "family_name")}
    passes, order = blocking_passes(values, given_code, family_code)
    candidates = candidate_pairs(passes, order, window, max_block_size, progress)
    comparer = PairComparer(
        codec,
        compared,
        given_code,
        family_code,
        common,
        hard_veto=household_guard,
        households_at_least=_households_at_least(len(ids)),
    )
    comparison = comparer.compare(candidates.first, candidates.second)
    candidates.patterns = array("q", comparison.patterns)
    # The guard acts on a file that shows households; on one without (Febrl) it would
    # only cost duplicates whose given name or birth date was mistyped beyond recognition.
    household_guard = household_guard and comparison.households >= comparer.households_at_least
    if progress is not None:
        progress("compare", 1, 1)
    pattern_counts = Counter(candidates.patterns)
    pattern_counts.pop(VETOED, None)
    # Random pairs seed u; they are compared without the veto, which would hide most.
    unguarded = PairComparer(codec, compared, given_code, family_code, common)
    first, second = _random_pairs(len(ids), rng)
    model = estimate_model(
        codec,
        pattern_counts,
        dict(Counter(unguarded.patterns(first, second))) if first else {},
        records=len(ids),
        agreement_shares=agreement_shares(values, active, common),
    )
    if progress is not None:
        progress("model", 1, 1)

    evidence_of = _evidence_by_pattern(codec, model, pattern_counts)
    guarded = (
        {pattern for pattern in pattern_counts if guard_vetoes(codec, model, pattern)}
        if household_guard
        else set()
    )
    pairs, groups, vetoed = _link_and_cluster(candidates, evidence_of, ids, threshold, guarded)
    cluster_index = {record_id: n for n, group in enumerate(groups) for record_id in group}
    if progress is not None:
        progress("cluster", 1, 1)
    stats = DedupeStats(
        records=len(ids),
        compared_pairs=len(candidates.patterns),
        pairs_per_pass=dict(candidates.per_pass),
        oversized_blocks=dict(candidates.skipped_blocks),
        vetoed_pairs=vetoed,
        em_iterations=model.iterations,
        household_pairs=comparison.households,
        household_guard=household_guard,
        sampled_records=len(set(first).union(second)),
    )
    return DuplicateResult(
        pairs=pairs, clusters=groups, model=model, stats=stats, cluster_index=cluster_index
    )
