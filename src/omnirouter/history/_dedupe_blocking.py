"""Blocking: which record pairs are worth comparing at all.

Several passes each group the records by a key (phonetic names, e-mail, phone, birth
date, postcode …) plus one sorted-neighbourhood pass. A pair found by an earlier pass
is recognised by recomputing that pass's key equality, so no set of seen pairs is kept:
memory stays linear in the number of records, not in the number of pairs.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from operator import eq

import attrs

from omnirouter.history.phonetics import cologne_phonetics_many

__all__ = [
    "BlockingPass",
    "CandidatePairs",
    "blocking_passes",
    "compare_candidates",
    "phonetic_codes",
]

Column = Sequence[str | None]


@attrs.frozen
class BlockingPass:
    """One grouping of the records: a key id per record (-1: no key) and oversized keys."""

    name: str
    keys: list[int]
    skipped: frozenset[int]


@attrs.define
class CandidatePairs:
    """Compared pairs as three parallel arrays (record indexes and pattern), plus counts."""

    first: array[int] = attrs.field(factory=lambda: array("l"))
    second: array[int] = attrs.field(factory=lambda: array("l"))
    patterns: array[int] = attrs.field(factory=lambda: array("q"))
    per_pass: dict[str, int] = attrs.field(factory=dict)
    skipped_blocks: dict[str, int] = attrs.field(factory=dict)


def _phonetic_column(column: Column) -> list[str | None]:
    distinct = sorted({value for value in column if value is not None})
    codes = dict(zip(distinct, cologne_phonetics_many(distinct), strict=True))
    return [codes[value] or None if value is not None else None for value in column]


def _keys(columns: Sequence[Column]) -> list[int]:
    ids: dict[object, int] = {}
    setdefault = ids.setdefault
    if len(columns) == 1:
        return [-1 if value is None else setdefault(value, len(ids)) for value in columns[0]]
    return [
        -1 if None in parts else setdefault(parts, len(ids)) for parts in zip(*columns, strict=True)
    ]


def phonetic_codes(column: Column) -> list[str | None]:
    """The Kölner code of every value (``None`` for a missing value or an empty code)."""
    return _phonetic_column(column)


def blocking_passes(
    values: dict[str, list[str | None]],
    max_block_size: int,
    given_code: list[str | None],
    family_code: list[str | None],
) -> tuple[list[BlockingPass], list[int]]:
    """The keyed passes and the sorted-neighbourhood order of the records."""
    birth, postcode = values["birth_date"], values["postcode"]
    # Both names' codes in either order, so swapped given and family names still meet;
    # with the birth year or the postcode region, so that common names stay small blocks.
    names = [
        ("\x1f".join(sorted((f, g))) if f is not None and g is not None else None)
        for f, g in zip(family_code, given_code, strict=True)
    ]
    year = [value[:4] if value is not None else None for value in birth]
    region = [value[:2] if value is not None else None for value in postcode]
    specs: list[tuple[str, list[int]]] = [
        ("phonetic names + birth year", _keys([names, year])),
        ("phonetic names + postcode region", _keys([names, region])),
        ("phonetic family name + birth date", _keys([family_code, birth])),
        ("e-mail", _keys([values["email"]])),
        ("phone", _keys([values["phone"]])),
        ("birth date + phonetic given name", _keys([birth, given_code])),
        ("postcode + phonetic given name", _keys([postcode, given_code])),
        ("birth date + postcode", _keys([birth, postcode])),
        ("postcode + house number", _keys([postcode, values["house_number"]])),
        ("birth date + house number", _keys([birth, values["house_number"]])),
    ]
    passes = []
    for name, keys in specs:
        sizes: dict[int, int] = {}
        for key in keys:
            if key >= 0:
                sizes[key] = sizes.get(key, 0) + 1
        skipped = frozenset(key for key, size in sizes.items() if size > max_block_size)
        passes.append(BlockingPass(name=name, keys=keys, skipped=skipped))
    given, family = values["given_name"], values["family_name"]
    sort_keys = [f"{f or ''} {g or ''}" for f, g in zip(family, given, strict=True)]
    order = sorted(range(len(sort_keys)), key=sort_keys.__getitem__)
    return passes, order


def _signatures(passes: Sequence[BlockingPass]) -> list[tuple[int, ...]]:
    """Per record, its key in every pass; a missing or oversized key is unique to the record.

    Two records met in an earlier pass exactly when their signatures agree somewhere
    before that pass, which one C-level comparison of tuple slices answers.
    """
    columns = []
    for blocking in passes:
        skipped = blocking.skipped
        columns.append(
            [
                key if key >= 0 and key not in skipped else -1 - index
                for index, key in enumerate(blocking.keys)
            ]
        )
    return list(zip(*columns, strict=True))


def compare_candidates(
    passes: Sequence[BlockingPass],
    order: Sequence[int],
    window: int,
    compare: Callable[[int, int], int],
    progress: Callable[[str, int, int], None] | None = None,
) -> CandidatePairs:
    """Compare every candidate pair exactly once; return indexes and patterns."""
    found = CandidatePairs()
    first, second, patterns = found.first, found.second, found.patterns
    signatures = _signatures(passes)
    for number, blocking in enumerate(passes):
        blocks: dict[int, list[int]] = {}
        for index, key in enumerate(blocking.keys):
            if key >= 0 and key not in blocking.skipped:
                blocks.setdefault(key, []).append(index)
        count = 0
        for members in blocks.values():
            size = len(members)
            if size < 2:
                continue
            for position in range(size - 1):
                i = members[position]
                earlier_i = signatures[i][:number]
                for j in members[position + 1 :]:
                    if number and any(map(eq, earlier_i, signatures[j])):
                        continue
                    first.append(i)
                    second.append(j)
                    patterns.append(compare(i, j))
                    count += 1
        found.per_pass[blocking.name] = count
        found.skipped_blocks[blocking.name] = len(blocking.skipped)
        if progress is not None:
            progress("compare", number + 1, len(passes) + 1)
    count = 0
    total = len(order)
    for rank in range(total - 1):
        i = order[rank]
        signature = signatures[i]
        for j in order[rank + 1 : rank + window]:
            if any(map(eq, signature, signatures[j])):
                continue
            first.append(i)
            second.append(j)
            patterns.append(compare(i, j))
            count += 1
    found.per_pass[f"sorted neighbourhood (window {window})"] = count
    if progress is not None:
        progress("compare", len(passes) + 1, len(passes) + 1)
    return found
