"""A priority strategy is data: named, weighted factors in a dict, JSON or TOML document.

Every factor turns an interaction into a *raw value*; the strategy's score is the sum
of ``weight × raw`` over its factors, in **seconds of head start** (virtual waiting
time, as in the router's waiting order). An organisation changes its strategy by
editing the document, not the code.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pydantic
from pydantic import Field

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model._base import BoundaryModel
from omnirouter.model.channels import ChannelName
from omnirouter.priority._toml import dumps_toml

__all__ = [
    "FACTOR_KINDS",
    "ChannelFactor",
    "CustomerValueFactor",
    "FactorSpec",
    "ManualFactor",
    "NegativeSentimentFactor",
    "PortfolioFactor",
    "ReasonFactor",
    "RepeatContactsFactor",
    "SlaDeadlineFactor",
    "Strategy",
    "TierFactor",
    "WaitingTimeFactor",
]

FactorName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
Weight = Annotated[float, Field(allow_inf_nan=False)]
Value = Annotated[float, Field(allow_inf_nan=False)]


class _Factor(BoundaryModel):
    """Fields every factor has: its kind, a name (default: the kind) and its weight."""

    model_config = pydantic.ConfigDict(frozen=True)

    #: Whether the weight may be negative; factors whose raw value means "more urgent"
    #: (waiting, frustration, deadlines) forbid it, lookup tables allow it.
    allows_negative_weight: ClassVar[bool] = False

    kind: str
    name: FactorName | None = None
    weight: Weight
    description: str = Field(default="", max_length=1000)

    @pydantic.field_validator("weight")
    @classmethod
    def _sign(cls, value: float) -> float:
        if value < 0 and not cls.allows_negative_weight:
            raise ValueError(
                f"weight must be >= 0 for a {cls.model_fields['kind'].default} factor "
                "(its raw value means more urgent)"
            )
        return value

    @property
    def factor_name(self) -> str:
        """The factor's name in explanations: ``name``, else the kind."""
        return self.name or self.kind


class ReasonFactor(_Factor):
    """The reason/intent of contact, looked up in ``values`` (raw = the table value).

    When the channel gave no reason, ``keywords`` (``{reason: [keywords]}``) or the
    scorer's reason classifier find one in the subject and text.
    """

    allows_negative_weight: ClassVar[bool] = True
    kind: Literal["reason"] = "reason"
    values: dict[str, Value] = Field(default_factory=dict)
    default: Value = 0.0
    keywords: dict[str, list[str]] = Field(default_factory=dict)


class TierFactor(_Factor):
    """The customer's tier (``attributes[attribute]``, e.g. gold) looked up in ``values``."""

    allows_negative_weight: ClassVar[bool] = True
    kind: Literal["tier"] = "tier"
    attribute: str = Field(default="tier", min_length=1)
    values: dict[str, Value] = Field(default_factory=dict)
    default: Value = 0.0


class CustomerValueFactor(_Factor):
    """A numeric customer value (``attributes[attribute]``), capped at ``cap``."""

    allows_negative_weight: ClassVar[bool] = True
    kind: Literal["customer_value"] = "customer_value"
    attribute: str = Field(default="customer_value", min_length=1)
    cap: Value | None = None
    default: Value = 0.0


class RepeatContactsFactor(_Factor):
    """The number of the customer's interactions in the last ``window_days``, any channel.

    Needs a contact history (``PriorityScorer(history=...)``). Raw = the count, capped.
    """

    kind: Literal["repeat_contacts"] = "repeat_contacts"
    window_days: float = Field(default=7.0, gt=0, allow_inf_nan=False)
    cap: int = Field(default=5, ge=1)


class SlaDeadlineFactor(_Factor):
    """Urgency from the time left to the SLA deadline: 0 when further than ``horizon``
    away, rising linearly to 1 at the deadline (and after it)."""

    kind: Literal["sla_deadline"] = "sla_deadline"
    horizon_minutes: float = Field(default=60.0, gt=0, allow_inf_nan=False)


