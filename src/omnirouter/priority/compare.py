"""Compare two strategies on the same backlog: who moves up or down, rank correlation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from omnirouter.priority.scorer import BacklogItem, PriorityScorer, require_pandas
from omnirouter.priority.strategy import Strategy

__all__ = ["RankChange", "StrategyComparison", "compare_strategies", "spearman"]


@attrs.frozen(slots=True)
class RankChange:
    """One interaction under both strategies; ``moved > 0`` means served earlier by B."""

    id: str
    channel: str
    score_a: float
    score_b: float
    rank_a: int
    rank_b: int

    @property
    def moved(self) -> int:
        """Places gained under strategy B (negative: places lost)."""
        return self.rank_a - self.rank_b


@attrs.frozen(slots=True)
class StrategyComparison:
    """Strategy A against strategy B on one backlog, in A's order."""

    strategy_a: str
    strategy_b: str
    changes: tuple[RankChange, ...]
    spearman: float | None

    def moved_up(self) -> list[RankChange]:
        """Interactions B serves earlier than A, biggest move first."""
        return sorted((c for c in self.changes if c.moved > 0), key=lambda c: (-c.moved, c.id))

    def moved_down(self) -> list[RankChange]:
        """Interactions B serves later than A, biggest move first."""
        return sorted((c for c in self.changes if c.moved < 0), key=lambda c: (c.moved, c.id))

    def rows(self) -> list[dict[str, Any]]:
        """One row per interaction (in A's order), ready for a DataFrame."""
        return [{**attrs.asdict(change), "moved": change.moved} for change in self.changes]

    def to_frame(self) -> Any:
        """:meth:`rows` as a pandas DataFrame indexed by id (needs ``omnirouter[notebook]``)."""
        return require_pandas().DataFrame(self.rows()).set_index("id")


def spearman(first: list[int], second: list[int]) -> float | None:
    """Spearman's rank correlation of two rankings without ties (None below two items)."""
    n = len(first)
    if n != len(second):
        raise ValueError("rankings differ in length")
    if n < 2:
        return None
    squared = sum((a - b) ** 2 for a, b in zip(first, second, strict=True))
    return 1.0 - 6.0 * squared / (n * (n * n - 1))


def compare_strategies(
    a: PriorityScorer | Strategy | Mapping[str, Any],
    b: PriorityScorer | Strategy | Mapping[str, Any],
    backlog: Iterable[BacklogItem],
    now: float | datetime | None = None,
) -> StrategyComparison:
    """Rank ``backlog`` under both strategies (the router's waiting order) and compare.

    A strategy given as data is scored with ``a``'s plug-ins when ``a`` is a scorer.

    Args:
        a: The current strategy: a scorer (whose plug-ins both use), a strategy or its
            dict form.
        b: The strategy to try.
        backlog: The waiting work: interactions or dicts of their fields.
        now: When to score (epoch seconds or an aware datetime).

    Raises:
        ValidationError: A strategy or a backlog item is invalid; the error names it.

    Example:
        >>> import omnirouter as om
        >>> backlog = [
        ...     {"id": "mail-1", "channel": "email", "created_at": "2024-05-02T08:00:00Z"},
        ...     {"id": "post-1", "channel": "social_public",
        ...      "created_at": "2024-05-02T08:05:00Z"},
        ... ]
        >>> first_come = {"name": "first come", "factors": [{"kind": "manual", "weight": 60}]}
        >>> public_first = {"name": "public first", "factors": [
        ...     {"kind": "channel", "weight": 600, "values": {"social_public": 1}}]}
        >>> from datetime import datetime, UTC
        >>> now = datetime(2024, 5, 2, 8, 10, tzinfo=UTC)
        >>> comparison = om.compare_strategies(first_come, public_first, backlog, now)
        >>> [change.id for change in comparison.moved_up()]
        ['post-1']
    """
    scorer_a = a if isinstance(a, PriorityScorer) else PriorityScorer(a)
    scorer_b = b if isinstance(b, PriorityScorer) else scorer_a.with_strategy(b)
    items = scorer_a.interactions(backlog)
    rows_a = {row["id"]: row for row in scorer_a.rows(items, now)}
    rows_b = {row["id"]: row for row in scorer_b.rows(items, now)}
    changes = tuple(
        RankChange(
            id=key,
            channel=row["channel"],
            score_a=row["score"],
            score_b=rows_b[key]["score"],
            rank_a=row["rank"],
            rank_b=rows_b[key]["rank"],
        )
        for key, row in rows_a.items()
    )
    return StrategyComparison(
        strategy_a=scorer_a.strategy.name,
        strategy_b=scorer_b.strategy.name,
        changes=changes,
        spearman=spearman([c.rank_a for c in changes], [c.rank_b for c in changes]),
    )
