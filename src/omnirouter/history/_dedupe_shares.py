"""How often two records picked at random agree exactly, counted from value frequencies.

A value held by ``c`` of ``n`` records makes ``c(c-1)/2`` agreeing pairs among
``n(n-1)/2``. Summed over the values this is the u probability of an exact agreement
(before the true pairs are taken out), exact where a random sample of pairs would
see such agreements only a handful of times. The address is counted as a unit:
the same home (street, house number, postcode), the same street of a town, the same
town.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from omnirouter.history._dedupe_compare import (
    COMMON,
    EXACT,
    SAME,
    SAME_STREET,
    SAME_TOWN,
    is_mobile,
)

__all__ = ["agreement_shares", "shares_from_sharing", "sharing_columns", "sharing_pairs"]

Column = Sequence[str | None]
_MOBILE_EXACT, _LANDLINE_EXACT = 0, 1
# The address units whose frequencies are counted (see _address_columns).
_HOME, _LANE, _TOWN = "address home", "address street", "address town"
_SEPARATOR = "\x1f"


def sharing_columns(
    values: Mapping[str, Column], fields: Sequence[str], *, towns_from_postcode: bool
) -> dict[str, list[str | None]]:
    """The columns whose value frequencies give the shares, by name.

    A compared field is its own column; the address is three: the home (street, house
    number and postcode or town), the street of a town, and the town.
    ``towns_from_postcode``: the file has no town names, so the postcode stands in.
    """
    columns: dict[str, list[str | None]] = {}
    for field in fields:
        if field == "address":
            columns.update(_address_columns(values, towns_from_postcode))
        elif field in ("given_name", "family_name", "phone", "birth_date", "email"):
            columns[field] = list(values[field])
    return columns


def _address_columns(
    values: Mapping[str, Column], towns_from_postcode: bool
) -> dict[str, list[str | None]]:
    streets, houses = values["street"], values["house_number"]
    towns = values["postcode"] if towns_from_postcode else values["city"]
    codes = values["postcode"]
    homes = [
        _SEPARATOR.join((street, house, code or town or ""))
        if street and house and (code or town)
        else None
        for street, house, code, town in zip(streets, houses, codes, towns, strict=True)
    ]
    lanes = [
        _SEPARATOR.join((street, town)) if street and town else None
        for street, town in zip(streets, towns, strict=True)
    ]
    return {_HOME: homes, _LANE: lanes, _TOWN: list(towns)}


def sharing_pairs(
    column: str, counts: Iterable[tuple[str, int]], common: Mapping[str, frozenset[str]]
) -> dict[int, int]:
    """Level → number of record pairs agreeing on one column's values at that level.

    ``counts`` are ``(value, records holding it)``, each value once: a value held by
    ``c`` records makes ``c(c-1)/2`` agreeing pairs. Whole numbers, so that counts made
    in parts (on a cluster's workers) add up to exactly the same figures.
    """
    totals: dict[int, int] = {}
    frequent = common.get(column, frozenset())
    for value, count in counts:
        if column in ("given_name", "family_name"):
            level = COMMON if value in frequent else EXACT
        elif column == "phone":
            level = _MOBILE_EXACT if is_mobile(str(value)) else _LANDLINE_EXACT
        else:
            level = EXACT
        totals[level] = totals.get(level, 0) + count * (count - 1) // 2
    return totals


def shares_from_sharing(
    sharing: Mapping[str, Mapping[int, int]], fields: Sequence[str], records: int
) -> dict[str, dict[int, float]]:
    """Field → exact level → share of all record pairs, from :func:`sharing_pairs` counts."""
    if records < 2:
        return {}
    pairs = records * (records - 1) / 2
    shares: dict[str, dict[int, float]] = {}
    for field in fields:
        if field in ("given_name", "family_name"):
            counted = sharing.get(field, {})
            shares[field] = {
                EXACT: counted.get(EXACT, 0) / pairs,
                COMMON: counted.get(COMMON, 0) / pairs,
            }
        elif field == "phone":
            counted = sharing.get(field, {})
            shares[field] = {
                _MOBILE_EXACT: counted.get(_MOBILE_EXACT, 0) / pairs,
                _LANDLINE_EXACT: counted.get(_LANDLINE_EXACT, 0) / pairs,
            }
        elif field in ("birth_date", "email"):
            shares[field] = {EXACT: sum(sharing.get(field, {}).values()) / pairs}
        elif field == "address":
            same_home = sum(sharing.get(_HOME, {}).values())
            same_street = sum(sharing.get(_LANE, {}).values())
            same_town = sum(sharing.get(_TOWN, {}).values())
            shares[field] = {
                SAME: same_home / pairs,
                SAME_STREET: max(same_street - same_home, 0) / pairs,
                SAME_TOWN: max(same_town - same_street, 0) / pairs,
            }
    return shares


def agreement_shares(
    values: Mapping[str, Column], fields: Sequence[str], common: Mapping[str, frozenset[str]]
) -> dict[str, dict[int, float]]:
    """Field → exact level → share of all record pairs that agree at that level."""
    records = len(next(iter(values.values()), []))
    if records < 2:
        return {}
    towns_from_postcode = all(town is None for town in values["city"])
    columns = sharing_columns(values, fields, towns_from_postcode=towns_from_postcode)
    sharing = {}
    for name, column in columns.items():
        counts = Counter(value for value in column if value is not None)
        sharing[name] = sharing_pairs(name, counts.items(), common)
    return shares_from_sharing(sharing, fields, records)
