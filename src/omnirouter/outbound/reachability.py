"""Reachability: a channel is possible for a contact only with an identity for it.

E-mail needs an address in ``identities.emails``; SMS, voice, callbacks, fax and the
messenger family need a phone number; Facebook Messenger a ``facebook`` handle;
private social messages a handle (on the channel's own platform for a channel of the
``social_private`` family, e.g. a registered ``instagram`` channel); a letter a postal
address. Channels of whose addressing nothing is known here (chat, video, web forms,
reviews, the host's own channels) are decided by the policy's ``reach_unknown``
callable; the default, :func:`assume_reachable`, lets them through.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Final

from omnirouter.model import ChannelRegistry, Contact

__all__ = [
    "KNOWN_REACH",
    "UnknownReach",
    "assume_reachable",
    "unreachable_reason",
]

#: Decides reachability on a channel this module does not know: ``(contact, channel)``
#: → True when the contact can be reached there.
UnknownReach = Callable[[Contact, str], bool]

#: Channel (or family) → the identity it needs, for the channels known here.
KNOWN_REACH: Final = MappingProxyType(
    {
        "email": "emails",
        "sms": "phones",
        "voice": "phones",
        "callback": "phones",
        "fax": "phones",
        "rcs": "phones",
        "messenger": "phones",
        "facebook_messenger": "facebook handle",
        "social_private": "handles",
        "letter": "address",
    }
)


def assume_reachable(contact: Contact, channel: str) -> bool:
    """The default for channels without a known identity: reachable (the host knows its
    own channels; pass ``OutboundPolicy(reach_unknown=...)`` to decide them)."""
    return True


def _has_postal_address(contact: Contact) -> bool:
    address = contact.address
    if address is None or not address.city:
        return False
    return bool(address.street or address.postcode)


def _handle_on(contact: Contact, platform: str | None) -> bool:
    return any(
        platform is None or handle.platform.lower() == platform
        for handle in contact.identities.handles
    )


def unreachable_reason(
    contact: Contact, channel: str, channels: ChannelRegistry, reach_unknown: UnknownReach
) -> str | None:
    """Why ``contact`` cannot be reached on ``channel``, or None when they can.

    The channel's own entry in :data:`KNOWN_REACH` counts, else its family's, else
    ``reach_unknown(contact, channel)`` decides.
    """
    family = channels.family_of(channel)
    need = KNOWN_REACH.get(channel) or KNOWN_REACH.get(family)
    identities = contact.identities
    if need == "emails":
        return None if identities.emails else "no e-mail address (identities.emails is empty)"
    if need == "phones":
        return None if identities.phones else "no phone number (identities.phones is empty)"
    if need == "facebook handle":
        return None if _handle_on(contact, "facebook") else "no handle on facebook"
    if need == "handles":
        platform = None if channel == "social_private" else channel.lower()
        if _handle_on(contact, platform):
            return None
        return f"no handle on {platform}" if platform else "no social handle"
    if need == "address":
        if _has_postal_address(contact):
            return None
        return "no postal address (a city and a street or postcode)"
    if reach_unknown(contact, channel):
        return None
    return f"not reachable on {channel} (decided by the policy's reach_unknown)"
