"""Service levels: business calendars, per-channel targets and deadlines, and figures.

``BusinessCalendar`` counts business time across opening hours, holidays (dateutil
rules) and time zones; ``ServiceLevelPolicy`` is the router's SLA hook; the
``ServiceLevelTracker`` turns event streams into service-level figures.
"""

from omnirouter.sla.calendar import WEEKDAYS, BusinessCalendar, CalendarException, Holiday
from omnirouter.sla.figures import (
    AbandonConvention,
    EventLike,
    ServiceLevelFigure,
    ServiceLevelTracker,
    service_level_figures,
)
from omnirouter.sla.holidays import GERMAN_STATES, german_holidays
from omnirouter.sla.targets import (
    SEED_TARGETS,
    SURVEY_TARGETS,
    ServiceLevelPolicy,
    ServiceLevelTarget,
    TimeBasis,
)

__all__ = [
    "GERMAN_STATES",
    "SEED_TARGETS",
    "SURVEY_TARGETS",
    "WEEKDAYS",
    "AbandonConvention",
    "BusinessCalendar",
    "CalendarException",
    "EventLike",
    "Holiday",
    "ServiceLevelFigure",
    "ServiceLevelPolicy",
    "ServiceLevelTarget",
    "ServiceLevelTracker",
    "TimeBasis",
    "german_holidays",
    "service_level_figures",
]
