"""The base of every boundary model: strict about unknown fields, one error type."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import pydantic

from omnirouter.errors import ValidationError
from omnirouter.model._suggest import with_suggestions

__all__ = ["BoundaryModel"]


class BoundaryModel(pydantic.BaseModel):
    """A pydantic model whose validation failures raise :class:`omnirouter.ValidationError`.

    Unknown fields are refused (a typo such as ``chanel`` is an error, not silently
    dropped) and assignments are validated, so no half-valid object escapes.
    """

    model_config: ClassVar[pydantic.ConfigDict] = pydantic.ConfigDict(
        extra="forbid",
        validate_assignment=True,
        str_strip_whitespace=True,
        ser_json_timedelta="float",
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as error:
            raise with_suggestions(ValidationError.from_pydantic(error), type(self)) from error

    # Tell pydantic this __init__ only translates errors: without the marker pydantic
    # would call it for every nested model, and the translated error (a ValueError)
    # would be wrapped again as a single opaque field error.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except pydantic.ValidationError as error:
            raise ValidationError.from_pydantic(error) from error

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Self:
        """Validate a mapping (or object); raise :class:`omnirouter.ValidationError`."""
        try:
            return super().model_validate(
                obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
            )
        except pydantic.ValidationError as error:
            raise with_suggestions(ValidationError.from_pydantic(error), cls) from error

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Self:
        """Validate a JSON document; raise :class:`omnirouter.ValidationError`."""
        try:
            return super().model_validate_json(json_data, strict=strict, context=context, **kwargs)
        except pydantic.ValidationError as error:
            raise with_suggestions(ValidationError.from_pydantic(error), cls) from error
