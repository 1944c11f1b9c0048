"""The priority scorer: a strategy compiled against the host's plug-ins.

``scorer(interaction, now)`` is the router's priority hook: seconds of head start.
``scorer.explain(interaction)`` shows every factor's raw value, weight and
contribution; the contributions sum to the score.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model.channels import ChannelRegistry
from omnirouter.model.interaction import Interaction
from omnirouter.priority._factors import (
    DeadlineSource,
    Factor,
    Plugins,
    compile_factor,
    default_sla,
)
from omnirouter.priority.plugins import ContactHistory, PortfolioLookup, TextClassifier
from omnirouter.priority.strategy import Strategy

__all__ = ["Contribution", "Explanation", "PriorityScorer"]

#: What batch functions accept as one backlog item.
BacklogItem = Interaction | Mapping[str, Any]


@attrs.frozen(slots=True)
class Contribution:
    """One factor's share of a score: ``contribution = weight × raw``.

    Attributes:
        factor: The factor's name in the strategy (its ``name``, else its kind).
        kind: The factor's kind: ``reason``, ``tier``, ``repeat_contacts`` …
        raw: What the factor read from the interaction.
        weight: The factor's weight in the strategy.
        contribution: ``weight × raw``, in seconds of head start.
        detail: How the raw value was found, in words (e.g. "reason 'cancellation'
            (classified from the text)").
    """

    factor: str
    kind: str
    raw: float
    weight: float
    contribution: float
    detail: str = ""


@attrs.frozen(slots=True)
class Explanation:
    """Why an interaction got its score; ``sum(contributions) == score``."""

    interaction_id: str
    strategy: str
    now: float
    score: float
    contributions: tuple[Contribution, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One row per factor, ready for a table or a DataFrame."""
        return [attrs.asdict(item) for item in self.contributions]

    def to_dict(self) -> dict[str, Any]:
        """The whole explanation as JSON-ready data."""
        return {
            "interaction_id": self.interaction_id,
            "strategy": self.strategy,
            "now": self.now,
            "score": self.score,
            "contributions": self.rows(),
        }

    def __str__(self) -> str:
        lines = [f"{self.interaction_id}: {self.score:.1f} s head start ({self.strategy})"]
        for item in self.contributions:
            lines.append(
                f"  {item.factor:<20} {item.raw:>10.3f} × {item.weight:>8g} = "
                f"{item.contribution:>9.1f}  {item.detail}".rstrip()
            )
        return "\n".join(lines)


def _epoch(now: float | datetime, field: str = "now") -> float:
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValidationError("PriorityScorer", [ErrorDetail([field], "naive datetime")])
        return now.timestamp()
    return float(now)


class PriorityScorer:
    """Scores interactions by a :class:`Strategy`, explainably.

    The plug-ins are what some factors need: ``history`` (repeat contacts),
    ``sentiment`` and ``reasons`` (text classifiers; keyword lists by default),
    ``portfolio`` (advisor lookup), ``sla`` (deadlines; each channel's own service level
    by default) and ``channels``. ``clock`` (epoch seconds) is used when a call gives no
    ``now``; without it, an interaction is scored as of its ``created_at``.

    >>> import omnirouter as om
    >>> scorer = om.PriorityScorer({"name": "vip", "factors": [
    ...     {"kind": "tier", "values": {"gold": 1.0}, "weight": 300}]})
    >>> scorer(om.Interaction(id="i", channel="chat", attributes={"tier": "gold"}), 0.0)
    300.0
    """

    def __init__(
        self,
        strategy: Strategy | Mapping[str, Any],
        *,
        history: ContactHistory | None = None,
        sentiment: TextClassifier | None = None,
        reasons: TextClassifier | None = None,
        portfolio: PortfolioLookup | None = None,
        sla: DeadlineSource | None = None,
        channels: ChannelRegistry | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._strategy = (
            strategy if isinstance(strategy, Strategy) else Strategy.model_validate(strategy)
        )
        self._plugins = Plugins(
            channels=channels if channels is not None else ChannelRegistry(),
            sla=sla if sla is not None else default_sla(),
            history=history,
            sentiment=sentiment,
            reasons=reasons,
            portfolio=portfolio,
        )
        self._clock = clock
        missing = [
            ErrorDetail(
                ["factors", index, "kind"],
                "a repeat_contacts factor needs a contact history: "
                "PriorityScorer(strategy, history=...)",
            )
            for index, factor in enumerate(self._strategy.factors)
            if factor.kind == "repeat_contacts" and history is None
        ]
        if missing:
            raise ValidationError("Strategy", missing)
        self._factors: tuple[Factor, ...] = tuple(
            compile_factor(factor, self._plugins) for factor in self._strategy.factors
        )
        self._pairs = tuple((factor.weight, factor.raw) for factor in self._factors)

    @property
    def strategy(self) -> Strategy:
        """The strategy this scorer runs."""
        return self._strategy

    @property
    def channels(self) -> ChannelRegistry:
        """The channel registry used to validate backlog items and look up traits."""
        return self._plugins.channels

    def with_strategy(self, strategy: Strategy | Mapping[str, Any]) -> PriorityScorer:
        """A new scorer running ``strategy`` with the same plug-ins (swap it into a router)."""
        plugins = self._plugins
        return PriorityScorer(
            strategy,
            history=plugins.history,
            sentiment=plugins.sentiment,
            reasons=plugins.reasons,
            portfolio=plugins.portfolio,
            sla=plugins.sla,
            channels=plugins.channels,
            clock=self._clock,
        )

    # -- scoring ------------------------------------------------------------------------

    def __call__(self, interaction: Interaction, now: float) -> float:
        """The router's priority hook: seconds of head start at ``now`` (epoch seconds)."""
        total = 0.0
        for weight, raw in self._pairs:
            total += weight * raw(interaction, now)
        return total

    def _now(self, interaction: Interaction, now: float | datetime | None) -> float:
        if now is not None:
            return _epoch(now)
        if self._clock is not None:
            return float(self._clock())
        if interaction.created_at is not None:
            return interaction.created_at.timestamp()
        raise ValidationError(
            "PriorityScorer",
            [ErrorDetail(["now"], "give now=, a clock=, or an interaction with created_at")],
        )

    def score(self, interaction: Interaction, now: float | datetime | None = None) -> float:
        """The score (seconds of head start); ``now`` as epoch seconds or aware datetime."""
        return self(interaction, self._now(interaction, now))

    def explain(self, interaction: Interaction, now: float | datetime | None = None) -> Explanation:
        """Each factor's raw value, weight and contribution; they sum to the score."""
        at = self._now(interaction, now)
        total = 0.0
        parts = []
        for factor in self._factors:
            raw = factor.raw(interaction, at)
            contribution = factor.weight * raw
            total += contribution
            parts.append(
                Contribution(
                    factor=factor.name,
                    kind=factor.kind,
                    raw=raw,
                    weight=factor.weight,
                    contribution=contribution,
                    detail=factor.detail(interaction, at),
                )
            )
        return Explanation(
            interaction_id=interaction.id,
            strategy=self._strategy.name,
            now=at,
            score=total,
            contributions=tuple(parts),
        )

    # -- batches (notebooks) ------------------------------------------------------------

    def interactions(self, backlog: Iterable[BacklogItem]) -> list[Interaction]:
        """Backlog items (interactions or dicts) validated as interactions."""
        validated = []
        for index, item in enumerate(backlog):
            if isinstance(item, Interaction):
                validated.append(item)
                continue
            try:
                validated.append(self._plugins.channels.validate(Interaction, item))
            except ValidationError as error:
                details = [
                    ErrorDetail(["backlog", index, *d.path], d.message, d.type, d.input)
                    for d in error.errors
                ]
                raise ValidationError("backlog", details) from error
        return validated

    def rows(
        self, backlog: Iterable[BacklogItem], now: float | datetime | None = None
    ) -> list[dict[str, Any]]:
        """One row per interaction: id, channel, score, rank, then each factor's
        contribution (and ``<factor>.raw``), best first. Ready for ``pandas.DataFrame``.

        The rank follows the router's waiting order: ``arrival - score`` ascending.
        """
        items = self.interactions(backlog)
        at_list = [self._now(item, now) for item in items]
        explained = [self.explain(item, at) for item, at in zip(items, at_list, strict=True)]
        order = _service_order(items, explained)
        rows = []
        for rank, index in enumerate(order, start=1):
            item, explanation = items[index], explained[index]
            row: dict[str, Any] = {
                "id": item.id,
                "channel": item.channel,
                "customer_id": item.customer_id,
                "reason": item.reason,
                "score": explanation.score,
                "rank": rank,
            }
            for part in explanation.contributions:
                row[part.factor] = part.contribution
            for part in explanation.contributions:
                row[f"{part.factor}.raw"] = part.raw
            rows.append(row)
        return rows

    def to_frame(self, backlog: Iterable[BacklogItem], now: float | datetime | None = None) -> Any:
        """:meth:`rows` as a pandas DataFrame indexed by id (needs ``omnirouter[notebook]``)."""
        return require_pandas().DataFrame(self.rows(backlog, now)).set_index("id")


def _arrival(item: Interaction, explanation: Explanation) -> float:
    created = item.created_at
    return created.timestamp() if created is not None else explanation.now


def _service_order(items: Sequence[Interaction], explained: Sequence[Explanation]) -> list[int]:
    """Indexes in the order the router would serve them (ties by id)."""
    return sorted(
        range(len(items)),
        key=lambda i: (_arrival(items[i], explained[i]) - explained[i].score, items[i].id),
    )


def require_pandas() -> Any:
    """Import pandas, or explain which extra to install."""
    try:
        return importlib.import_module("pandas")
    except ImportError as error:  # pragma: no cover - the notebook extra is installed in dev
        raise ImportError("tables need pandas: pip install 'omnirouter[notebook]'") from error
