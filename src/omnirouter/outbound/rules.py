"""``may_contact``: consent per channel, quiet hours, calendar and contact caps in one answer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from omnirouter.model import ChannelRegistry, ConsentRecord, ConsentStatus, Contact
from omnirouter.outbound._checks import bad_argument, require_aware, require_text
from omnirouter.outbound.decision import ContactDecision, Refusal, Rule
from omnirouter.outbound.policy import OutboundPolicy
from omnirouter.outbound.pressure import ContactCap, ContactLog, OutboundRecord, RecordLike
from omnirouter.outbound.reachability import unreachable_reason

__all__ = ["EVERYTHING", "may_contact"]

#: The consent purpose of a contact-wide opt-out: an opt-out recorded with this purpose
#: stops every purpose on every channel (its ``channel`` says where it was received).
#: Only a newer decision for a channel and purpose lifts it there; an opt-in with this
#: purpose grants nothing (opt-ins are given per channel).
EVERYTHING = "*"


def may_contact(
    contact: Contact,
    channel: str,
    purpose: str,
    at: datetime,
    *,
    history: ContactLog | Iterable[RecordLike] = (),
    policy: OutboundPolicy | None = None,
    channels: ChannelRegistry | None = None,
) -> ContactDecision:
    """May we contact ``contact`` on ``channel`` for ``purpose`` at ``at``, and if not, why?

    The rules, each reported with its evidence when it refuses:

    * reachability: the contact needs an identity for the channel (an e-mail address
      for e-mail, a phone number for SMS or voice …, see
      :mod:`omnirouter.outbound.reachability`);
    * consent, per channel: the newest decision for the channel and the purpose's
      consent purpose at ``at`` counts; an opt-out wins (also over an opt-in with the
      same timestamp); an opt-in past its ``expires_at`` no longer counts. Service
      purposes (callbacks, status, verification, alerts) need no opt-in, only the
      absence of an opt-out. An opt-out with purpose :data:`EVERYTHING` (``"*"``) is
      contact-wide: it counts as an opt-out on every channel for every purpose.
    * quiet hours on the contact's local clock, and the business calendar;
    * contact caps over rolling windows, counted from ``history`` (records with
      ``at - window < record.at <= at``).

    Refusals are answers, not exceptions; bad arguments (an unknown channel, a
    naive ``at``) raise typed :class:`omnirouter.OmnirouterError` subclasses.
    """
    if not isinstance(contact, Contact):
        raise bad_argument(
            "may_contact", "contact", f"expected a Contact, got {type(contact).__name__}"
        )
    registry = channels if channels is not None else ChannelRegistry()
    require_text(channel, "channel", "may_contact")
    registry.get(channel)
    require_text(purpose, "purpose", "may_contact")
    require_aware(at, "at", "may_contact")
    rules = policy if policy is not None else OutboundPolicy()
    if not isinstance(rules, OutboundPolicy):
        raise bad_argument("may_contact", "policy", f"expected an OutboundPolicy, got {rules!r}")
    rules.check_channels(registry)
    log = history if isinstance(history, ContactLog) else ContactLog(history)
    return decide(contact, channel, purpose, at, log, rules, registry)


def decide(
    contact: Contact,
    channel: str,
    purpose: str,
    at: datetime,
    log: ContactLog,
    policy: OutboundPolicy,
    channels: ChannelRegistry,
) -> ContactDecision:
    """:func:`may_contact` without the argument checks (for callers that made them)."""
    consent, refusals = _consent(contact, channel, purpose, at, policy)
    unreachable = unreachable_reason(contact, channel, channels, policy.reach_unknown)
    if unreachable is not None:
        refusals.insert(0, Refusal(Rule.UNREACHABLE, f"{unreachable}: cannot send {channel}"))
    quiet = policy.quiet_hours
    if quiet is not None and quiet.applies_to(channel, purpose):
        refusals += quiet.check(contact, at)
    for cap in policy.caps:
        refusal = _cap_refusal(cap, contact.id, channel, purpose, at, log, policy, channels)
        if refusal is not None:
            refusals.append(refusal)
    return ContactDecision(contact.id, channel, purpose, at, consent, tuple(refusals))


def _newest_decision(
    contact: Contact, channel: str, consent_purpose: str, at: datetime
) -> ConsentRecord | None:
    decided = [
        record
        for record in contact.consent
        if record.at <= at
        and (
            (record.channel == channel and record.purpose == consent_purpose)
            or (record.purpose == EVERYTHING and record.status is ConsentStatus.OPT_OUT)
        )
    ]
    if not decided:
        return None
    # Opt-out wins a tie: of records with the newest timestamp, an opt-out counts.
    return max(decided, key=lambda r: (r.at, r.status is ConsentStatus.OPT_OUT))


def _consent(
    contact: Contact, channel: str, purpose: str, at: datetime, policy: OutboundPolicy
) -> tuple[ConsentRecord | None, list[Refusal]]:
    wanted = policy.consent_purpose(purpose)
    record = _newest_decision(contact, channel, wanted, at)
    if record is not None and record.status is ConsentStatus.OPT_OUT:
        what = (
            f"everything (received on {record.channel})"
            if record.purpose == EVERYTHING
            else f"{wanted} on {channel}"
        )
        message = f"opted out of {what} at {record.at.isoformat()} via {record.source}"
        return record, [Refusal(Rule.OPTED_OUT, message, consent=record)]
    if not policy.needs_opt_in(purpose):
        return record, []
    if record is None:
        message = f"no {wanted} opt-in on {channel} (needed for {purpose})"
        return None, [Refusal(Rule.NO_CONSENT, message)]
    if record.expires_at is not None and record.expires_at <= at:
        message = (
            f"the {wanted} opt-in on {channel} of {record.at.isoformat()} via {record.source} "
            f"expired at {record.expires_at.isoformat()}"
        )
        return record, [Refusal(Rule.CONSENT_EXPIRED, message, consent=record)]
    return record, []


def _counts(
    cap: ContactCap,
    record: OutboundRecord,
    policy: OutboundPolicy,
    channels: ChannelRegistry,
) -> bool:
    return _channel_matches(cap, record.channel, channels) and _purpose_matches(
        cap, record.purpose, policy
    )


def _channel_matches(cap: ContactCap, channel: str, channels: ChannelRegistry) -> bool:
    if cap.channel is None or cap.channel == channel:
        return True
    return channel in channels and channels.family_of(channel) == cap.channel


def _purpose_matches(cap: ContactCap, purpose: str, policy: OutboundPolicy) -> bool:
    if cap.purposes is None:
        return True
    return purpose in cap.purposes or policy.consent_purpose(purpose) in cap.purposes


def _cap_refusal(
    cap: ContactCap,
    contact_id: str,
    channel: str,
    purpose: str,
    at: datetime,
    log: ContactLog,
    policy: OutboundPolicy,
    channels: ChannelRegistry,
) -> Refusal | None:
    if not (_channel_matches(cap, channel, channels) and _purpose_matches(cap, purpose, policy)):
        return None
    instant = at.astimezone(UTC)  # elapsed-time window, whatever zone ``at`` is in
    counted = [
        r
        for r in log.between(contact_id, instant - cap.window, instant)
        if _counts(cap, r, policy, channels)
    ]
    if len(counted) < cap.limit:
        return None
    # The window frees up once enough of the oldest counted contacts have left it.
    oldest_to_leave = counted[len(counted) - cap.limit]
    retry_at = (oldest_to_leave.at + cap.window).astimezone(UTC)
    last = counted[-1]
    message = (
        f"{cap.describe()}: {len(counted)} already, the last on {last.channel} at "
        f"{last.at.isoformat()}; next possible at {retry_at.isoformat()}"
    )
    return Refusal(Rule.CONTACT_CAP, message, cap=cap, retry_at=retry_at)
