"""Campaigns: pick each contact's allowed channel by preference, or say why they are skipped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

import attrs

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model import ChannelRegistry, Contact
from omnirouter.outbound._checks import bad_argument, require_aware, require_text
from omnirouter.outbound.decision import ContactDecision, Refusal, Rule
from omnirouter.outbound.policy import OutboundPolicy
from omnirouter.outbound.pressure import ContactLog, OutboundRecord, RecordLike
from omnirouter.outbound.rules import decide
from omnirouter.outbound.sms import MessageCheck, SmsSegments, check_message

__all__ = ["CampaignPlan", "PlannedContact", "SkippedContact", "plan_campaign"]


@attrs.frozen
class PlannedContact:
    """One contact the campaign will reach: the channel, the message and the decision."""

    contact_id: str
    channel: str
    purpose: str
    at: datetime
    message: str
    decision: ContactDecision
    segments: SmsSegments | None = None
    campaign: str | None = None
    #: Channels tried before this one, each with the decision that refused it.
    passed_over: tuple[ContactDecision, ...] = ()

    def record(self) -> OutboundRecord:
        """The contact-log record to add once the message has gone out."""
        return OutboundRecord(self.contact_id, self.channel, self.at, self.purpose)


@attrs.frozen
class SkippedContact:
    """A contact the campaign leaves out, with one decision per channel tried."""

    contact_id: str
    reason: str
    attempts: tuple[ContactDecision, ...] = ()

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every refusing rule over all channels tried, in order, without repeats."""
        if not self.attempts:
            return (Rule.NO_CHANNEL,)
        return tuple(dict.fromkeys(rule for d in self.attempts for rule in d.rules))


@attrs.frozen
class CampaignPlan:
    """The outcome of :func:`plan_campaign`: who is reached on which channel, who is not."""

    name: str
    purpose: str
    at: datetime
    planned: tuple[PlannedContact, ...]
    skipped: tuple[SkippedContact, ...]

    def by_channel(self) -> dict[str, int]:
        """How many planned contacts each channel carries."""
        return dict(Counter(p.channel for p in self.planned))

    def skipped_by_rule(self) -> dict[str, int]:
        """How many skipped contacts each rule refused (a contact may count for several)."""
        return dict(Counter(rule.value for s in self.skipped for rule in s.rules))

    def records(self) -> list[OutboundRecord]:
        """The contact-log records of every planned contact (add them once sent)."""
        return [p.record() for p in self.planned]

    def summary(self) -> str:
        """One line: how many planned per channel and skipped per rule."""
        planned = ", ".join(f"{c} {n}" for c, n in sorted(self.by_channel().items())) or "none"
        skipped = ", ".join(f"{r} {n}" for r, n in sorted(self.skipped_by_rule().items()))
        return (
            f"{self.name}: {len(self.planned)} planned ({planned}); "
            f"{len(self.skipped)} skipped" + (f" ({skipped})" if skipped else "")
        )


def _checked_messages(
    messages: Mapping[str, str],
    registry: ChannelRegistry,
    max_sms_segments: int,
    sms_channels: Collection[str],
) -> dict[str, MessageCheck]:
    if not isinstance(messages, Mapping) or not messages:
        raise bad_argument("plan_campaign", "messages", "give a mapping channel → message text")
    checks: dict[str, MessageCheck] = {}
    for channel, text in messages.items():
        registry.get(channel)
        if not isinstance(text, str) or not text.strip():
            raise bad_argument(
                "plan_campaign", f"messages.{channel}", "expected a non-empty message", text
            )
        checks[channel] = check_message(
            channel,
            text,
            channels=registry,
            max_sms_segments=max_sms_segments,
            sms_channels=sms_channels,
        )
    return checks


