"""Compiled factors: each turns an interaction into a raw value, fast.

A strategy's factor specs are compiled once per scorer into these small objects; the
hot path only reads interaction fields and precomputed tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import attrs

from omnirouter.model.channels import ChannelRegistry
from omnirouter.model.interaction import Interaction
from omnirouter.priority import strategy as spec
from omnirouter.priority.classifiers import KeywordClassifier
from omnirouter.priority.plugins import ContactHistory, PortfolioLookup, TextClassifier
from omnirouter.sla.targets import ServiceLevelPolicy

_DAY = 86_400.0


class DeadlineSource(Protocol):
    """Anything with the router's SLA hook signature (a ``ServiceLevelPolicy`` fits)."""

    def deadline(self, interaction: Interaction, traits: Any, submitted_at: float) -> float | None:
        """The epoch second by which ``interaction`` is due, or None."""
        ...


@attrs.frozen
class Plugins:
    """What the host supplied to the scorer; shared by every compiled factor."""

    channels: ChannelRegistry
    sla: DeadlineSource
    history: ContactHistory | None = None
    sentiment: TextClassifier | None = None
    reasons: TextClassifier | None = None
    portfolio: PortfolioLookup | None = None


class Factor(Protocol):
    """A compiled factor."""

    name: str
    kind: str
    weight: float

    def raw(self, interaction: Interaction, now: float) -> float:
        """The factor's raw value for ``interaction`` at ``now`` (epoch seconds)."""
        ...

    def detail(self, interaction: Interaction, now: float) -> str:
        """A short human reason for the raw value (for explanations only)."""
        ...


def _text(interaction: Interaction) -> str:
    subject, preview = interaction.subject, interaction.preview
    if subject and preview:
        return f"{subject}\n{preview}"
    return subject or preview or ""


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class _Base:
    __slots__ = ("kind", "name", "weight")

    def __init__(self, factor: spec._Factor) -> None:
        self.name = factor.factor_name
        self.kind = factor.kind
        self.weight = factor.weight

    def detail(self, interaction: Interaction, now: float) -> str:
        return ""


