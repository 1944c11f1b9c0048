"""Simulation results: per replication, and across replications with 95 % intervals.

A :class:`Report` turns into JSON (:meth:`Report.to_json`), a text table
(:func:`format_comparison`), and — with the optional ``omnirouter[notebook]`` extra
— pandas DataFrames and matplotlib plots.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from omnirouter._optional import import_optional
from omnirouter.errors import ErrorDetail, UnknownChannelError, ValidationError
from omnirouter.simulation.stats import Estimate, confidence_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ReplicationResult", "Report", "WaitingDistribution", "format_comparison"]

Figures = dict[str, float]


@attrs.frozen(slots=True)
class WaitingDistribution:
    """A channel's waiting times as a fixed-bin histogram (seconds)."""

    bin_width: float
    counts: tuple[int, ...]
    overflow: int

    @property
    def total(self) -> int:
        """Every counted wait, the overflow included."""
        return sum(self.counts) + self.overflow


@attrs.frozen(slots=True)
class ReplicationResult:
    """The KPIs of one replication: figures per channel, queue, team, agent and blending rule.

    ``intervals`` holds, per channel, ``(answered, answered within the threshold,
    abandoned)`` per reporting interval after the warm-up. ``blending`` holds, per
    blending rule of the scenario, its switches, agent moves, pauses and time on.
    """

    replication: int
    customers: int
    measured_seconds: float
    interval_seconds: float
    channels: Mapping[str, Figures]
    queues: Mapping[str, Figures]
    teams: Mapping[str, Figures]
    agents: Mapping[str, Figures]
    waiting: Mapping[str, WaitingDistribution]
    intervals: Mapping[str, tuple[tuple[int, int, int], ...]]
    blending: Mapping[str, Figures] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (NaN figures become ``None``)."""
        return {
            "replication": self.replication,
            "customers": self.customers,
            "measured_seconds": self.measured_seconds,
            "channels": _clean(self.channels),
            "queues": _clean(self.queues),
            "teams": _clean(self.teams),
            "agents": _clean(self.agents),
            "blending": _clean(self.blending),
        }


def _clean(groups: Mapping[str, Figures]) -> dict[str, dict[str, float | None]]:
    return {
        name: {key: (None if math.isnan(value) else value) for key, value in figures.items()}
        for name, figures in groups.items()
    }


#: Figures that are shares: their intervals are clipped to [0, 1]; every other figure
#: (counts, seconds) is clipped at 0 from below.
SHARES = frozenset(
    {
        "service_level",
        "p_wait",
        "abandonment_rate",
        "own_advisor_share",
        "sla_attainment",
        "occupancy",
        "utilisation",
        "active_share",
    }
)


def _range(key: str) -> tuple[float, float]:
    return (0.0, 1.0) if key in SHARES else (0.0, math.inf)


def _estimates(per_replication: Sequence[Mapping[str, Figures]]) -> dict[str, dict[str, Estimate]]:
    names: list[str] = []
    for groups in per_replication:
        names += [name for name in groups if name not in names]
    table: dict[str, dict[str, Estimate]] = {}
    for name in names:
        keys: list[str] = []
        for groups in per_replication:
            keys += [key for key in groups.get(name, {}) if key not in keys]
        table[name] = {
            key: confidence_interval(
                (groups[name][key] for groups in per_replication if name in groups),
                floor=_range(key)[0],
                ceiling=_range(key)[1],
            )
            for key in keys
        }
    return table


@attrs.frozen
class Report:
    """The results of every replication of one scenario, and their summaries."""

    scenario: str
    seed: int
    replications: tuple[ReplicationResult, ...]
    thresholds: Mapping[str, float] = attrs.field(factory=dict)

    @property
    def customers(self) -> int:
        """Customers simulated over all replications (warm-up included)."""
        return sum(result.customers for result in self.replications)

    def channels(self) -> dict[str, dict[str, Estimate]]:
        """Channel → KPI → mean across replications with its 95 % interval."""
        return _estimates([result.channels for result in self.replications])

    def queues(self) -> dict[str, dict[str, Estimate]]:
        """Queue → KPI → estimate (each customer counts in the queue it first entered)."""
        return _estimates([result.queues for result in self.replications])

    def teams(self) -> dict[str, dict[str, Estimate]]:
        """Team → occupancy, utilisation, handled, paused time … → estimate."""
        return _estimates([result.teams for result in self.replications])

    def agents(self) -> dict[str, dict[str, Estimate]]:
        """Agent → occupancy, utilisation, handled … → estimate."""
        return _estimates([result.agents for result in self.replications])

    def blending(self) -> dict[str, dict[str, Estimate]]:
        """Blending rule → switches, agent moves, paused work, share of time on → estimate."""
        return _estimates([result.blending for result in self.replications])

    def waiting_distribution(self, channel: str) -> WaitingDistribution:
        """The channel's waiting-time histogram, all replications pooled."""
        parts = [
            result.waiting[channel] for result in self.replications if channel in result.waiting
        ]
        if not parts:
            raise self._unknown_channel(channel, "waiting")
        counts = [sum(column) for column in zip(*(part.counts for part in parts), strict=True)]
        return WaitingDistribution(
            parts[0].bin_width, tuple(counts), sum(part.overflow for part in parts)
        )

    def _unknown_channel(self, channel: object, kind: str) -> UnknownChannelError:
        """A typed error (a ``KeyError`` too) listing the channels this report has."""
        known = sorted({name for result in self.replications for name in getattr(result, kind)})
        return UnknownChannelError(str(channel), known)

    def service_level_by_interval(self, channel: str) -> list[tuple[float, float]]:
        """``(hours after the warm-up, service level)`` per interval, replications pooled.

        An interval without answered or abandoned customers has a NaN service level.
        """
        rows = [
            result.intervals[channel] for result in self.replications if channel in result.intervals
        ]
        if not rows:
            raise self._unknown_channel(channel, "intervals")
        step = self.replications[0].interval_seconds / 3600.0
        levels = []
        for index, cells in enumerate(zip(*rows, strict=True)):
            answered = sum(cell[0] for cell in cells)
            within = sum(cell[1] for cell in cells)
            abandoned = sum(cell[2] for cell in cells)
            judged = answered + abandoned
            levels.append((index * step, within / judged if judged else math.nan))
        return levels

    def to_json(self) -> dict[str, Any]:
        """The summaries and every replication as plain JSON data."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": len(self.replications),
            "customers": self.customers,
            "channels": _estimates_json(self.channels()),
            "queues": _estimates_json(self.queues()),
            "teams": _estimates_json(self.teams()),
            "blending": _estimates_json(self.blending()),
            "per_replication": [result.to_json() for result in self.replications],
        }

    def to_dataframe(self, level: str = "channels") -> Any:
        """A ``pandas.DataFrame``: one row per (group, KPI) with mean, interval, replications.

        ``level`` is ``"channels"``, ``"queues"``, ``"teams"``, ``"agents"`` or
        ``"blending"`` (rules). Needs the ``omnirouter[notebook]`` extra (pandas).
        """
        tables = {
            "channels": self.channels,
            "queues": self.queues,
            "teams": self.teams,
            "agents": self.agents,
            "blending": self.blending,
        }
        if level not in tables:
            raise ValidationError(
                "Report.to_dataframe",
                [ErrorDetail(("level",), f"must be one of {', '.join(tables)}, not {level!r}")],
            )
        pandas = import_optional("pandas")
        rows = [
            {
                "scenario": self.scenario,
                ("rule" if level == "blending" else level.removesuffix("s")): name,
                "kpi": key,
                "mean": estimate.mean,
                "low": estimate.low,
                "high": estimate.high,
                "replications": estimate.replications,
            }
            for name, figures in tables[level]().items()
            for key, estimate in figures.items()
        ]
        return pandas.DataFrame(rows)

    def plot_waiting_times(self, channel: str, ax: Axes | None = None) -> Axes:
        """A bar chart of the channel's waiting-time distribution, threshold marked."""
        distribution = self.waiting_distribution(channel)
        plt = import_optional("matplotlib.pyplot")
        if ax is None:
            _, ax = plt.subplots()
        assert ax is not None
        total = max(1, distribution.total)
        width = distribution.bin_width
        edges = [index * width for index in range(len(distribution.counts))]
        ax.bar(edges, [count / total for count in distribution.counts], width=width, align="edge")
        threshold = self.thresholds.get(channel)
        if threshold is not None:
            ax.axvline(threshold, color="black", linestyle="--", label="service-level threshold")
            ax.legend()
        ax.set_xlabel("time to answer (s): the wait, or the reply time on asynchronous channels")
        ax.set_ylabel("share of answered customers")
        ax.set_title(f"{self.scenario}: time to answer on {channel}")
        return ax

    def plot_service_level(self, channel: str, ax: Axes | None = None) -> Axes:
        """The channel's service level per reporting interval."""
        levels = self.service_level_by_interval(channel)
        plt = import_optional("matplotlib.pyplot")
        if ax is None:
            _, ax = plt.subplots()
        assert ax is not None
        ax.step(
            [hour for hour, _ in levels],
            [level for _, level in levels],
            where="post",
            label=self.scenario,
        )
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("hours after warm-up")
        ax.set_ylabel("service level")
        ax.set_title(f"service level by interval: {channel}")
        ax.legend()
        return ax


