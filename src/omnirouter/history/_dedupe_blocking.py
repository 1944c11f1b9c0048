"""Blocking: which record pairs are worth comparing at all.

Several passes each group the records by a key (phonetic names, e-mail, phone, birth
date, postcode …) plus one sorted-neighbourhood pass. Keys are counted first, so only
the records whose key some other record shares are grouped at all; a pair is encoded as
one integer and kept the first time a pass finds it, so every candidate pair is
compared exactly once however many passes find it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import combinations, compress, count
from typing import Final

import attrs

from omnirouter.history.phonetics import cologne_phonetics_many

__all__ = [
    "PASSES",
    "BlockingPass",
    "CandidatePairs",
    "blocking_keys",
    "blocking_passes",
    "candidate_pairs",
    "phonetic_codes",
    "sort_key_column",
]

Column = Sequence[str | None]


@attrs.frozen
class BlockingPass:
    """One grouping of the records: a key number per record (-1: the record has no key)."""

    name: str
    keys: list[int]


@attrs.define
class CandidatePairs:
    """Candidate pairs as two parallel arrays of record indexes (first < second), plus counts.

    ``patterns`` is filled by the comparison step, one comparison pattern per pair.
    """

    first: array[int] = attrs.field(factory=lambda: array("l"))
    second: array[int] = attrs.field(factory=lambda: array("l"))
    patterns: array[int] = attrs.field(factory=lambda: array("q"))
    per_pass: dict[str, int] = attrs.field(factory=dict)
    skipped_blocks: dict[str, int] = attrs.field(factory=dict)


def phonetic_codes(column: Column) -> list[str | None]:
    """The Kölner code of every value (``None`` for a missing value or an empty code)."""
    distinct = sorted({value for value in column if value is not None})
    codes = dict(zip(distinct, cologne_phonetics_many(distinct), strict=True))
    return [codes[value] or None if value is not None else None for value in column]


def _numbers(column: Column, numbers: dict[str | None, int] | None = None) -> list[int]:
    """Each value as a small number (-1 for a missing value); ``numbers`` may be shared."""
    if numbers is None:
        numbers = {None: -1}
    distinct = set(column).difference(numbers)
    numbers.update(zip(distinct, count(len(numbers)), strict=False))
    numbers[None] = -1
    return list(map(numbers.__getitem__, column))


def _joint(first: list[int], second: list[int]) -> list[int]:
    """One number per pair of numbers; -1 when either is missing."""
    scale = max(second, default=0) + 1
    return [a * scale + b if a >= 0 and b >= 0 else -1 for a, b in zip(first, second, strict=True)]


# Each pass and the parts whose joint value is its key. Both names' codes in either
# order ("names"), so swapped given and family names still meet; with the birth year
# or the postcode region, so that common names stay small blocks.
PASSES: Final = (
    ("phonetic names + birth year", ("names", "year")),
    ("phonetic names + postcode region", ("names", "region")),
    ("phonetic family name + birth date", ("family", "birth")),
    ("e-mail", ("email",)),
    ("phone", ("phone",)),
    ("birth date + phonetic given name", ("birth", "given")),
    ("postcode + phonetic given name", ("postcode", "given")),
    ("birth date + postcode", ("birth", "postcode")),
    ("postcode + house number", ("postcode", "house")),
    ("birth date + house number", ("birth", "house")),
)
_SEPARATOR = "\x1f"


def _prefix(column: Column, length: int) -> list[str | None]:
    return [value[:length] if value is not None else None for value in column]


def blocking_passes(
    values: dict[str, list[str | None]],
    given_code: list[str | None],
    family_code: list[str | None],
) -> tuple[list[BlockingPass], list[int]]:
    """The keyed passes and the sorted-neighbourhood order of the records.

    Keys are numbers, so that counting and grouping hash small integers rather than
    tuples of strings.
    """
    codes: dict[str | None, int] = {}
    given, family = _numbers(given_code, codes), _numbers(family_code, codes)
    # (A missing code is -1, so the smaller number is -1 and the joint key too.)
    parts = {
        "names": _joint(list(map(min, family, given)), list(map(max, family, given))),
        "year": _numbers(_prefix(values["birth_date"], 4)),
        "region": _numbers(_prefix(values["postcode"], 2)),
        "family": family,
        "given": given,
        "birth": _numbers(values["birth_date"]),
        "postcode": _numbers(values["postcode"]),
        "house": _numbers(values["house_number"]),
        "email": _numbers(values["email"]),
        "phone": _numbers(values["phone"]),
    }
    passes = []
    for name, (first, *rest) in PASSES:
        keys = parts[first]
        for part in rest:
            keys = _joint(keys, parts[part])
        passes.append(BlockingPass(name, keys))
    sort_keys = sort_key_column(values)
    order = sorted(range(len(sort_keys)), key=sort_keys.__getitem__)
    return passes, order


def sort_key_column(values: dict[str, list[str | None]]) -> list[str]:
    """The sorted-neighbourhood key of every record: family name, then given name."""
    return [
        f"{f or ''} {g or ''}"
        for f, g in zip(values["family_name"], values["given_name"], strict=True)
    ]


def blocking_keys(
    values: dict[str, list[str | None]],
    given_code: list[str | None],
    family_code: list[str | None],
) -> list[list[str | None]]:
    """Every pass's key of every record as text (``None``: no key), in :data:`PASSES` order.

    The same blocks as :func:`blocking_passes`, keyed by the values themselves, so that
    records read in separate parts (a cluster's partitions) get the same keys.
    """
    names = [
        _SEPARATOR.join(sorted((f, g))) if f is not None and g is not None else None
        for f, g in zip(family_code, given_code, strict=True)
    ]
    parts: dict[str, list[str | None]] = {
        "names": names,
        "year": _prefix(values["birth_date"], 4),
        "region": _prefix(values["postcode"], 2),
        "family": list(family_code),
        "given": list(given_code),
        "birth": values["birth_date"],
        "postcode": values["postcode"],
        "house": values["house_number"],
        "email": values["email"],
        "phone": values["phone"],
    }
    result = []
    for _, chosen in PASSES:
        columns = [parts[part] for part in chosen]
        result.append(
            [
                None if None in joint else _SEPARATOR.join(joint)  # type: ignore[arg-type,unused-ignore]
                for joint in zip(*columns, strict=True)
            ]
        )
    return result


def _blocks(keys: list[int], max_block_size: int) -> tuple[list[list[int]], int]:
    """The blocks of two to ``max_block_size`` records, and the number of larger ones."""
    sizes = Counter(keys)
    sizes.pop(-1, None)
    # Most keys belong to one record only; pick the others without a Python-level loop.
    repeated = list(compress(sizes.items(), map((1).__lt__, sizes.values())))
    shared = {key for key, size in repeated if size <= max_block_size}
    blocks: dict[int, list[int]] = {}
    for index in compress(range(len(keys)), map(shared.__contains__, keys)):
        blocks.setdefault(keys[index], []).append(index)
    return list(blocks.values()), len(repeated) - len(shared)


def candidate_pairs(
    passes: Sequence[BlockingPass],
    order: Sequence[int],
    window: int,
    max_block_size: int,
    progress: Callable[[str, int, int], None] | None = None,
) -> CandidatePairs:
    """Every candidate pair once, in the order the passes find them; counts per pass."""
    found = CandidatePairs()
    records = len(order)
    seen: set[int] = set()
    keys: list[int] = []
    for number, blocking in enumerate(passes):
        blocks, oversized = _blocks(blocking.keys, max_block_size)
        # Members are in ascending order, so a < b: the pair is a * records + b.
        new = [a * records + b for members in blocks for a, b in combinations(members, 2)]
        if seen:
            new = [pair for pair in new if pair not in seen]
        seen.update(new)
        keys.extend(new)
        found.per_pass[blocking.name] = len(new)
        found.skipped_blocks[blocking.name] = oversized
        if progress is not None:
            progress("block", number + 1, len(passes) + 1)
    neighbours: list[int] = []
    for distance in range(1, window):
        neighbours.extend(
            a * records + b if a < b else b * records + a
            for a, b in zip(order, order[distance:], strict=False)
        )
    new = [pair for pair in neighbours if pair not in seen]
    del seen
    keys.extend(new)
    found.per_pass[f"sorted neighbourhood (window {window})"] = len(new)
    if records:
        found.first = array("l", [pair // records for pair in keys])
        found.second = array("l", [pair % records for pair in keys])
    if progress is not None:
        progress("block", len(passes) + 1, len(passes) + 1)
    return found
