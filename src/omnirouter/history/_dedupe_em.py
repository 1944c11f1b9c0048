"""The Fellegi–Sunter model, with m and u probabilities estimated by EM (no labels needed).

EM runs over *distinct comparison patterns with their counts*, not over pairs: a
million candidate pairs typically show a few thousand patterns, so each iteration is
cheap however many records there are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs

from omnirouter.history._dedupe_compare import PatternCodec

__all__ = ["FellegiSunterModel", "estimate_model"]

_SMOOTHING = 0.5


@attrs.frozen
class FellegiSunterModel:
    """Per field and level: m (P(level | same person)) and u (P(level | different people)).

    ``prior`` is the share of candidate pairs that are the same person. Weights are
    log2(m/u): positive evidence for a match, negative against; a missing value is 0.
    """

    fields: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    prior: float
    iterations: int

    def level_weight(self, field_index: int, level: int) -> float:
        """log2(m/u) of one field at one level; 0.0 for a missing value."""
        m_field = self.m[field_index]
        if level >= len(m_field):
            return 0.0
        return float(math.log2(m_field[level] / self.u[field_index][level]))

    def weight(self, levels: Sequence[int]) -> float:
        """The match weight of a pattern: the sum of its field weights."""
        return sum(self.level_weight(index, level) for index, level in enumerate(levels))

    def probability(self, weight: float) -> float:
        """The posterior probability of a match given a pattern's weight."""
        odds = math.log2(self.prior / (1.0 - self.prior)) + weight
        if odds > 60:
            return 1.0
        if odds < -60:
            return 0.0
        ratio = float(2.0**odds)
        return ratio / (1.0 + ratio)


def _normalised(counts: Sequence[float]) -> tuple[float, ...]:
    total = sum(counts) + _SMOOTHING * len(counts)
    return tuple((count + _SMOOTHING) / total for count in counts)


def _initial_m(level_count: int) -> tuple[float, ...]:
    # Matches mostly agree exactly, sometimes nearly, rarely not at all.
    shares = [0.85 * 0.25**level for level in range(level_count)]
    total = sum(shares)
    return tuple(share / total for share in shares)


def estimate_model(
    codec: PatternCodec,
    pattern_counts: Mapping[int, int],
    random_pair_counts: Mapping[int, int],
    *,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> FellegiSunterModel:
    """Estimate m, u and the prior by EM over the candidate pairs' pattern counts.

    ``random_pair_counts`` (patterns of randomly drawn record pairs, nearly all
    non-matches) give the starting u probabilities.
    """
    comparators = codec.comparators
    level_counts = [len(c.levels) for c in comparators]
    decoded = [(codec.decode(pattern), count) for pattern, count in pattern_counts.items()]
    u_counts = [[0.0] * n for n in level_counts]
    for pattern, count in random_pair_counts.items():
        for field, level in enumerate(codec.decode(pattern)):
            if level < level_counts[field]:
                u_counts[field][level] += count
    u = [list(_normalised(row)) for row in u_counts]
    m = [list(_initial_m(n)) for n in level_counts]
    prior = 0.2
    iterations = 0
    total = float(sum(pattern_counts.values())) or 1.0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported after the loop
        m_acc = [[0.0] * n for n in level_counts]
        u_acc = [[0.0] * n for n in level_counts]
        match_total = 0.0
        for levels, count in decoded:
            m_product, u_product = prior, 1.0 - prior
            for field, level in enumerate(levels):
                if level < level_counts[field]:
                    m_product *= m[field][level]
                    u_product *= u[field][level]
            share = m_product / (m_product + u_product)
            matched, unmatched = count * share, count * (1.0 - share)
            match_total += matched
            for field, level in enumerate(levels):
                if level < level_counts[field]:
                    m_acc[field][level] += matched
                    u_acc[field][level] += unmatched
        new_m = [list(_normalised(row)) for row in m_acc]
        new_u = [list(_normalised(row)) for row in u_acc]
        new_prior = min(max(match_total / total, 1e-6), 1.0 - 1e-6)
        change = abs(new_prior - prior)
        for old_rows, new_rows in ((m, new_m), (u, new_u)):
            for old_row, new_row in zip(old_rows, new_rows, strict=True):
                change = max(change, *(abs(a - b) for a, b in zip(old_row, new_row, strict=True)))
        m, u, prior = new_m, new_u, new_prior
        if change < tolerance:
            break
    return FellegiSunterModel(
        fields=tuple(c.field for c in comparators),
        levels=tuple(c.levels for c in comparators),
        m=tuple(tuple(row) for row in m),
        u=tuple(tuple(row) for row in u),
        prior=prior,
        iterations=iterations,
    )
