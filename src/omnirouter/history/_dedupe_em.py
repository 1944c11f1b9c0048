"""The Fellegi–Sunter model, with m and u probabilities estimated by EM (no labels needed).

EM runs over *distinct comparison patterns with their counts*, not over pairs: a
million candidate pairs typically show a few thousand patterns, so each iteration is
cheap however many records there are.

Three safeguards keep the weights sensible:

* **bounds** — no level of a true duplicate is rarer than 1 in 100 (m ≥ 0.01) and no
  level of two different people rarer than 1 in 2,000 (u ≥ 0.0005), so one field
  weighs between about −6.6 and +11 bits; the share of matches among the candidate
  pairs (the prior) stays within 0.0001…0.5;
* **order** — along a field's levels (exact … different) the weight never rises, an
  exact agreement never weighs less than 0 and ``different`` never more than 0;
* **prior weights** — on a file too small for EM (fewer than :data:`MIN_RECORDS_FOR_EM`
  records) or where EM's raw estimates contradict the evidence (agreeing on a name
  weighing less than disagreeing), the model falls back to fixed, documented m and u
  probabilities (:data:`PRIOR_PROBABILITIES`) and says so in ``source`` and ``reason``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs

from omnirouter.history._dedupe_compare import PatternCodec

__all__ = [
    "MIN_RECORDS_FOR_EM",
    "PRIOR_DUPLICATE_SHARE",
    "PRIOR_PROBABILITIES",
    "FellegiSunterModel",
    "estimate_model",
]

_SMOOTHING = 0.5
_M_FLOOR = 0.01
_U_FLOOR = 1e-6
_PRIOR_LOW, _PRIOR_HIGH = 1e-4, 0.5
# No single field weighs more than this many bits either way.
_MAX_WEIGHT = 20.0
# Levels outside the order of agreement: a changed family name is not a degree of
# spelling but a pattern of its own.
_UNORDERED = frozenset({"changed"})
# Levels beside the order of the others.
_BESIDE = frozenset({"same building"})
#: Fewer records than this cannot support EM: the model uses :data:`PRIOR_PROBABILITIES`.
MIN_RECORDS_FOR_EM = 1_000
# Fields whose exact agreement must speak for a match after EM, or EM found no person.
_IDENTIFYING = ("given_name", "family_name", "birth_date", "email")

#: The m and u probability of every field's levels when the data cannot support EM:
#: how often two records of one person (m) and two people picked at random (u) show
#: each level, as seen in German customer files.
PRIOR_PROBABILITIES: Mapping[str, Mapping[str, tuple[float, float]]] = {
    "given_name": {
        "exact": (0.80, 0.002),
        "exact, common name": (0.08, 0.02),
        "similar": (0.05, 0.002),
        "alike": (0.03, 0.01),
        "sounds alike": (0.015, 0.02),
        "different": (0.015, 0.846),
        "other sex": (0.01, 0.1),
    },
    "family_name": {
        "exact": (0.78, 0.0005),
        "exact, common name": (0.09, 0.005),
        "similar": (0.05, 0.001),
        "alike": (0.03, 0.005),
        "sounds alike": (0.02, 0.01),
        "different": (0.01, 0.9785),
        "changed": (0.02, 0.98),
    },
    "birth_date": {
        "exact": (0.90, 0.00005),
        "day/month swapped": (0.01, 0.00002),
        "one typo": (0.05, 0.0005),
        "different": (0.04, 0.99943),
    },
    "email": {
        "exact": (0.85, 0.000001),
        "one typo": (0.03, 0.000001),
        "same name, other provider": (0.02, 0.0001),
        "different": (0.10, 0.999898),
    },
    "phone": {
        "exact, mobile": (0.50, 0.000001),
        "exact": (0.30, 0.00001),
        "one typo": (0.05, 0.00001),
        "different": (0.14, 0.6),
        "different mobiles": (0.01, 0.399978),
    },
    "address": {
        "same": (0.75, 0.00001),
        "same building": (0.05, 0.00002),
        "same street": (0.03, 0.0005),
        "same town": (0.07, 0.05),
        "moved": (0.10, 0.94947),
    },
}
#: With :data:`PRIOR_PROBABILITIES`, one record in ten is taken to be a further record
#: of someone: the prior is 0.2 / (records - 1) per pair of records.
PRIOR_DUPLICATE_SHARE = 0.1


@attrs.frozen
class FellegiSunterModel:
    """Per field and level: m (P(level | same person)) and u (P(level | different people)).

    ``prior`` is the share of candidate pairs that are the same person. ``weights`` are
    the bounded, ordered log2(m/u) of every level: positive evidence for a match,
    negative against; a missing value is 0. ``source`` is ``"em"`` when m and u were
    estimated from the records, ``"prior weights"`` when the data could not support EM
    (``reason`` says why).
    """

    fields: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    prior: float
    iterations: int
    weights: tuple[tuple[float, ...], ...] = attrs.field()
    source: str = "em"
    reason: str = ""

    @weights.default
    def _weights_from_probabilities(self) -> tuple[tuple[float, ...], ...]:
        return tuple(
            bounded_weights(m_row, u_row, levels)
            for m_row, u_row, levels in zip(self.m, self.u, self.levels, strict=True)
        )

    def level_weight(self, field_index: int, level: int) -> float:
        """The weight of one field at one level; 0.0 for a missing value."""
        row = self.weights[field_index]
        return row[level] if level < len(row) else 0.0

    def weight(self, levels: Sequence[int]) -> float:
        """The match weight of a pattern: the sum of its field weights."""
        return sum(self.level_weight(index, level) for index, level in enumerate(levels))

    def probability(self, weight: float) -> float:
        """The posterior probability of a match given a pattern's weight."""
        return _probability(self.prior, weight)