def _estimates_json(table: Mapping[str, Mapping[str, Estimate]]) -> dict[str, Any]:
    return {
        name: {key: estimate.to_json() for key, estimate in figures.items()}
        for name, figures in table.items()
    }


#: KPI → (label, how to show it) for the text table.
_CHANNEL_ROWS: tuple[tuple[str, str, str], ...] = (
    ("offered", "offered", "count"),
    ("service_level", "service level", "percent"),
    ("asa", "avg speed of answer", "seconds"),
    ("answer_time_p90", "90th pct to answer", "seconds"),
    ("abandonment_rate", "abandoned", "percent"),
    ("response_time", "avg response time", "seconds"),
    ("sla_attainment", "SLA deadlines met", "percent"),
    ("own_advisor_share", "by own advisor", "percent"),
    ("backlog_mean", "avg backlog", "number"),
    ("callbacks", "callbacks", "count"),
    ("transfers", "transfers", "count"),
    ("interruptions", "paused by blending", "count"),
    ("paused_seconds", "paused time", "seconds"),
)
_QUEUE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("offered", "offered", "count"),
    ("service_level", "service level", "percent"),
    ("asa", "avg speed of answer", "seconds"),
    ("abandonment_rate", "abandoned", "percent"),
    ("response_time", "avg response time", "seconds"),
    ("sla_attainment", "SLA deadlines met", "percent"),
    ("own_advisor_share", "by own advisor", "percent"),
)
_TEAM_ROWS: tuple[tuple[str, str, str], ...] = (
    ("occupancy", "occupancy", "percent"),
    ("utilisation", "utilisation", "percent"),
    ("handled", "handled", "count"),
    ("break_seconds", "break time", "seconds"),
    ("paused_seconds", "paused work", "seconds"),
)
_RULE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("switches", "switches (on + off)", "count"),
    ("agent_moves", "agents moved", "count"),
    ("paused", "work paused", "count"),
    ("active_share", "time on", "percent"),
)
#: Rows shown only where some report has a non-zero figure (blending and callbacks are
#: not in every scenario).
_ONLY_WHEN_NON_ZERO = frozenset({"callbacks", "transfers", "interruptions", "paused_seconds"})


