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

__all__ = [
    "BIRTH_YEAR_PIVOT",
    "COMPARED_FIELDS",
    "INPUT_FIELDS",
    "Columns",
    "UnknownColumnError",
    "read_columns",
]

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


#: Two-digit birth years below this are 20xx, the others 19xx (``21.04.52`` → 1952,
#: ``03.11.07`` → 2007): nobody is born in the future, few customers are over 95.
BIRTH_YEAR_PIVOT = 30


def birth_date_key(text: str) -> str | None:
    """``YYYYMMDD`` from ISO, German (``DD.MM.YYYY``, ``DD.MM.YY``) or compact dates.

    ``None`` if unreadable. A two-digit year is read with :data:`BIRTH_YEAR_PIVOT`.
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
    elif len(parts[2]) == 2:
        day, month, two_digits = parts
        year = f"{20 if int(two_digits) < BIRTH_YEAR_PIVOT else 19}{two_digits}"
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
    """The normalising function of every compared field."""

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


class UnknownColumnError(ValidationError):
    """A ``fields=`` mapping names a column that no record has; lists the columns found."""

    def __init__(self, missing: dict[str, str], found: list[str]) -> None:
        listed = ", ".join(found) if found else "none"
        super().__init__(
            "duplicate finder options",
            [
                ErrorDetail(
                    ["fields", field],
                    f"no column {column!r} in the records; columns found: {listed}",
                    type="unknown_column",
                )
                for field, column in sorted(missing.items())
            ],
        )
        self.missing = dict(missing)
        self.found = list(found)


def _check_mapped_columns(
    rows: list[Mapping[str, object]], fields: Mapping[str, str] | None
) -> None:
    """Every column that ``fields`` maps must exist in at least one record."""
    if not fields or not rows:
        return
    wanted = {field: column for field, column in fields.items() if column != field}
    if not wanted:
        return
    seen: set[str] = set()
    columns = set(wanted.values())
    for row in rows:
        seen.update(row.keys())
        if columns <= seen:
            return
    missing = {field: column for field, column in wanted.items() if column not in seen}
    raise UnknownColumnError(missing, sorted(str(key) for key in seen))


def _read_ids(rows: list[Mapping[str, object]], key: str) -> list[str]:
    raw_ids = [row.get(key) for row in rows]
    if (
        all(map(str.__instancecheck__, raw_ids))
        and all(map(str.strip, raw_ids))  # type: ignore[arg-type]
        and len(set(raw_ids)) == len(raw_ids)
    ):
        return raw_ids  # type: ignore[return-value]  # all checked to be str
    ids: list[str] = []
    seen: dict[str, int] = {}
    for index, raw_id in enumerate(raw_ids):
        if _missing(raw_id):
            raise ValidationError(
                "records", [ErrorDetail([index, key], f"record {index} has no {key!r}")]
            )
        record_id = _as_text(raw_id)
        if record_id in seen:
            message = f"id {record_id!r} also used by record {seen[record_id]}"
            raise ValidationError("records", [ErrorDetail([index, key], message)])
        seen[record_id] = index
        ids.append(record_id)
    return ids


def _normalised(raw: object, normalise: Callable[[str], str | None]) -> str | None:
    return None if _missing(raw) else normalise(_as_text(raw)) or None


def _read_column(
    rows: list[Mapping[str, object]], source: str, normalise: Callable[[str], str | None]
) -> list[str | None]:
    """One field of every row, normalised once per distinct raw value."""
    raws = [row.get(source) for row in rows]
    try:
        distinct = set(raws)
    except TypeError:  # an unhashable value: normalise every row's text
        return [_normalised(raw, normalise) for raw in raws]
    distinct.discard(None)
    # Equal raw values share one normalised string (NaN, never equal, is found by identity).
    values = {
        raw: (normalise(raw) or None if raw.strip() else None)
        if type(raw) is str
        else _normalised(raw, normalise)
        for raw in distinct
    }
    values[None] = None
    return list(map(values.__getitem__, raws))


def read_columns(
    records: Iterable[Mapping[str, object] | Contact],
    *,
    id_field: str,
    fields: Mapping[str, str] | None,
    default_region: str,
    progress: Progress | None = None,
) -> Columns:
    """Read and normalise every record; raises :class:`ValidationError` on bad ids.

    Works column by column: one tight loop per field over all rows, each distinct raw
    value normalised once.
    """
    mapping = _field_map(fields)
    functions = _Normaliser(default_region).functions
    rows: list[Mapping[str, object]] = []
    key = id_field
    for record in records:
        if isinstance(record, Contact):
            rows.append(_contact_row(record))
            key = "id"
        else:
            rows.append(record)
    if key == id_field:  # mappings only: Contact models have the finder's own names
        _check_mapped_columns(rows, fields)
    ids = _read_ids(rows, key)
    values: dict[str, list[str | None]] = {}
    for number, field in enumerate(COMPARED_FIELDS):
        values[field] = _read_column(rows, mapping[field], functions[field])
        if progress is not None:
            progress("read", number + 1, len(COMPARED_FIELDS))
    given, family = values["given_name"], values["family_name"]
    if any(row.get(mapping["full_name"]) is not None for row in rows):
        full = _read_column(rows, mapping["full_name"], lambda text: text.strip() or None)
        split_names: dict[str, tuple[str | None, str | None]] = {}
        for index, text in enumerate(full):
            if text is None or given[index] is not None or family[index] is not None:
                continue
            if text not in split_names:
                parts = name_parts(text)
                split_names[text] = (parts.given_name or None, parts.family_name or None)
            given[index], family[index] = split_names[text]
    _split_house_numbers(values["street"], values["house_number"])
    return Columns(ids=ids, values=values)


def _split_house_numbers(streets: list[str | None], numbers: list[str | None]) -> None:
    """Move a trailing house number out of the street, into the number when that is empty."""
    split_streets: dict[str, tuple[str, str | None]] = {}
    for index, street in enumerate(streets):
        if street is None:
            continue
        if street not in split_streets:
            found = _TRAILING_NUMBER.match(street)
            split_streets[street] = (
                (found.group(1), found.group(2).replace(" ", ""))
                if found and found.group(1)
                else (street, None)
            )
        streets[index], number = split_streets[street]
        if numbers[index] is None:
            numbers[index] = number