class WaitingTimeFactor(_Factor):
    """Seconds waited since ``created_at`` (capped at ``cap_minutes`` when given)."""

    kind: Literal["waiting_time"] = "waiting_time"
    cap_minutes: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class ChannelFactor(_Factor):
    """A base priority per channel (a family entry covers its members)."""

    allows_negative_weight: ClassVar[bool] = True
    kind: Literal["channel"] = "channel"
    values: dict[ChannelName, Value] = Field(default_factory=dict)
    default: Value = 0.0


class NegativeSentimentFactor(_Factor):
    """1 when the text reads negative (keyword lists per language, or your classifier)."""

    kind: Literal["negative_sentiment"] = "negative_sentiment"
    keywords: dict[str, list[str]] | None = Field(
        default=None, description="Per language; None uses the built-in lists."
    )
    label: str = Field(default="negative", min_length=1, description="The label that flags.")


class PortfolioFactor(_Factor):
    """1 when the customer is in an advisor's portfolio."""

    kind: Literal["portfolio"] = "portfolio"


class ManualFactor(_Factor):
    """The manual priority an advisor set (raw = its value; the audit is in the detail)."""

    kind: Literal["manual"] = "manual"


#: Any factor; ``kind`` says which.
FactorSpec = Annotated[
    ReasonFactor
    | TierFactor
    | CustomerValueFactor
    | RepeatContactsFactor
    | SlaDeadlineFactor
    | WaitingTimeFactor
    | ChannelFactor
    | NegativeSentimentFactor
    | PortfolioFactor
    | ManualFactor,
    Field(discriminator="kind"),
]

#: Every factor kind a strategy may use.
FACTOR_KINDS = (
    "reason",
    "tier",
    "customer_value",
    "repeat_contacts",
    "sla_deadline",
    "waiting_time",
    "channel",
    "negative_sentiment",
    "portfolio",
    "manual",
)


class Strategy(BoundaryModel):
    """A named list of weighted factors: the whole prioritisation, as data.

    >>> strategy = Strategy.model_validate({"name": "fifo+vip", "factors": [
    ...     {"kind": "tier", "values": {"gold": 1}, "weight": 600},
    ...     {"kind": "manual", "weight": 60}]})
    >>> [factor.factor_name for factor in strategy.factors]
    ['tier', 'manual']
    """

    model_config = pydantic.ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    factors: list[FactorSpec] = Field(min_length=1)

    @pydantic.field_validator("factors")
    @classmethod
    def _unique_names(cls, value: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for factor in value:
            if factor.factor_name in seen:
                raise ValueError(
                    f"two factors are named {factor.factor_name!r}: give one of them a 'name'"
                )
            seen.add(factor.factor_name)
        return value

    # -- documents ----------------------------------------------------------------------

    @classmethod
    def from_toml(cls, text: str) -> Strategy:
        """Read a TOML document (``[[factors]]`` tables); errors name the bad field."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValidationError(
                "Strategy", [ErrorDetail([], f"not valid TOML: {error}")]
            ) from None
        return cls.model_validate(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> Strategy:
        """Read a JSON document."""
        return cls.model_validate_json(text)

    @classmethod
    def load(cls, path: str | Path) -> Strategy:
        """Read a ``.toml`` or ``.json`` file."""
        file = Path(path)
        text = file.read_text(encoding="utf-8")
        if file.suffix.lower() == ".toml":
            return cls.from_toml(text)
        if file.suffix.lower() == ".json":
            return cls.from_json(text)
        raise ValidationError(
            "Strategy", [ErrorDetail(["path"], f"{file.name}: use a .toml or .json file")]
        )

    def to_data(self) -> dict[str, Any]:
        """The strategy as plain JSON-ready data (unset options left out)."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self) -> str:
        """The strategy as a JSON document."""
        return json.dumps(self.to_data(), indent=2, ensure_ascii=False)

    def to_toml(self) -> str:
        """The strategy as a TOML document that :meth:`from_toml` reads back unchanged."""
        return dumps_toml(self.to_data())

    def save(self, path: str | Path) -> Path:
        """Write a ``.toml`` or ``.json`` file; returns the path."""
        file = Path(path)
        suffix = file.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise ValidationError(
                "Strategy", [ErrorDetail(["path"], f"{file.name}: use a .toml or .json file")]
            )
        file.write_text(self.to_toml() if suffix == ".toml" else self.to_json(), encoding="utf-8")
        return file
