"""Plans as text: the staffing and verified service levels per interval, and the cost."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from omnirouter.planning.plan import StaffingPlan

__all__ = ["plan_table"]


def _level(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0%}"


def plan_table(plan: StaffingPlan) -> str:
    """Agents per group and service level per channel, one line per interval.

    A ``!`` marks a channel whose target the verification did not meet.
    """
    channels = plan.channels
    head = ["interval", *plan.groups, *channels]
    lines = []
    for index, start in enumerate(plan.intervals):
        cells = [start.strftime("%H:%M"), *(str(count) for count in plan.agents[index])]
        for channel in channels:
            kpi = plan.kpi(index, channel)
            mark = "" if kpi.met else "!"
            cells.append(_level(kpi.service_level.mean) + mark)
        lines.append(cells)
    goals = ["goal", *([""] * len(plan.groups))]
    goals += [f"{plan.kpi(0, channel).goal:.0%}" for channel in channels]
    rows = [head, goals, *lines]
    widths = [max(len(row[column]) for row in rows) for column in range(len(head))]
    text = [
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    cost = plan.cost
    summary = f"agent-hours {cost.agent_hours:g}"
    if plan.shrinkage:
        summary += f", paid hours {cost.paid_hours:.1f} (shrinkage {plan.shrinkage:.0%})"
    if cost.money is not None:
        summary += f", cost {cost.money:,.2f}"
    if plan.baseline is not None and plan.saving is not None:
        base = plan.baseline.cost.agent_hours
        share = plan.saving / base if base else 0.0
        summary += (
            f"; per-channel Erlang plan {base:g} agent-hours, saving {plan.saving:g} ({share:.1%})"
        )
    unmet = plan.unmet
    text.append(summary)
    text.append(
        f"{len(unmet)} interval/channel target(s) missed in verification (marked !)"
        if unmet
        else "every target met in verification"
    )
    return "\n".join(text)
