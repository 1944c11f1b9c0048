"""Small annotated types shared by the boundary models."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, JsonValue, ValidationInfo

from omnirouter.model._limits import free_form_validator
from omnirouter.model.channels import ChannelName, check_channel_name

__all__ = [
    "Attributes",
    "FreeText",
    "Identifier",
    "KnownChannel",
    "LanguageTag",
    "Proficiency",
    "SkillName",
    "TimeZoneName",
]


def _known_channel(name: str, info: ValidationInfo) -> str:
    return check_channel_name(name, info)


def _check_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like 'Europe/Berlin')"
        ) from None
    return name


#: A channel name that must be registered (built-ins, or the context's registry).
KnownChannel = Annotated[ChannelName, AfterValidator(_known_channel)]

#: A non-empty identifier without surrounding white space.
Identifier = Annotated[str, Field(min_length=1, max_length=256)]

#: A skill name such as ``billing`` or ``tech.router``.
SkillName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.\-]*$", max_length=64)]

#: How well an agent masters a skill: 1 (basic) to 5 (expert).
Proficiency = Annotated[int, Field(ge=1, le=5)]

#: A language tag such as ``de`` or ``de-AT`` (BCP 47 shape, case-insensitive).
LanguageTag = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]

#: An IANA time-zone name such as ``Europe/Berlin``.
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]

#: Free JSON attributes the host attaches (tier, order number, web page …); checked
#: against the field limits, and never holding a non-finite number.
Attributes = Annotated[dict[str, JsonValue], AfterValidator(free_form_validator)]

#: Free lines of text (a bot's transcript), checked against the field limits.
FreeText = Annotated[list[str], AfterValidator(free_form_validator)]