#: Time units for a row: (name, seconds per unit); a row takes the largest that fits.
_UNITS = (("h", 3600.0), ("min", 60.0), ("s", 1.0))


def _unit(estimates: Sequence[Estimate | None]) -> tuple[str, float]:
    """The one unit a row of times is shown in: by its largest mean."""
    means = [abs(e.mean) for e in estimates if e is not None and not math.isnan(e.mean)]
    largest = max(means, default=0.0)
    if largest >= 3600:
        return _UNITS[0]
    if largest >= 120:
        return _UNITS[1]
    return _UNITS[2]


def _duration(seconds: float) -> str:
    """A threshold in words: 20 s, 15 min, 1 h, 24 h, 2.5 h."""
    for name, size in _UNITS:
        if seconds >= size or name == "s":
            return f"{seconds / size:g} {name}"
    return f"{seconds:g} s"  # pragma: no cover - the loop always returns


def _show(estimate: Estimate | None, style: str, scale: float = 1.0) -> str:
    if estimate is None or math.isnan(estimate.mean):
        return "—"
    factor = 100.0 if style == "percent" else 1.0 / scale
    digits = (
        0 if style == "count" else 1 if style in ("percent", "number") else 2 if scale > 60 else 1
    )
    sign = "%" if style == "percent" else ""
    mean, half = estimate.mean * factor, estimate.half_width * factor
    text = f"{mean:,.{digits}f}{sign}"
    if math.isnan(half):
        return text
    low, high = estimate.low * factor, estimate.high * factor
    if math.isclose(low, mean - half) and math.isclose(high, mean + half):
        return f"{text} ± {half:,.{digits}f}"
    # Clipped at the figure's possible range (0 %, 100 %, 0 s): show both ends.
    return f"{text} ({low:,.{digits}f}–{high:,.{digits}f})"