def _probability(prior: float, weight: float) -> float:
    odds = math.log2(prior / (1.0 - prior)) + weight
    if odds > 60:
        return 1.0
    if odds < -60:
        return 0.0
    ratio = float(2.0**odds)
    return ratio / (1.0 + ratio)


def bounded_weights(
    m_row: Sequence[float], u_row: Sequence[float], levels: Sequence[str]
) -> tuple[float, ...]:
    """log2(m/u) per level, never rising along the levels, exact ≥ 0 ≥ different."""
    weights = [
        min(max(math.log2(m / u), -_MAX_WEIGHT), _MAX_WEIGHT)
        for m, u in zip(m_row, u_row, strict=True)
    ]
    if levels[1:2] == ("exact, common name",):
        # Two bands of one agreement: a rare name agreeing weighs at least a common one.
        weights[0] = max(weights[0], weights[1])
    weights[0] = max(weights[0], 0.0)
    previous = weights[0]
    for index in range(1, len(weights)):
        if levels[index] in _UNORDERED:
            continue
        if levels[index] in _BESIDE:
            # Outside the chain (another flat in the same building is not more or less
            # agreement than the same street): between the first and the last level.
            weights[index] = min(weights[index], weights[0])
            continue
        weights[index] = previous = min(weights[index], previous)
        if levels[index] in ("different", "moved"):
            weights[index] = previous = min(previous, 0.0)
    last = len(weights) - 1
    for index, level in enumerate(levels):
        if level in _BESIDE:
            weights[index] = max(weights[index], weights[last])
    return tuple(weights)


def _without_matches(counts: Sequence[float], m_row: Sequence[float], prior: float) -> list[float]:
    """Level counts of random pairs less the expected count of true pairs among them."""
    sampled = sum(counts)
    return [max(count - prior * sampled * m, 0.0) for count, m in zip(counts, m_row, strict=True)]


def _with_agreements(
    u_row: list[float], m_row: Sequence[float], prior: float, shares: Mapping[int, float]
) -> list[float]:
    """u with the exact agreements counted over all pairs (less the true pairs' share)."""
    if not shares:
        return u_row
    exact = {
        level: max((share - prior * m_row[level]) / (1.0 - prior), _U_FLOOR)
        for level, share in shares.items()
    }
    rest = 1.0 - sum(exact.values())
    others = sum(value for level, value in enumerate(u_row) if level not in exact)
    return [
        exact[level] if level in exact else value * rest / others
        for level, value in enumerate(u_row)
    ]