class _Reason(_Base):
    __slots__ = ("classifier", "default", "values")

    def __init__(self, factor: spec.ReasonFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.values = dict(factor.values)
        self.default = factor.default
        self.classifier = plugins.reasons
        if factor.keywords:
            self.classifier = KeywordClassifier({r: {"*": k} for r, k in factor.keywords.items()})

    def reason(self, interaction: Interaction) -> tuple[str | None, bool]:
        reason = interaction.reason
        if reason is None and self.classifier is not None:
            return self.classifier.classify(_text(interaction), interaction.language), True
        return reason, False

    def raw(self, interaction: Interaction, now: float) -> float:
        reason = interaction.reason
        if reason is None:
            if self.classifier is None:
                return self.default
            reason = self.classifier.classify(_text(interaction), interaction.language)
        return self.values.get(reason, self.default) if reason is not None else self.default

    def detail(self, interaction: Interaction, now: float) -> str:
        reason, classified = self.reason(interaction)
        if reason is None:
            return "no reason given or found"
        found = " (classified from the text)" if classified else ""
        known = "" if reason in self.values else ", not in the table: default"
        return f"reason {reason!r}{found}{known}"


class _Tier(_Base):
    __slots__ = ("attribute", "default", "values")

    def __init__(self, factor: spec.TierFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.attribute = factor.attribute
        self.values = dict(factor.values)
        self.default = factor.default

    def raw(self, interaction: Interaction, now: float) -> float:
        tier = interaction.attributes.get(self.attribute)
        if isinstance(tier, str):
            return self.values.get(tier, self.default)
        return self.default

    def detail(self, interaction: Interaction, now: float) -> str:
        return f"{self.attribute} = {interaction.attributes.get(self.attribute)!r}"


class _CustomerValue(_Base):
    __slots__ = ("attribute", "cap", "default")

    def __init__(self, factor: spec.CustomerValueFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.attribute = factor.attribute
        self.cap = factor.cap
        self.default = factor.default

    def raw(self, interaction: Interaction, now: float) -> float:
        value = _number(interaction.attributes.get(self.attribute))
        if value is None:
            return self.default
        return value if self.cap is None or value <= self.cap else self.cap

    def detail(self, interaction: Interaction, now: float) -> str:
        capped = f" (capped at {self.cap:g})" if self.cap is not None else ""
        return f"{self.attribute} = {interaction.attributes.get(self.attribute)!r}{capped}"


class _RepeatContacts(_Base):
    __slots__ = ("cap", "count_since", "history", "window")

    def __init__(self, factor: spec.RepeatContactsFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        assert plugins.history is not None  # the scorer checks before compiling
        self.history = plugins.history
        self.window = factor.window_days * _DAY
        self.cap = float(factor.cap)
        # A history that counts from epoch seconds spares a datetime round trip per score.
        self.count_since: Callable[[str, float], int] = (
            getattr(self.history, "count_recent_epoch", None) or self._count_from_datetime
        )

    def _count_from_datetime(self, customer_id: str, since: float) -> int:
        return self.history.count_recent(customer_id, datetime.fromtimestamp(since, tz=UTC))

    def raw(self, interaction: Interaction, now: float) -> float:
        customer_id = interaction.customer_id
        if customer_id is None:
            return 0.0
        count = float(self.count_since(customer_id, now - self.window))
        return count if count <= self.cap else self.cap

    def detail(self, interaction: Interaction, now: float) -> str:
        if interaction.customer_id is None:
            return "customer not identified"
        days = self.window / _DAY
        return f"interactions of {interaction.customer_id} in the last {days:g} days"


class _SlaDeadline(_Base):
    __slots__ = ("channels", "deadline_at", "horizon", "sla")

    def __init__(self, factor: spec.SlaDeadlineFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.sla = plugins.sla
        self.channels = plugins.channels
        self.horizon = factor.horizon_minutes * 60.0
        # The built-in policy's deadline only reads the channel: call its inner lookup.
        self.deadline_at = (
            plugins.sla.deadline_at if type(plugins.sla) is ServiceLevelPolicy else None
        )

    def deadline(self, interaction: Interaction, now: float) -> float | None:
        created = interaction.created_at
        submitted = created.timestamp() if created is not None else now
        channel = interaction.channel
        traits = self.channels.get(channel)
        if self.deadline_at is not None:
            return self.deadline_at(channel, submitted, traits)
        return self.sla.deadline(interaction, traits, submitted)

    def raw(self, interaction: Interaction, now: float) -> float:
        due = self.deadline(interaction, now)
        if due is None:
            return 0.0
        left = due - now
        if left <= 0.0:
            return 1.0
        if left >= self.horizon:
            return 0.0
        return 1.0 - left / self.horizon

    def detail(self, interaction: Interaction, now: float) -> str:
        due = self.deadline(interaction, now)
        if due is None:
            return "no service-level target"
        left = due - now
        when = datetime.fromtimestamp(due, tz=UTC).isoformat(timespec="seconds")
        state = f"{left:.0f} s left" if left > 0 else f"overdue by {-left:.0f} s"
        return f"due {when}, {state}"


class _WaitingTime(_Base):
    __slots__ = ("cap",)

    def __init__(self, factor: spec.WaitingTimeFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.cap = factor.cap_minutes * 60.0 if factor.cap_minutes is not None else None

    def raw(self, interaction: Interaction, now: float) -> float:
        created = interaction.created_at
        if created is None:
            return 0.0
        waited = now - created.timestamp()
        if waited <= 0.0:
            return 0.0
        return waited if self.cap is None or waited <= self.cap else self.cap

    def detail(self, interaction: Interaction, now: float) -> str:
        if interaction.created_at is None:
            return "no created_at"
        return f"seconds since {interaction.created_at.isoformat(timespec='seconds')}"


class _Channel(_Base):
    __slots__ = ("channels", "default", "table")

    def __init__(self, factor: spec.ChannelFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.default = factor.default
        self.channels = plugins.channels
        values: Mapping[str, float] = factor.values
        # Resolve families once for every channel known now; later ones on a miss.
        self.table = {
            traits.name: values.get(traits.name, values.get(traits.family or "", self.default))
            for traits in plugins.channels
        }
        self.table.update(values)

    def raw(self, interaction: Interaction, now: float) -> float:
        value = self.table.get(interaction.channel)
        if value is None:
            family = self.channels.family_of(interaction.channel)
            value = self.table.get(family, self.default)
        return value

    def detail(self, interaction: Interaction, now: float) -> str:
        return f"channel {interaction.channel!r}"


class _NegativeSentiment(_Base):
    __slots__ = ("classifier", "label")

    def __init__(self, factor: spec.NegativeSentimentFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.label = factor.label
        if factor.keywords is not None:
            self.classifier: TextClassifier = KeywordClassifier({factor.label: factor.keywords})
        elif plugins.sentiment is not None:
            self.classifier = plugins.sentiment
        else:
            self.classifier = KeywordClassifier.negative_sentiment(label=factor.label)

    def raw(self, interaction: Interaction, now: float) -> float:
        text = _text(interaction)
        if not text:
            return 0.0
        return 1.0 if self.classifier.classify(text, interaction.language) == self.label else 0.0

    def detail(self, interaction: Interaction, now: float) -> str:
        return f"text reads {self.label}" if self.raw(interaction, now) else "no flag"


class _Portfolio(_Base):
    __slots__ = ("lookup",)

    def __init__(self, factor: spec.PortfolioFactor, plugins: Plugins) -> None:
        super().__init__(factor)
        self.lookup = plugins.portfolio

    def advisor(self, interaction: Interaction) -> str | None:
        customer_id = interaction.customer_id
        if customer_id is not None and self.lookup is not None:
            advisor = self.lookup.advisor_of(customer_id)
            if advisor is not None:
                return advisor
        advisor_id = interaction.attributes.get("advisor_id")
        return advisor_id if isinstance(advisor_id, str) and advisor_id else None

    def raw(self, interaction: Interaction, now: float) -> float:
        return 0.0 if self.advisor(interaction) is None else 1.0

    def detail(self, interaction: Interaction, now: float) -> str:
        advisor = self.advisor(interaction)
        return "in no portfolio" if advisor is None else f"in the portfolio of {advisor}"


class _Manual(_Base):
    __slots__ = ()

    def raw(self, interaction: Interaction, now: float) -> float:
        manual = interaction.manual_priority
        return 0.0 if manual is None else float(manual.value)

    def detail(self, interaction: Interaction, now: float) -> str:
        manual = interaction.manual_priority
        if manual is None:
            return "no manual priority"
        who = manual.set_by or "unknown"
        when = manual.set_at.isoformat(timespec="seconds") if manual.set_at else "unknown time"
        why = f": {manual.reason}" if manual.reason else ""
        return f"set by {who} at {when}{why}"


_COMPILERS: dict[str, Any] = {
    "reason": _Reason,
    "tier": _Tier,
    "customer_value": _CustomerValue,
    "repeat_contacts": _RepeatContacts,
    "sla_deadline": _SlaDeadline,
    "waiting_time": _WaitingTime,
    "channel": _Channel,
    "negative_sentiment": _NegativeSentiment,
    "portfolio": _Portfolio,
    "manual": lambda factor, plugins: _Manual(factor),
}


def compile_factor(factor: spec._Factor, plugins: Plugins) -> Factor:
    """The fast form of one factor spec."""
    compiled: Factor = _COMPILERS[factor.kind](factor, plugins)
    return compiled


def default_sla() -> ServiceLevelPolicy:
    """Deadlines from each channel's own service level, in calendar time."""
    return ServiceLevelPolicy()
