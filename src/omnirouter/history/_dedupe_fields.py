"""Reading records into normalised columns for the duplicate finder.

Each comparison field becomes one list of normalised strings (``None`` when missing),
indexed like the records. Equal raw values are normalised once and share one string
object, which keeps a million records small and fast.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime

import attrs
import phonenumbers

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history.normalize import (
    name_parts,
    normalize_email,
    normalize_name,
    normalize_street,
)
from omnirouter.model.contact import Contact

__all__ = ["COMPARED_FIELDS", "INPUT_FIELDS", "Columns", "read_columns"]

#: Fields that are compared, in the order they appear in a comparison pattern.
COMPARED_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "house_number",
    "postcode",
    "city",
    "address_extra",
)
#: Every field the finder can read; ``full_name`` is split into given and family name.
INPUT_FIELDS = (*COMPARED_FIELDS, "full_name")

_NON_DIGITS = re.compile(r"\D+")
_DATE_PARTS = re.compile(r"\d+")
_TRAILING_NUMBER = re.compile(r"^(.*?)\s*(\d+\s*[a-z]?)$")

Progress = Callable[[str, int, int], None]


@attrs.frozen
class Columns:
    """Record ids and, per compared field, the normalised value of every record."""

    ids: list[str]
    values: dict[str, list[str | None]]


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True  # pandas' empty cell
    return isinstance(value, str) and not value.strip()


def _as_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _contact_row(contact: Contact) -> dict[str, object]:
    identities = contact.identities
    address = contact.address
    return {
        "id": contact.id,
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "birth_date": contact.birth_date,
        "email": identities.emails[0] if identities.emails else None,
        "phone": identities.phones[0] if identities.phones else None,
        "street": address.street if address else None,
        "house_number": address.house_number if address else None,
        "postcode": address.postcode if address else None,
        "city": address.city if address else None,
    }


def birth_date_key(text: str) -> str | None:
    """``YYYYMMDD`` from ISO, German (``DD.MM.YYYY``) or compact dates; ``None`` if unreadable.

    The digits are kept even when they do not form a real date: a typo in a birth date
    is evidence the comparator can weigh.
    """
    parts: list[str] = _DATE_PARTS.findall(text)
    if len(parts) == 1 and len(parts[0]) == 8:
        digits = parts[0]
        return digits if digits[:2] in ("19", "20", "18") else digits[4:] + digits[2:4] + digits[:2]
    if len(parts) != 3:
        return None
    if len(parts[0]) == 4:
        year, month, day = parts
    elif len(parts[2]) == 4:
        day, month, year = parts
    else:
        return None
    if len(month) > 2 or len(day) > 2:
        return None
    return f"{year}{month:0>2}{day:0>2}"


def phone_key(text: str, country_code: str) -> str | None:
    """The digits of a phone number with its country code, e.g. ``4930123456``.

    A cheap stand-in for full E.164 parsing that gives the same digits for the usual
    spellings (``+49 30 …``, ``0049 30 …``, ``030 …``, ``+49 (0)30 …``).
    """
    stripped = text.strip()
    digits = _NON_DIGITS.sub("", stripped.replace("(0)", ""))
    if stripped.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    return digits if len(digits) >= 7 else None


def _email_key(text: str) -> str:
    try:
        return normalize_email(text, provider_rules=True)
    except ValidationError:
        # Keep a mistyped address: a near-equal one elsewhere is still evidence.
        return "".join(text.split()).lower()


class _Normaliser:
    """Normalises raw values, once per distinct raw value and field."""

    def __init__(self, default_region: str) -> None:
        region = default_region.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValidationError(
                "duplicate finder options",
                [ErrorDetail(["default_region"], f"unknown region {default_region!r}")],
            )
        country = str(phonenumbers.country_code_for_region(region))
        self.functions: dict[str, Callable[[str], str | None]] = {
            "given_name": normalize_name,
            "family_name": normalize_name,
            "birth_date": birth_date_key,
            "email": _email_key,
            "phone": lambda text: phone_key(text, country),
            "street": normalize_street,
            "house_number": lambda text: "".join(text.split()).lower(),
            "postcode": lambda text: "".join(text.split()).upper(),
            "city": normalize_name,
            "address_extra": normalize_street,
        }
        self.seen: dict[str, dict[str, str | None]] = {field: {} for field in self.functions}

    def __call__(self, field: str, raw: str) -> str | None:
        cache = self.seen[field]
        try:
            return cache[raw]
        except KeyError:
            value = self.functions[field](raw) or None
            cache[raw] = value
            return value


def _field_map(fields: Mapping[str, str] | None) -> dict[str, str]:
    mapping = {name: name for name in INPUT_FIELDS}
    if fields is None:
        return mapping
    unknown = sorted(set(fields) - set(INPUT_FIELDS))
    if unknown:
        raise ValidationError(
            "duplicate finder options",
            [
                ErrorDetail(["fields", name], f"unknown field; known: {', '.join(INPUT_FIELDS)}")
                for name in unknown
            ],
        )
    mapping.update(fields)
    return mapping


def read_columns(
    records: Iterable[Mapping[str, object] | Contact],
    *,
    id_field: str,
    fields: Mapping[str, str] | None,
    default_region: str,
    progress: Progress | None = None,
) -> Columns:
    """Read and normalise every record; raises :class:`ValidationError` on bad ids."""
    mapping = _field_map(fields)
    normalise = _Normaliser(default_region)
    ids: list[str] = []
    seen_ids: dict[str, int] = {}
    values: dict[str, list[str | None]] = {field: [] for field in COMPARED_FIELDS}
    split_names: dict[str, tuple[str | None, str | None]] = {}
    split_streets: dict[str, tuple[str, str | None]] = {}
    columns = [(field, mapping[field], values[field]) for field in COMPARED_FIELDS]
    full_name_key = mapping["full_name"]
    for index, record in enumerate(records):
        row: Mapping[str, object] = _contact_row(record) if isinstance(record, Contact) else record
        key = id_field if not isinstance(record, Contact) else "id"
        raw_id = row.get(key)
        if _missing(raw_id):
            raise ValidationError(
                "records", [ErrorDetail([index, key], f"record {index} has no {key!r}")]
            )
        record_id = _as_text(raw_id)
        if record_id in seen_ids:
            message = f"id {record_id!r} also used by record {seen_ids[record_id]}"
            raise ValidationError("records", [ErrorDetail([index, key], message)])
        seen_ids[record_id] = index
        ids.append(record_id)
        for field, source, column in columns:
            raw = row.get(source)
            column.append(None if _missing(raw) else normalise(field, _as_text(raw)))
        if values["given_name"][-1] is None and values["family_name"][-1] is None:
            full = row.get(full_name_key)
            if not _missing(full):
                text = _as_text(full)
                if text not in split_names:
                    parts = name_parts(text)
                    split_names[text] = (parts.given_name or None, parts.family_name or None)
                values["given_name"][-1], values["family_name"][-1] = split_names[text]
        street = values["street"][-1]
        if street is not None:
            if street not in split_streets:
                found = _TRAILING_NUMBER.match(street)
                split_streets[street] = (
                    (found.group(1), found.group(2).replace(" ", ""))
                    if found and found.group(1)
                    else (street, None)
                )
            values["street"][-1], number = split_streets[street]
            if values["house_number"][-1] is None:
                values["house_number"][-1] = number
        if progress is not None and index % 50_000 == 0:
            progress("read", index, 0)
    return Columns(ids=ids, values=values)
