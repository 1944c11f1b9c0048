"""Agents: skills with proficiency (optionally per channel), languages, capacity, portfolio."""

from __future__ import annotations

from typing import Any

import pydantic
from pydantic import Field

from omnirouter.model._base import BoundaryModel
from omnirouter.model._types import (
    Attributes,
    Identifier,
    KnownChannel,
    LanguageTag,
    Proficiency,
    SkillName,
)

__all__ = ["Agent", "CapacityProfile"]


#: The largest cap, total, budget or unit a capacity profile takes.
_MAX_CAPACITY = 1_000_000


def _at_most(value: dict[str, int], what: str) -> None:
    bad = sorted(name for name, number in value.items() if number > _MAX_CAPACITY)
    if bad:
        raise ValueError(f"{what} must be <= {_MAX_CAPACITY:,} (channels {', '.join(bad)})")


class CapacityProfile(BoundaryModel):
    """How much work of which kind an agent may hold at once.

    ``per_channel`` caps each channel (``{"voice": 1, "chat": 4, "email": 5}``); a
    channel family such as ``messenger`` caps all its members together. A channel
    missing from a non-empty ``per_channel`` may not be delivered at all. An empty
    profile means one interaction at a time, on any channel.

    The optional shared budget (``budget`` with ``units`` per channel, e.g. a budget
    of 100 with voice = 100 and chat = 25) limits the mix; ``exclusive`` channels
    block every other delivery while one of them is active (on a call: nothing else).

    Every cap, the total, the budget and the units are at most 1,000,000.
    """

    per_channel: dict[KnownChannel, int] = Field(default_factory=dict)
    total: int | None = Field(
        default=None, ge=1, le=_MAX_CAPACITY, description="Cap across all channels."
    )
    budget: int | None = Field(default=None, ge=1, le=_MAX_CAPACITY)
    units: dict[KnownChannel, int] = Field(default_factory=dict)
    exclusive: list[KnownChannel] = Field(default_factory=list)

    @pydantic.field_validator("per_channel")
    @classmethod
    def _non_negative(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(name for name, cap in value.items() if cap < 0)
        if bad:
            raise ValueError(f"capacity must be >= 0 (channels {', '.join(bad)})")
        _at_most(value, "capacity")
        return value

    @pydantic.field_validator("units")
    @classmethod
    def _positive_units(cls, value: dict[str, int]) -> dict[str, int]:
        bad = sorted(name for name, units in value.items() if units <= 0)
        if bad:
            raise ValueError(f"units must be > 0 (channels {', '.join(bad)})")
        _at_most(value, "units")
        return value

    @pydantic.model_validator(mode="after")
    def _units_need_budget(self) -> CapacityProfile:
        if self.budget is not None:
            if not self.units:
                raise ValueError("a budget needs units per channel")
        elif self.units:
            raise ValueError("units given without a budget")
        return self


class Agent(BoundaryModel):
    """A person (or bot) who handles work.

    ``skills`` maps a skill to a proficiency from 1 to 5; ``channel_skills`` overrides
    it per channel (a good talker is not always a good writer). ``capacity``
    accepts the dict shorthand ``{"voice": 1, "email": 5}``. ``portfolio`` lists the
    customer ids this agent is personal advisor of; ``backup_advisor_id`` stands in
    while the agent is away.

    >>> Agent(id="anna", skills={"billing": 4}, capacity={"voice": 1}).capacity.per_channel
    {'voice': 1}
    """

    id: Identifier
    name: str = ""
    team: str | None = None
    skills: dict[SkillName, Proficiency] = Field(default_factory=dict)
    channel_skills: dict[KnownChannel, dict[SkillName, Proficiency]] = Field(default_factory=dict)
    languages: list[LanguageTag] = Field(default_factory=list)
    channels: list[KnownChannel] | None = Field(
        default=None, description="Channels allowed; None allows every channel with capacity."
    )
    capacity: CapacityProfile = Field(default_factory=CapacityProfile)
    portfolio: list[Identifier] = Field(default_factory=list)
    backup_advisor_id: Identifier | None = None
    attributes: Attributes = Field(default_factory=dict)

    @pydantic.field_validator("capacity", mode="before")
    @classmethod
    def _capacity_shorthand(cls, value: Any) -> Any:
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(cap, int) and not isinstance(cap, bool) for cap in value.values())
        ):
            return {"per_channel": value}
        return value

    @pydantic.field_validator("languages")
    @classmethod
    def _lower_languages(cls, value: list[str]) -> list[str]:
        return [tag.lower() for tag in value]

    @pydantic.model_validator(mode="after")
    def _not_own_backup(self) -> Agent:
        if self.backup_advisor_id == self.id:
            raise ValueError("an agent cannot be their own backup advisor")
        return self

    def skill_level(self, skill: str, channel: str | None = None, family: str | None = None) -> int:
        """Proficiency in ``skill`` on ``channel`` (0 when the agent lacks it).

        A per-channel override wins over one for the channel's ``family``, which wins
        over the general skill.
        """
        for key in (channel, family):
            if key is not None:
                override = self.channel_skills.get(key)
                if override is not None and skill in override:
                    return override[skill]
        return self.skills.get(skill, 0)
