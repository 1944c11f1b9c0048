"""Plans for people: a DataFrame and two plots (needs the ``omnirouter[notebook]`` extra)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from omnirouter._optional import import_optional

if TYPE_CHECKING:
    from omnirouter.planning.plan import StaffingPlan

__all__ = ["dataframe", "service_level_chart", "staffing_heatmap"]


def dataframe(rows: Sequence[dict[str, Any]], index: str = "interval") -> Any:
    """A DataFrame of the rows, indexed by the ``index`` column."""
    pandas = import_optional("pandas")
    return pandas.DataFrame(list(rows)).set_index(index)


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    pyplot = import_optional("matplotlib.pyplot")
    _, made = pyplot.subplots(figsize=(10, 3.5))
    return made


def staffing_heatmap(plan: StaffingPlan, ax: Any = None) -> Any:
    """Agents by interval (columns) and group (rows), the count written in each cell."""
    ax = _axes(ax)
    grid = [[row[group] for row in plan.agents] for group in range(len(plan.groups))]
    image = ax.imshow(grid, aspect="auto", cmap="viridis")
    labels = [start.strftime("%H:%M") for start in plan.intervals]
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(plan.groups)), list(plan.groups))
    for group, counts in enumerate(grid):
        for index, count in enumerate(counts):
            ax.text(index, group, str(count), ha="center", va="center", color="white", fontsize=7)
    ax.set_title(f"{plan.name}: agents on duty by interval and group")
    ax.figure.colorbar(image, ax=ax, label="agents")
    return ax


def service_level_chart(plan: StaffingPlan, channel: str | None = None, ax: Any = None) -> Any:
    """Verified service level per interval with its 95 % band; the goal as a dashed line."""
    ax = _axes(ax)
    channels = plan.channels if channel is None else [channel]
    if channel is not None and channel not in plan.channels:
        raise KeyError(f"the plan judges no channel {channel!r}")
    positions = list(range(len(plan.intervals)))
    for name in channels:
        kpis = [plan.kpi(index, name) for index in positions]
        means = [kpi.service_level.mean for kpi in kpis]
        lows = [kpi.service_level.low for kpi in kpis]
        highs = [kpi.service_level.high for kpi in kpis]
        (line,) = ax.plot(positions, means, marker="o", label=name)
        ax.fill_between(
            positions,
            [low if not math.isnan(low) else mean for low, mean in zip(lows, means, strict=True)],
            [
                high if not math.isnan(high) else mean
                for high, mean in zip(highs, means, strict=True)
            ],
            color=line.get_color(),
            alpha=0.2,
        )
        ax.axhline(kpis[0].goal, color=line.get_color(), linestyle="--", linewidth=1)
        missed = [index for index, kpi in zip(positions, kpis, strict=True) if not kpi.met]
        ax.scatter(missed, [means[index] for index in missed], color="red", zorder=3)
    labels = [start.strftime("%H:%M") for start in plan.intervals]
    ax.set_xticks(positions, labels, rotation=90)
    ax.set_ylabel("service level")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{plan.name}: service level by interval (dashed: goal, red: missed)")
    ax.legend()
    return ax
