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
from collections.abc import Hashable, Iterable, Mapping, Sequence

from omnirouter.history._dedupe_compare import (
    COMMON,
    EXACT,
    SAME,
    SAME_STREET,
    SAME_TOWN,
    is_mobile,
)

__all__ = ["agreement_shares"]

Column = Sequence[str | None]
_MOBILE_EXACT, _LANDLINE_EXACT = 0, 1


def _pairs_sharing(values: Iterable[Hashable | None], pairs: float) -> Counter[Hashable]:
    counts = Counter(values)
    counts.pop(None, None)
    return Counter({value: count * (count - 1) / 2 / pairs for value, count in counts.items()})


def agreement_shares(
    values: Mapping[str, Column], fields: Sequence[str], common: Mapping[str, frozenset[str]]
) -> dict[str, dict[int, float]]:
    """Field → exact level → share of all record pairs that agree at that level."""
    records = len(next(iter(values.values()), []))
    if records < 2:
        return {}
    pairs = records * (records - 1) / 2
    shares: dict[str, dict[int, float]] = {}
    for field in fields:
        if field in ("given_name", "family_name"):
            sharing = _pairs_sharing(values[field], pairs)
            frequent = common.get(field, frozenset())
            shares[field] = {
                EXACT: sum(v for k, v in sharing.items() if k not in frequent),
                COMMON: sum(v for k, v in sharing.items() if k in frequent),
            }
        elif field == "phone":
            sharing = _pairs_sharing(values[field], pairs)
            shares[field] = {
                _MOBILE_EXACT: sum(v for k, v in sharing.items() if is_mobile(str(k))),
                _LANDLINE_EXACT: sum(v for k, v in sharing.items() if not is_mobile(str(k))),
            }
        elif field in ("birth_date", "email"):
            shares[field] = {EXACT: sum(_pairs_sharing(values[field], pairs).values())}
        elif field == "address":
            shares[field] = _address_shares(values, pairs)
    return shares


def _address_shares(values: Mapping[str, Column], pairs: float) -> dict[int, float]:
    """Same home, same street (another house) and same town (another street)."""
    streets, houses = values["street"], values["house_number"]
    towns = values["city"]
    if all(town is None for town in towns):
        towns = values["postcode"]
    codes = values["postcode"]
    homes = [
        (street, house, code or town) if street and house and (code or town) else None
        for street, house, code, town in zip(streets, houses, codes, towns, strict=True)
    ]
    same_home = sum(_pairs_sharing(homes, pairs).values())
    lanes = [
        (street, town) if street and town else None
        for street, town in zip(streets, towns, strict=True)
    ]
    same_street = sum(_pairs_sharing(lanes, pairs).values())
    same_town = sum(_pairs_sharing(towns, pairs).values())
    return {
        SAME: same_home,
        SAME_STREET: max(same_street - same_home, 0.0),
        SAME_TOWN: max(same_town - same_street, 0.0),
    }
