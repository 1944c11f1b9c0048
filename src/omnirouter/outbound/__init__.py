"""Outbound contact: consent per channel, quiet hours, contact pressure, campaigns.

Use it as ``om.outbound`` after ``import omnirouter as om``:

* :func:`may_contact` answers whether one outbound contact is allowed, and if not,
  which rule refused and on which consent record (reachability: a channel needs an
  identity for it; an opt-out with purpose :data:`EVERYTHING` stops every channel);
* :func:`plan_campaign` picks each contact's allowed channel by preference, within
  caps and channel length limits (SMS segments), with a reason for each skip;
* :func:`outbound_interaction` turns a planned contact or an allowed decision into
  an outbound :class:`omnirouter.Interaction` for the same router as inbound work.
"""

from omnirouter.errors import ContactNotAllowedError
from omnirouter.outbound.campaign import (
    CampaignPlan,
    PlannedContact,
    SkippedContact,
    plan_campaign,
)
from omnirouter.outbound.decision import ContactDecision, Refusal, Rule
from omnirouter.outbound.interactions import outbound_interaction
from omnirouter.outbound.policy import DEFAULT_CONSENT_PURPOSES, OutboundPolicy
from omnirouter.outbound.pressure import ContactCap, ContactLog, OutboundRecord
from omnirouter.outbound.quiet_hours import LocalWindow, QuietHours, SupportsIsOpen
from omnirouter.outbound.reachability import (
    KNOWN_REACH,
    UnknownReach,
    assume_reachable,
    unreachable_reason,
)
from omnirouter.outbound.rules import EVERYTHING, may_contact
from omnirouter.outbound.sms import (
    MessageCheck,
    SmsEncoding,
    SmsSegments,
    check_message,
    sms_segments,
)

__all__ = [
    "DEFAULT_CONSENT_PURPOSES",
    "EVERYTHING",
    "KNOWN_REACH",
    "CampaignPlan",
    "ContactCap",
    "ContactDecision",
    "ContactLog",
    "ContactNotAllowedError",
    "LocalWindow",
    "MessageCheck",
    "OutboundPolicy",
    "OutboundRecord",
    "PlannedContact",
    "QuietHours",
    "Refusal",
    "Rule",
    "SkippedContact",
    "SmsEncoding",
    "SmsSegments",
    "SupportsIsOpen",
    "UnknownReach",
    "assume_reachable",
    "check_message",
    "may_contact",
    "outbound_interaction",
    "plan_campaign",
    "sms_segments",
    "unreachable_reason",
]
