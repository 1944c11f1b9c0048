"""The outbound policy: which purposes need an opt-in, quiet hours, and contact caps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from omnirouter.model import ChannelRegistry
from omnirouter.outbound._checks import bad_argument
from omnirouter.outbound.pressure import ContactCap
from omnirouter.outbound.quiet_hours import QuietHours
from omnirouter.outbound.reachability import UnknownReach, assume_reachable

__all__ = ["DEFAULT_CONSENT_PURPOSES", "OutboundPolicy"]

#: Message purpose → the consent purpose it needs. Promotions and newsletters need a
#: marketing opt-in; callbacks, status messages, verification codes and alerts are
#: service messages. A purpose not listed is its own consent purpose.
DEFAULT_CONSENT_PURPOSES: Mapping[str, str] = MappingProxyType(
    {
        "promotion": "marketing",
        "newsletter": "marketing",
        "callback": "service",
        "status": "service",
        "delivery_status": "service",
        "verification": "service",
        "alert": "service",
    }
)


def _frozen_mapping(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _names(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise bad_argument("OutboundPolicy", "no_opt_in_needed", "give a collection, not a string")
    return frozenset(value)


def _caps(value: Iterable[ContactCap]) -> tuple[ContactCap, ...]:
    caps = tuple(value)
    for index, cap in enumerate(caps):
        if not isinstance(cap, ContactCap):
            raise bad_argument(
                "OutboundPolicy", f"caps.{index}", f"expected a ContactCap, got {cap!r}"
            )
    return caps


@attrs.frozen
class OutboundPolicy:
    """The rules :func:`may_contact` applies, all optional.

    ``consent_purposes`` maps a message purpose to the consent purpose it needs
    (default :data:`DEFAULT_CONSENT_PURPOSES`). Consent purposes in
    ``no_opt_in_needed`` (``service``) go out without an opt-in, but an opt-out
    recorded for them still stops them. ``quiet_hours`` and ``caps`` add the
    when and how-often rules. ``reach_unknown(contact, channel)`` decides whether a
    contact is reachable on a channel whose identity is not known to
    :mod:`omnirouter.outbound.reachability` (default: :func:`assume_reachable`).
    """

    consent_purposes: Mapping[str, str] = attrs.field(
        default=DEFAULT_CONSENT_PURPOSES, converter=_frozen_mapping
    )
    no_opt_in_needed: frozenset[str] = attrs.field(default=frozenset({"service"}), converter=_names)
    quiet_hours: QuietHours | None = None
    caps: tuple[ContactCap, ...] = attrs.field(default=(), converter=_caps)
    reach_unknown: UnknownReach = assume_reachable

    def __attrs_post_init__(self) -> None:
        if not callable(self.reach_unknown):
            raise bad_argument(
                "OutboundPolicy",
                "reach_unknown",
                f"expected a callable (contact, channel) -> bool, got {self.reach_unknown!r}",
            )
        if self.quiet_hours is not None and not isinstance(self.quiet_hours, QuietHours):
            raise bad_argument(
                "OutboundPolicy", "quiet_hours", f"expected QuietHours, got {self.quiet_hours!r}"
            )

    def consent_purpose(self, purpose: str) -> str:
        """The consent purpose a message ``purpose`` needs (``promotion`` → ``marketing``)."""
        return self.consent_purposes.get(purpose, purpose)

    def needs_opt_in(self, purpose: str) -> bool:
        """True when ``purpose`` may go out only after an opt-in."""
        return self.consent_purpose(purpose) not in self.no_opt_in_needed

    def check_channels(self, channels: ChannelRegistry) -> None:
        """Raise :class:`omnirouter.UnknownChannelError` for a channel the policy names
        that ``channels`` does not know."""
        for cap in self.caps:
            if cap.channel is not None:
                channels.get(cap.channel)
        if self.quiet_hours is not None and self.quiet_hours.channels is not None:
            for name in sorted(self.quiet_hours.channels):
                channels.get(name)