def _threshold_note(name: str, label: str, reports: Sequence[Report]) -> str:
    """`` (within 20 s)``: the service-level threshold of a channel (or a queue's channel)."""
    channel = name.rpartition(" / ")[2] if label == "queue" else name
    values = []
    for report in reports:
        seconds = report.thresholds.get(channel)
        text = "?" if seconds is None else _duration(seconds)
        if text not in values:
            values.append(text)
    if values == ["?"]:
        return ""
    return f" (within {' | '.join(values)})"


def format_comparison(reports: Sequence[Report]) -> str:
    """A text table: KPIs per channel, queue, team and blending rule, one column per report.

    Every cell shows the mean across replications ± the half width of its 95 %
    confidence interval.
    """
    if not reports:
        return ""
    header = ["", "", *[report.scenario for report in reports]]
    rows: list[list[str]] = []
    sections = (
        ("channel", [report.channels() for report in reports], _CHANNEL_ROWS),
        ("queue", [report.queues() for report in reports], _QUEUE_ROWS),
        ("team", [report.teams() for report in reports], _TEAM_ROWS),
        ("blend rule", [report.blending() for report in reports], _RULE_ROWS),
    )
    for label, tables, kpis in sections:
        names: list[str] = []
        for table in tables:
            names += [name for name in table if name not in names]
        for name in names:
            first = True
            for key, title, style in kpis:
                estimates = [table.get(name, {}).get(key) for table in tables]
                if all(e is None or math.isnan(e.mean) for e in estimates):
                    continue
                if (
                    (key in _ONLY_WHEN_NON_ZERO or (key != "offered" and style == "count"))
                    and label != "blend rule"
                    and all(e is None or e.mean == 0 for e in estimates)
                ):
                    continue
                scale = 1.0
                shown = title
                if style == "seconds":
                    unit, scale = _unit(estimates)
                    shown = f"{title} ({unit})"
                elif key == "service_level":
                    shown = title + _threshold_note(name, label, reports)
                cells = [_show(estimate, style, scale) for estimate in estimates]
                rows.append([f"{label} {name}" if first else "", shown, *cells])
                first = False
        if names:
            rows.append([""] * len(header))
    while rows and not any(rows[-1]):
        rows.pop()
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    replications = ", ".join(f"{r.scenario}: {len(r.replications)}" for r in reports)
    lines.append("")
    lines.append(
        "mean ± half width of the 95 % confidence interval, or mean (low–high) where it is "
        f"clipped at 0 or 100 %; replications {replications}"
    )
    return "\n".join(line.rstrip() for line in lines)
