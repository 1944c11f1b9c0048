"""SMS segments: GSM-7 versus UCS-2, and whether a message fits its channel.

A text made only of GSM 03.38 characters is sent in the 7-bit alphabet: 160
septets in a single SMS, 153 per part once it is split (the rest of each part
carries the concatenation header). Characters of the extension table (``€ [ ] { }
^ ~ | \\`` and form feed) take an escape septet and so count double. One character
outside both tables switches the whole message to UCS-2: 70 UTF-16 code units in a
single SMS, 67 per part; a character outside the Basic Multilingual Plane (most
emoji) takes two code units. Neither an escaped character nor a surrogate pair is
split across two parts, as real encoders do, so a part may hold one unit less.
"""

from __future__ import annotations

import enum
from collections.abc import Collection

import attrs

from omnirouter.model import ChannelRegistry
from omnirouter.outbound._checks import bad_argument

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "MessageCheck",
    "SmsEncoding",
    "SmsSegments",
    "check_message",
    "sms_segments",
]

#: The GSM 03.38 default alphabet (the escape code itself left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

#: The GSM 03.38 extension table: each of these costs two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM7_SINGLE, _GSM7_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67


class SmsEncoding(enum.StrEnum):
    """How an SMS text is encoded on the network."""

    GSM7 = "gsm7"
    UCS2 = "ucs2"


@attrs.frozen
class SmsSegments:
    """How many SMS parts a text needs, and why.

    ``units`` counts septets (GSM-7) or UTF-16 code units (UCS-2); ``per_segment``
    is the room of one part (160/70 for a single SMS, 153/67 once split);
    ``non_gsm`` lists the characters that forced UCS-2, in order of appearance.
    """

    encoding: SmsEncoding
    characters: int
    units: int
    segments: int
    per_segment: int
    non_gsm: tuple[str, ...] = ()

    def describe(self) -> str:
        """A one-line explanation, e.g. ``2 segments (UCS-2 because of '✓'; 71 units)``."""
        plural = "segment" if self.segments == 1 else "segments"
        why = ""
        if self.non_gsm:
            shown = ", ".join(repr(char) for char in self.non_gsm[:3])
            why = f" because of {shown}" + (" …" if len(self.non_gsm) > 3 else "")
        unit_name = "septets" if self.encoding is SmsEncoding.GSM7 else "UTF-16 units"
        label = "GSM-7" if self.encoding is SmsEncoding.GSM7 else "UCS-2"
        return f"{self.segments} {plural} ({label}{why}; {self.units} {unit_name})"


def _pack(units: list[int], single: int, part: int) -> int:
    if sum(units) <= single:
        return 1
    segments, used = 1, 0
    for size in units:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments


def sms_segments(text: str) -> SmsSegments:
    """Count the SMS parts ``text`` needs (an empty text is still one SMS).

    >>> sms_segments("a" * 160).segments, sms_segments("a" * 161).segments
    (1, 2)
    >>> sms_segments("Price: 5 €").units
    11
    >>> sms_segments("Grüße ✓").encoding
    <SmsEncoding.UCS2: 'ucs2'>
    """
    if not isinstance(text, str):
        raise bad_argument("sms_segments", "text", f"expected a string, got {type(text).__name__}")
    non_gsm = tuple(
        dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION)
    )
    if not non_gsm:
        septets = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        segments = _pack(septets, _GSM7_SINGLE, _GSM7_PART)
        return SmsSegments(
            encoding=SmsEncoding.GSM7,
            characters=len(text),
            units=sum(septets),
            segments=segments,
            per_segment=_GSM7_SINGLE if segments == 1 else _GSM7_PART,
        )
    code_units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    segments = _pack(code_units, _UCS2_SINGLE, _UCS2_PART)
    return SmsSegments(
        encoding=SmsEncoding.UCS2,
        characters=len(text),
        units=sum(code_units),
        segments=segments,
        per_segment=_UCS2_SINGLE if segments == 1 else _UCS2_PART,
        non_gsm=non_gsm,
    )


@attrs.frozen
class MessageCheck:
    """Whether a message fits its channel: ``fits``, and ``reason`` when it does not.

    For SMS channels ``segments`` tells the encoding and part count and ``limit`` is
    the segment cap; for other channels ``limit`` is the channel's ``max_length`` in
    characters (``None``: unlimited).
    """

    channel: str
    fits: bool
    length: int
    limit: int | None
    segments: SmsSegments | None = None
    reason: str = ""


def check_message(
    channel: str,
    text: str,
    *,
    channels: ChannelRegistry | None = None,
    max_sms_segments: int = 1,
    sms_channels: Collection[str] = ("sms",),
) -> MessageCheck:
    """Check ``text`` against the length limit of ``channel``.

    SMS channels (``sms_channels``) are judged by segments: at most
    ``max_sms_segments`` parts (1 by default: 160 GSM-7 or 70 UCS-2 characters).
    Every other channel is judged by its traits' ``max_length`` in characters.
    An unknown channel raises :class:`omnirouter.UnknownChannelError`.

    >>> check_message("sms", "Ihr Paket kommt heute zwischen 14 und 16 Uhr.").fits
    True
    """
    registry = channels if channels is not None else ChannelRegistry()
    traits = registry.get(channel)
    if not isinstance(text, str) or not text:
        raise bad_argument("check_message", "text", f"expected a non-empty string, got {text!r}")
    if isinstance(max_sms_segments, bool) or not isinstance(max_sms_segments, int):
        raise bad_argument("check_message", "max_sms_segments", "expected an integer")
    if max_sms_segments < 1:
        raise bad_argument(
            "check_message", "max_sms_segments", f"must be >= 1, got {max_sms_segments}"
        )
    if channel in sms_channels:
        counted = sms_segments(text)
        fits = counted.segments <= max_sms_segments
        reason = (
            "" if fits else f"message needs {counted.describe()}; the cap is {max_sms_segments}"
        )
        return MessageCheck(channel, fits, len(text), max_sms_segments, counted, reason)
    limit = traits.max_length
    fits = limit is None or len(text) <= limit
    reason = "" if fits else f"message has {len(text)} characters; {channel} allows {limit}"
    return MessageCheck(channel, fits, len(text), limit, None, reason)