def _conditioned(levels: Sequence[str], u_row: list[float]) -> list[float]:
    """u of a changed family name: two people whose given name and birth date agree
    still differ in their family name as often as any two people do."""
    if "changed" in levels:
        u_row = list(u_row)
        u_row[levels.index("changed")] += u_row[levels.index("different")]
    return u_row


def _floored(counts: Sequence[float], floor: float) -> list[float]:
    total = sum(counts) + _SMOOTHING * len(counts)
    shares = [max((count + _SMOOTHING) / total, floor) for count in counts]
    scale = sum(shares)
    return [share / scale for share in shares]


def _initial_m(level_count: int) -> list[float]:
    # Matches mostly agree exactly, sometimes nearly, rarely not at all.
    shares = [0.85 * 0.25**level for level in range(level_count)]
    total = sum(shares)
    return [share / total for share in shares]


def _decoded(
    codec: PatternCodec, pattern_counts: Mapping[int, int]
) -> list[tuple[tuple[int, ...], int]]:
    return [(codec.decode(pattern), count) for pattern, count in pattern_counts.items()]


def prior_model(
    codec: PatternCodec,
    records: int,
    reason: str,
    agreement_shares: Mapping[str, Mapping[int, float]] | None = None,
) -> FellegiSunterModel:
    """The model with :data:`PRIOR_PROBABILITIES` and :data:`PRIOR_DUPLICATE_SHARE`.

    Where the file's own values agree more often than the table's u says (few distinct
    streets, postcodes or birth dates), the file's share is used: an agreement that is
    common in this file counts less.
    """
    comparators = codec.comparators
    shares = agreement_shares or {}
    m = tuple(
        tuple(PRIOR_PROBABILITIES[c.field][level][0] for level in c.levels) for c in comparators
    )
    u = tuple(
        tuple(
            max(PRIOR_PROBABILITIES[c.field][level][1], shares.get(c.field, {}).get(index, 0.0))
            for index, level in enumerate(c.levels)
        )
        for c in comparators
    )
    levels = tuple(c.levels for c in comparators)
    weights = tuple(
        bounded_weights(m_row, u_row, names)
        for m_row, u_row, names in zip(m, u, levels, strict=True)
    )
    prior = min(2.0 * PRIOR_DUPLICATE_SHARE / max(records - 1, 1), _PRIOR_HIGH)
    return FellegiSunterModel(
        fields=tuple(c.field for c in comparators),
        levels=levels,
        m=m,
        u=u,
        prior=prior,
        iterations=0,
        weights=weights,
        source="prior weights",
        reason=reason,
    )


def _contradiction(
    codec: PatternCodec, m: Sequence[Sequence[float]], u: Sequence[Sequence[float]]
) -> str | None:
    """Why EM's raw estimates cannot be trusted, or ``None``."""
    for comparator, m_row, u_row in zip(codec.comparators, m, u, strict=True):
        levels = comparator.levels
        raw = [math.log2(a / b) for a, b in zip(m_row, u_row, strict=True)]
        # The most common agreement: "exact", or the common-name band of a name field.
        agree = max(raw[0], raw[1]) if levels[1].startswith("exact") else raw[0]
        disagree = raw[levels.index("different")] if "different" in levels else raw[-1]
        field = comparator.field
        if agree < disagree:
            return f"{field}: agreeing weighed less than disagreeing"
        if field in _IDENTIFYING and agree < 1.0:
            return f"{field}: agreeing did not speak for one person"
    return None


