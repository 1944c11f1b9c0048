"""What-if: a variant plan (more chat, other targets, another policy) beside its base.

:func:`compare_plans` lines up two plans of the same groups: agent-hours per group,
cost, the day's service level per channel, and the targets missed in verification,
with the change from base to variant.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.planning.plan import StaffingPlan

__all__ = ["PlanComparison", "compare_plans"]


@attrs.frozen
class PlanComparison:
    """Rows of ``(item, base, variant, change)``; ``str()`` gives the text table."""

    base: StaffingPlan
    variant: StaffingPlan
    rows: tuple[tuple[str, float, float, float], ...]

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame`` indexed by item (needs ``omnirouter[notebook]``)."""
        from omnirouter.planning._plots import dataframe

        return dataframe(
            [
                {"item": item, "base": base, "variant": variant, "change": change}
                for item, base, variant, change in self.rows
            ],
            "item",
        )

    def __str__(self) -> str:
        names = (self.base.name, self.variant.name)
        if names[0] == names[1]:
            names = ("base", "variant")
        head = ("", *names, "change")
        cells = [head] + [
            (item, _show(item, base), _show(item, variant), _show(item, change, signed=True))
            for item, base, variant, change in self.rows
        ]
        widths = [max(len(row[column]) for row in cells) for column in range(4)]
        return "\n".join(
            "  ".join(
                cell.ljust(width) if column == 0 else cell.rjust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
            for row in cells
        )


def _show(item: str, value: float, *, signed: bool = False) -> str:
    if math.isnan(value):
        return "-"
    if item.startswith("service level"):
        return f"{value * 100:+.1f} pt" if signed else f"{value:.1%}"
    return f"{value:+,.1f}" if signed else f"{value:,.1f}"


def compare_plans(base: StaffingPlan, variant: StaffingPlan) -> PlanComparison:
    """The what-if table: each group's agent-hours, cost, service levels, targets missed."""
    if base.groups != variant.groups:
        raise ValidationError(
            "compare_plans",
            [ErrorDetail(("variant", "groups"), "the plans must staff the same groups")],
        )
    rows: list[tuple[str, float, float, float]] = []

    def add(item: str, before: float, after: float) -> None:
        rows.append((item, before, after, after - before))

    for group in base.groups:
        add(f"agent-hours {group}", base.agent_hours(group), variant.agent_hours(group))
    add("agent-hours", base.cost.agent_hours, variant.cost.agent_hours)
    add("paid hours", base.cost.paid_hours, variant.cost.paid_hours)
    if base.cost.money is not None and variant.cost.money is not None:
        add("cost", base.cost.money, variant.cost.money)
    for channel in dict.fromkeys([*base.channels, *variant.channels]):
        add(
            f"service level {channel}",
            base.service_level(channel) if channel in base.channels else math.nan,
            variant.service_level(channel) if channel in variant.channels else math.nan,
        )
    add("targets missed", float(len(base.unmet)), float(len(variant.unmet)))
    return PlanComparison(base, variant, tuple(rows))
