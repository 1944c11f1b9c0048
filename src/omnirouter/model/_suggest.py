"""'Did you mean …?' for misspelt field names (private).

A boundary model refuses unknown fields. When the unknown name is close to a field
the model (or the nested model at that place) has, the error names that field.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, get_args

import pydantic

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = ["with_suggestions"]


def _models_in(annotation: Any) -> list[type[pydantic.BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    found: list[type[pydantic.BaseModel]] = []
    for argument in get_args(annotation):
        found += _models_in(argument)
    return found


def _known_fields(model: type[pydantic.BaseModel], path: Sequence[str | int]) -> set[str]:
    """The field names valid at ``path`` (list indexes, mapping keys and tags skipped)."""
    current = [model]
    for part in path:
        if isinstance(part, int):
            continue
        following: list[type[pydantic.BaseModel]] = []
        for candidate in current:
            field = candidate.model_fields.get(part)
            if field is not None:
                following += _models_in(field.annotation)
        if following:
            current = following
        # else: a mapping key or a union's tag; the models stay the same
    names: set[str] = set()
    for candidate in current:
        for name, field in candidate.model_fields.items():
            names.add(field.alias or name)
    return names


def with_suggestions(error: ValidationError, model: type[pydantic.BaseModel]) -> ValidationError:
    """The same error, with 'did you mean' added to each unknown field close to a known one."""
    if not any(detail.type == "extra_forbidden" for detail in error.errors):
        return error
    details = []
    for detail in error.errors:
        if detail.type == "extra_forbidden" and detail.path and isinstance(detail.path[-1], str):
            name = detail.path[-1]
            known = _known_fields(model, detail.path[:-1])
            match = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            if match:
                message = f"{detail.message}; did you mean {match[0]!r}?"
                detail = ErrorDetail(detail.path, message, detail.type, detail.input)
        details.append(detail)
    return ValidationError(error.title, details)
