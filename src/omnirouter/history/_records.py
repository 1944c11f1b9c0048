"""Reading merge input: ``Contact`` models as they are, mappings (CSV rows, JSON) into contacts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.model.contact import Contact

__all__ = ["as_contact", "parse_timestamp"]

_CONTACT_FIELDS = frozenset(Contact.model_fields)
_FLAT_IDENTITIES = {
    "email": "emails",
    "phone": "phones",
    "customer_number": "customer_numbers",
    "session_id": "session_ids",
}
_FLAT_ADDRESS = frozenset({"street", "house_number", "postcode", "city", "country"})
_NAME_ALIASES = {"first_name": "given_name", "last_name": "family_name", "surname": "family_name"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _contact_data(record: Mapping[str, Any], id_field: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    identities: dict[str, Any] = dict(record.get("identities") or {})
    address: dict[str, Any] = dict(record.get("address") or {})
    attributes: dict[str, Any] = dict(record.get("attributes") or {})
    for key, value in record.items():
        if key in ("identities", "address", "attributes") or _blank(value):
            continue
        if key == id_field:
            data["id"] = value if isinstance(value, str) else str(value)
        elif key in _FLAT_IDENTITIES:
            target = _FLAT_IDENTITIES[key]
            identities[target] = [*identities.get(target, []), value]
        elif key in _FLAT_ADDRESS:
            address[key] = value
        elif key in _NAME_ALIASES:
            data.setdefault(_NAME_ALIASES[key], value)
        elif key in _CONTACT_FIELDS and key != "id":
            data[key] = value
        else:
            attributes[key] = value
    if identities:
        data["identities"] = identities
    if address:
        data["address"] = address
    if attributes:
        data["attributes"] = attributes
    return data


def as_contact(record: object, index: int, *, id_field: str = "id") -> Contact:
    """``record`` as a :class:`Contact`; errors name the record's position ``index``.

    Mappings may be shaped like a ``Contact`` or be flat rows: ``email``, ``phone``,
    ``customer_number`` and ``session_id`` become identities, ``street``/``postcode``/
    ``city``/… the address, ``first_name``/``last_name`` the names, and any other
    column an attribute. Empty strings count as missing.
    """
    if isinstance(record, Contact):
        return record
    if not isinstance(record, Mapping):
        raise ValidationError(
            "merge input",
            [ErrorDetail([index], f"expected a Contact or a mapping, got {type(record).__name__}")],
        )
    data = _contact_data(record, id_field)
    if "id" not in data:
        raise ValidationError(
            "merge input", [ErrorDetail([index, id_field], f"record has no {id_field!r}")]
        )
    try:
        return Contact.model_validate(data)
    except ValidationError as error:
        raise ValidationError(
            "merge input",
            [
                ErrorDetail([index, *detail.path], detail.message, detail.type, detail.input)
                for detail in error.errors
            ],
        ) from error


def parse_timestamp(value: object, where: list[str | int]) -> datetime | None:
    """An aware datetime from a datetime, a date (00:00 UTC) or ISO 8601 text; None if blank.

    Naive datetimes are refused: without a time zone "most recent" is a guess.
    """
    if _blank(value):
        return None
    parsed: object = value
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                "merge input", [ErrorDetail(where, f"not an ISO 8601 time: {value!r}", input=value)]
            ) from None
    if isinstance(parsed, datetime):
        if parsed.tzinfo is None:
            raise ValidationError(
                "merge input",
                [ErrorDetail(where, f"naive time {value!r}: give a time zone", input=value)],
            )
        return parsed
    if isinstance(parsed, date):
        return datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC)
    raise ValidationError(
        "merge input", [ErrorDetail(where, f"not a time: {value!r}", input=value)]
    )
