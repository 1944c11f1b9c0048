"""Limits on free-form data: what a host attaches (attributes, a bot's extracted data, a
transcript) is checked for size and for numbers JSON cannot hold before it enters.

Every boundary model checks its free-form fields against :class:`FieldLimits`: the
defaults below, or the limits in the validation context
(``Interaction.model_validate(data, context={"limits": FieldLimits(...)})``, or a
:class:`~omnirouter.ChannelRegistry` created with ``limits=``). Non-finite numbers
(``NaN``, ``Infinity``, or a literal such as ``1e400`` that overflows to infinity) are
refused whatever the limits: JSON has no such numbers, so no journal or report could
keep them. The error names the field and the rule, never the value (it may be
personal data).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final

import attrs
import pydantic

__all__ = [
    "DEFAULT_FIELD_LIMITS",
    "DEFAULT_LIMITS",
    "NO_LIMITS",
    "FieldLimits",
    "check_free_form",
]


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        from omnirouter.errors import ErrorDetail, ValidationError

        raise ValidationError(
            "FieldLimits", [ErrorDetail([attribute.name], f"must be an int >= 1, not {value!r}")]
        )


@attrs.frozen(slots=True)
class FieldLimits:
    """How much free-form data one field may carry.

    ``max_items``: entries in one mapping or list (at any depth); ``max_depth``: how
    deeply mappings and lists nest; ``max_text``: characters of one string (a key, a
    value, a transcript line); ``max_bytes``: the whole field as compact JSON (UTF-8).
    """

    max_items: int = attrs.field(default=100, validator=_positive)
    max_depth: int = attrs.field(default=8, validator=_positive)
    max_text: int = attrs.field(default=10_000, validator=_positive)
    max_bytes: int = attrs.field(default=64_000, validator=_positive)


#: The limits a model applies when the validation context names none.
DEFAULT_FIELD_LIMITS: Final = FieldLimits()

#: The former name of :data:`DEFAULT_FIELD_LIMITS` (kept; ``om.DEFAULT_LIMITS`` is the
#: run limits, :data:`omnirouter.limits.DEFAULT_LIMITS`, a different thing).
DEFAULT_LIMITS: Final = DEFAULT_FIELD_LIMITS

#: No size limits (non-finite numbers are still refused): what replaying recorded
#: commands uses, since they were checked against the host's limits when recorded.
NO_LIMITS: Final = FieldLimits(max_items=2**62, max_depth=2**62, max_text=2**62, max_bytes=2**62)


def limits_from(info: pydantic.ValidationInfo | None) -> FieldLimits:
    """The limits in the validation context (``{"limits": ...}``), or the defaults."""
    context = info.context if info is not None else None
    if isinstance(context, dict):
        limits = context.get("limits")
        if isinstance(limits, FieldLimits):
            return limits
    return DEFAULT_FIELD_LIMITS


class _Measure:
    __slots__ = ("bytes", "limits")

    def __init__(self, limits: FieldLimits) -> None:
        self.limits = limits
        self.bytes = 0

    def text(self, value: str, where: str) -> None:
        if len(value) > self.limits.max_text:
            raise ValueError(
                f"{_at(where)}a text of {len(value)} characters, more than the limit of "
                f"{self.limits.max_text}"
            )
        self.bytes += len(value) + 2

    def walk(self, value: Any, where: str, depth: int) -> None:
        if isinstance(value, bool) or value is None:
            self.bytes += 5
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError(
                    f"{_at(where)}a number that is not finite (NaN or infinity, or too large "
                    "for a float); JSON cannot hold it"
                )
            self.bytes += 24
        elif isinstance(value, int):
            self.bytes += 20
        elif isinstance(value, str):
            self.text(value, where)
        elif isinstance(value, Mapping | list | tuple):
            if depth >= self.limits.max_depth:
                raise ValueError(
                    f"{_at(where)}nested more than {self.limits.max_depth} levels deep"
                )
            if len(value) > self.limits.max_items:
                raise ValueError(
                    f"{_at(where)}{len(value)} entries, more than the limit of "
                    f"{self.limits.max_items}"
                )
            if isinstance(value, Mapping):
                for key, item in value.items():
                    self.text(str(key), _join(where, "(a key)"))
                    self.walk(item, _join(where, key) if _plain(key) else where, depth + 1)
            else:
                for index, item in enumerate(value):
                    self.walk(item, _join(where, index), depth + 1)
        if self.bytes > self.limits.max_bytes:
            raise ValueError(f"more than the limit of {self.limits.max_bytes} bytes as JSON")


def _at(where: str) -> str:
    return f"at {where}: " if where else ""


def _join(where: str, part: object) -> str:
    return f"{where}.{part}" if where else str(part)


def _plain(key: object) -> bool:
    # Keys name fields of the host's schema; long or odd keys are not repeated.
    return isinstance(key, str) and len(key) <= 64 and key.isidentifier()


def check_free_form(
    value: Any, limits: FieldLimits = DEFAULT_FIELD_LIMITS, where: str = ""
) -> None:
    """Raise ``ValueError`` (naming the place and the rule, never the value) when ``value``
    holds a non-finite number or exceeds ``limits``."""
    _Measure(limits).walk(value, where, 0)


def free_form_validator(value: Any, info: pydantic.ValidationInfo) -> Any:
    """A pydantic after-validator for free-form fields (see the module doc)."""
    check_free_form(value, limits_from(info))
    return value
