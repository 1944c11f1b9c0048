"""Planning: how many agents of which skill group, in each interval, and at what cost.

:func:`plan_staffing` searches, with simulations of the production router, for the
cheapest staffing per interval and team that meets every channel's service level;
:func:`schedule_shifts` turns a plan into agents per shift template (a MILP solved by
SciPy's HiGHS, the ``omnirouter[planning]`` extra) and re-verifies the roster;
:func:`compare_plans` lays a what-if plan beside its base.
"""

from omnirouter.planning._forecast import load_forecast
from omnirouter.planning.plan import (
    IntervalKPI,
    PlanCost,
    PlanProgress,
    StaffingPlan,
    plan_staffing,
)
from omnirouter.planning.shifts import Roster, ShiftTemplate, load_shifts, schedule_shifts
from omnirouter.planning.whatif import PlanComparison, compare_plans

__all__ = [
    "IntervalKPI",
    "PlanComparison",
    "PlanCost",
    "PlanProgress",
    "Roster",
    "ShiftTemplate",
    "StaffingPlan",
    "compare_plans",
    "load_forecast",
    "load_shifts",
    "plan_staffing",
    "schedule_shifts",
]