def _checked_contacts(contacts: Iterable[Contact]) -> list[Contact]:
    checked = list(contacts)
    problems: list[ErrorDetail] = []
    first_seen: dict[str, int] = {}
    for index, contact in enumerate(checked):
        if not isinstance(contact, Contact):
            problems.append(ErrorDetail([index], f"expected a Contact, got {contact!r}"))
        elif contact.id in first_seen:
            problems.append(
                ErrorDetail(
                    [index],
                    f"contact {contact.id!r} is listed twice (first at {first_seen[contact.id]})",
                )
            )
        else:
            first_seen[contact.id] = index
    if problems:
        raise ValidationError("plan_campaign contacts", problems)
    return checked


def _candidates(contact: Contact, channels: list[str], preferred_only: bool) -> list[str]:
    preferred = [c for c in dict.fromkeys(contact.preferred_channels) if c in channels]
    if preferred_only:
        return preferred
    return preferred + [c for c in channels if c not in preferred]


def plan_campaign(
    contacts: Iterable[Contact],
    messages: Mapping[str, str],
    *,
    purpose: str,
    at: datetime,
    name: str = "campaign",
    policy: OutboundPolicy | None = None,
    history: ContactLog | Iterable[RecordLike] = (),
    channels: ChannelRegistry | None = None,
    max_sms_segments: int = 1,
    sms_channels: Collection[str] = ("sms",),
    preferred_only: bool = False,
) -> CampaignPlan:
    """Plan one message per contact: the first allowed channel in their preference order.

    ``messages`` maps each channel the campaign may use to its text, in the campaign's
    own order of channels. Each contact's ``preferred_channels`` come first; the
    campaign's other channels follow unless ``preferred_only``. A channel is used when
    :func:`may_contact` allows it (the contact has an identity for it, consent, …) and
    the message fits (SMS: at most
    ``max_sms_segments`` parts; other channels: ``max_length``). A contact with no
    usable channel is skipped with the reason of every channel tried.

    The plan changes nothing: add ``plan.records()`` to the contact log once sent.
    A contact listed twice, an unknown channel or a naive ``at`` raise typed errors.
    """
    registry = channels if channels is not None else ChannelRegistry()
    require_text(purpose, "purpose", "plan_campaign")
    require_aware(at, "at", "plan_campaign")
    rules = policy if policy is not None else OutboundPolicy()
    if not isinstance(rules, OutboundPolicy):
        raise bad_argument("plan_campaign", "policy", f"expected an OutboundPolicy, got {rules!r}")
    rules.check_channels(registry)
    checks = _checked_messages(messages, registry, max_sms_segments, sms_channels)
    people = _checked_contacts(contacts)
    log = history if isinstance(history, ContactLog) else ContactLog(history)
    campaign_channels = list(checks)
    planned: list[PlannedContact] = []
    skipped: list[SkippedContact] = []
    for contact in people:
        attempts: list[ContactDecision] = []
        for channel in _candidates(contact, campaign_channels, preferred_only):
            decision = decide(contact, channel, purpose, at, log, rules, registry)
            check = checks[channel]
            if not check.fits:
                too_long = Refusal(Rule.MESSAGE_TOO_LONG, check.reason)
                decision = attrs.evolve(decision, refusals=(*decision.refusals, too_long))
            if decision.allowed:
                planned.append(
                    PlannedContact(
                        contact.id,
                        channel,
                        purpose,
                        at,
                        messages[channel],
                        decision,
                        check.segments,
                        name,
                        tuple(attempts),
                    )
                )
                break
            attempts.append(decision)
        else:
            skipped.append(SkippedContact(contact.id, _skip_reason(attempts), tuple(attempts)))
    return CampaignPlan(name, purpose, at, tuple(planned), tuple(skipped))


def _skip_reason(attempts: list[ContactDecision]) -> str:
    if not attempts:
        return "none of the campaign's channels is among the contact's preferred channels"
    return "; ".join(f"{d.channel}: " + ", ".join(r.message for r in d.refusals) for d in attempts)