def estimate_model(
    codec: PatternCodec,
    pattern_counts: Mapping[int, int],
    random_pair_counts: Mapping[int, int],
    *,
    records: int,
    agreement_shares: Mapping[str, Mapping[int, float]] | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> FellegiSunterModel:
    """Estimate m, u and the prior by EM over the candidate pairs' pattern counts.

    ``random_pair_counts`` (patterns of randomly drawn record pairs, nearly all
    non-matches) give the starting u probabilities and, after EM, the final ones;
    ``agreement_shares`` (field → level → share of all record pairs, counted from the
    values' frequencies) replace the sampled u of exact agreements, which a sample
    sees too rarely to measure. Falls back to :func:`prior_model`
    for fewer than :data:`MIN_RECORDS_FOR_EM` ``records`` or contradictory estimates.
    """
    if records < MIN_RECORDS_FOR_EM:
        reason = f"{records:,} records are too few for EM (it needs {MIN_RECORDS_FOR_EM:,})"
        return prior_model(codec, records, reason)
    comparators = codec.comparators
    level_counts = [len(c.levels) for c in comparators]
    level_names = [c.levels for c in comparators]
    decoded = _decoded(codec, pattern_counts)
    u_counts = [[0.0] * n for n in level_counts]
    for pattern, count in random_pair_counts.items():
        for field, level in enumerate(codec.decode(pattern)):
            if level < level_counts[field]:
                u_counts[field][level] += count
    u = [_floored(row, _U_FLOOR) for row in u_counts]
    m = [_initial_m(n) for n in level_counts]
    prior = 0.2
    iterations = 0
    total = float(sum(pattern_counts.values())) or 1.0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported after the loop
        weights = [
            bounded_weights(m_row, u_row, names)
            for m_row, u_row, names in zip(m, u, level_names, strict=True)
        ]
        m_acc = [[0.0] * n for n in level_counts]
        u_acc = [[0.0] * n for n in level_counts]
        match_total = 0.0
        for levels, count in decoded:
            weight = 0.0
            for field, level in enumerate(levels):
                if level < level_counts[field]:
                    weight += weights[field][level]
            share = _probability(prior, weight)
            matched, unmatched = count * share, count * (1.0 - share)
            match_total += matched
            for field, level in enumerate(levels):
                if level < level_counts[field]:
                    m_acc[field][level] += matched
                    u_acc[field][level] += unmatched
        new_m = [_floored(row, _M_FLOOR) for row in m_acc]
        new_u = [_floored(row, _U_FLOOR) for row in u_acc]
        new_prior = min(max(match_total / total, _PRIOR_LOW), _PRIOR_HIGH)
        change = abs(new_prior - prior)
        for old_rows, new_rows in ((m, new_m), (u, new_u)):
            for old_row, new_row in zip(old_rows, new_rows, strict=True):
                change = max(change, *(abs(a - b) for a, b in zip(old_row, new_row, strict=True)))
        m, u, prior = new_m, new_u, new_prior
        if change < tolerance:
            break
    fields = tuple(c.field for c in comparators)
    contradiction = _contradiction(codec, m, u)
    if contradiction is not None:
        reason = f"EM's estimates were implausible ({contradiction})"
        return prior_model(codec, records, reason, agreement_shares)
    # Within the candidate pairs, blocking made the non-matches agree more than people
    # at large do; the final u is that of random pairs, the prior that of all pairs.
    # A random sample holds a few true pairs too (many in a small file full of
    # duplicates); their expected share of each level is taken out of u.
    all_pairs = records * (records - 1) / 2
    prior = min(max(match_total / all_pairs, 1.0 / all_pairs), _PRIOR_HIGH)
    shares = agreement_shares or {}
    u = [
        _conditioned(
            c.levels,
            _with_agreements(
                _floored(_without_matches(row, m_row, prior), _U_FLOOR),
                m_row,
                prior,
                shares.get(c.field, {}),
            ),
        )
        for c, row, m_row in zip(comparators, u_counts, m, strict=True)
    ]
    return FellegiSunterModel(
        fields=fields,
        levels=tuple(c.levels for c in comparators),
        m=tuple(tuple(row) for row in m),
        u=tuple(tuple(row) for row in u),
        prior=prior,
        iterations=iterations,
    )
