"""Comparators: how two normalised values agree, as a small level number per field.

A pair of records becomes one integer, its *comparison pattern*: the level of every
field in mixed radix. Patterns are what the probabilistic model counts and weighs, so
no per-pair object is ever built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress
from operator import not_, or_

import attrs
import jellyfish

__all__ = [
    "VETOED",
    "FieldComparator",
    "PairComparer",
    "PatternCodec",
    "comparator_for",
    "within_one_edit",
]

_jaro_winkler = jellyfish.jaro_winkler_similarity


def within_one_edit(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours turns a into b.

    The same answer as a Damerau–Levenshtein distance of at most 1, several times
    faster because it stops at the first difference.
    """
    length_a, length_b = len(a), len(b)
    if length_a - length_b > 1 or length_b - length_a > 1:
        return False
    shorter = length_a if length_a < length_b else length_b
    index = 0
    while index < shorter and a[index] == b[index]:
        index += 1
    if length_a > length_b:
        return a[index + 1 :] == b[index:]
    if length_a < length_b:
        return a[index:] == b[index + 1 :]
    return a[index + 1 :] == b[index + 1 :] or (
        a[index + 2 :] == b[index + 2 :]
        and a[index : index + 1] == b[index + 1 : index + 2]
        and a[index + 1 : index + 2] == b[index : index + 1]
    )


# Endings that turn a given name into its counterpart of the other sex
# (Michael/Michaela, Christian/Christiane, Stefan/Stefanie): similar strings, other people.
_SEX_ENDINGS = ("a", "e", "ie", "ine", "ina", "in")


def _other_sex(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(short) >= 3 and long.startswith(short) and long[len(short) :] in _SEX_ENDINGS


def compare_given_name(a: str, b: str) -> int:
    """0 exact, 1 similar, 2 alike (or an initial), 3 different."""
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return 2
    similarity = _jaro_winkler(a, b)
    if similarity < 0.84 and not within_one_edit(a, b):
        return 1 if a in b.split() or b in a.split() else 3  # "hans" and "hans peter"
    if _other_sex(a, b):
        return 3
    if similarity >= 0.94 or a in b.split() or b in a.split():
        return 1
    return 2


def compare_family_name(a: str, b: str) -> int:
    """0 exact, 1 similar, 2 alike (or one part of a double name), 3 different."""
    similarity = _jaro_winkler(a, b)
    if similarity >= 0.94:
        return 1
    if similarity >= 0.84 or a in b.split() or b in a.split():
        return 2
    return 3


def compare_birth_date(a: str, b: str) -> int:
    """``YYYYMMDD``: 0 exact, 1 day and month swapped, 2 one typo, 3 different."""
    if a[:4] != b[:4]:
        # Most compared dates are two people's; when year and day/month both differ,
        # only neighbours swapped across the boundary are one edit apart.
        if a[4:] != b[4:] and len(a) == len(b) and (a[:3] != b[:3] or a[5:] != b[5:]):
            return 3
    elif a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return 1
    return 2 if within_one_edit(a, b) else 3


def compare_email(a: str, b: str) -> int:
    """0 exact, 1 one typo or same mailbox at another provider, 2 different."""
    if within_one_edit(a, b) or a.partition("@")[0] == b.partition("@")[0]:
        return 1
    return 2


def compare_phone(a: str, b: str) -> int:
    """Digits with country code: 0 exact, 1 one typo, 2 different."""
    return 1 if within_one_edit(a, b) else 2


def compare_place(a: str, b: str) -> int:
    """Street, city or address line: 0 exact, 1 similar, 2 different."""
    return 1 if _jaro_winkler(a, b) >= 0.9 else 2


def compare_code(a: str, b: str) -> int:
    """Postcode: 0 exact, 1 one typo, 2 different."""
    return 1 if within_one_edit(a, b) else 2


def compare_exact(a: str, b: str) -> int:
    """House number and the like: 0 exact, 1 different (equal values never get here)."""
    return 1


@attrs.frozen
class FieldComparator:
    """One compared field: its comparator and the names of its levels (last: different)."""

    field: str
    compare: Callable[[str, str], int]
    levels: tuple[str, ...]

    @property
    def radix(self) -> int:
        """Number of levels plus one for "missing"."""
        return len(self.levels) + 1

    @property
    def missing(self) -> int:
        """The level number of a missing value."""
        return len(self.levels)


_NAME_LEVELS = ("exact", "similar", "alike", "different")
_SIMPLE_LEVELS = ("exact", "similar", "different")
_COMPARATORS: dict[str, tuple[Callable[[str, str], int], tuple[str, ...]]] = {
    "given_name": (compare_given_name, _NAME_LEVELS),
    "family_name": (compare_family_name, _NAME_LEVELS),
    "birth_date": (compare_birth_date, ("exact", "day/month swapped", "one typo", "different")),
    "email": (compare_email, ("exact", "one typo", "different")),
    "phone": (compare_phone, ("exact", "one typo", "different")),
    "street": (compare_place, _SIMPLE_LEVELS),
    "house_number": (compare_exact, ("exact", "different")),
    "postcode": (compare_code, ("exact", "one typo", "different")),
    "city": (compare_place, _SIMPLE_LEVELS),
    "address_extra": (compare_place, _SIMPLE_LEVELS),
}


# Comparators of values that recur across many pairs, worth remembering within a run.
_REPEATING = frozenset({compare_given_name, compare_family_name, compare_place})

#: The "pattern" of a pair vetoed by the household guard; it is never counted or scored.
VETOED = -1
_PERSON_FIELDS = frozenset({"given_name", "family_name", "birth_date"})
_NAME_FIELDS = frozenset({"given_name", "family_name"})
_NAME_MISSING = len(_NAME_LEVELS)
_NAME_DIFFERENT = _NAME_LEVELS.index("different")
_ALIKE = _NAME_LEVELS.index("alike")


def comparator_for(field: str) -> FieldComparator:
    """The comparator of a compared field."""
    compare, levels = _COMPARATORS[field]
    return FieldComparator(field=field, compare=compare, levels=levels)


@attrs.frozen
class PatternCodec:
    """Packs the levels of the compared fields into one integer and back."""

    comparators: tuple[FieldComparator, ...]

    @property
    def bases(self) -> tuple[int, ...]:
        """The place value of each field in a pattern."""
        bases, place = [], 1
        for comparator in self.comparators:
            bases.append(place)
            place *= comparator.radix
        return tuple(bases)

    def decode(self, pattern: int) -> tuple[int, ...]:
        """The level of each field."""
        levels = []
        for comparator in self.comparators:
            pattern, level = divmod(pattern, comparator.radix)
            levels.append(level)
        return tuple(levels)


Column = Sequence[str | None]


def _field_levels(
    column: Column,
    first: Sequence[int],
    second: Sequence[int],
    compare: Callable[[str, str], int],
    missing: int,
) -> list[int]:
    """The level of one field for every pair (0 for equal values, ``missing`` for none)."""
    pairs = zip(map(column.__getitem__, first), map(column.__getitem__, second), strict=True)
    if compare is compare_exact:
        return [missing if a is None or b is None else 0 if a == b else 1 for a, b in pairs]
    levels: list[int] = []
    append = levels.append
    if compare not in _REPEATING:
        for a, b in pairs:
            if a is None or b is None:
                append(missing)
            elif a == b:
                append(0)
            else:
                append(compare(a, b))
        return levels
    # Names and places repeat across pairs: each distinct value pair is compared once.
    memo: dict[tuple[str, str], int] = {}
    for a, b in pairs:
        if a is None or b is None:
            append(missing)
        elif a == b:
            append(0)
        else:
            key = (a, b)
            level = memo.get(key)
            if level is None:
                level = memo[key] = compare(a, b)
            append(level)
    return levels


def _memoised(compare: Callable[[str, str], int]) -> Callable[[str, str], int]:
    memo: dict[tuple[str, str], int] = {}

    def remembered(a: str, b: str) -> int:
        key = (a, b)
        level = memo.get(key)
        if level is None:
            level = memo[key] = compare(a, b)
        return level

    return remembered


@attrs.frozen
class PairComparer:
    """Compares candidate pairs column by column into comparison patterns.

    ``columns`` are the normalised values of the codec's fields. Given and family name
    are also compared crosswise, so a record with the two names swapped agrees rather
    than disagrees. Names that differ in spelling but share a Kölner code
    (``given_codes``/``family_codes``: "Jörg" and a typed "Jrog", "Meyer" and "Maier")
    count as alike rather than different. A pair whose level is ``different`` in one of
    the ``veto`` fields gets :data:`VETOED`, and its remaining fields are not compared.
    """

    codec: PatternCodec
    columns: Sequence[Column]
    given_codes: Sequence[str | None] = ()
    family_codes: Sequence[str | None] = ()
    veto: Sequence[str] = ()

    def patterns(self, first: Sequence[int], second: Sequence[int]) -> list[int]:
        """The comparison pattern of every pair ``(first[k], second[k])``."""
        codec = self.codec
        fields = [comparator.field for comparator in codec.comparators]
        columns = zip(self.columns, codec.comparators, codec.bases, strict=True)
        plan = dict(zip(fields, columns, strict=True))
        person = [field for field in fields if field in _PERSON_FIELDS]
        # Stages, cheapest veto first: a pair vetoed by its birth date (most namesakes
        # and neighbours in the sorted order) skips the name comparisons; a pair vetoed
        # by its given name skips the address.
        early = [field for field in person if field in self.veto and field not in _NAME_FIELDS]
        stages = [early, [field for field in person if field not in early]]
        stages.append([field for field in fields if field not in _PERSON_FIELDS])
        count = len(first)
        positions: list[int] = list(range(count))
        partial = [0] * count
        for stage in stages:
            if not stage or not positions:
                continue
            levels = {
                field: _field_levels(
                    plan[field][0], first, second, plan[field][1].compare, plan[field][1].missing
                )
                for field in stage
            }
            if "given_name" in levels and "family_name" in levels:
                self._adjust_names(first, second, levels["given_name"], levels["family_name"])
            for field, field_levels in levels.items():
                base = plan[field][2]
                partial = [
                    pattern + level * base
                    for pattern, level in zip(partial, field_levels, strict=True)
                ]
            vetoes = [
                (levels[field], plan[field][1].levels.index("different"))
                for field in self.veto
                if field in levels
            ]
            if not vetoes:
                continue
            different = vetoes[0][1]
            vetoed = list(map(different.__eq__, vetoes[0][0]))
            for field_levels, different in vetoes[1:]:
                vetoed = list(map(or_, vetoed, map(different.__eq__, field_levels)))
            if any(vetoed):
                kept = list(compress(range(len(positions)), map(not_, vetoed)))
                positions = [positions[k] for k in kept]
                partial = [partial[k] for k in kept]
                first = [first[k] for k in kept]
                second = [second[k] for k in kept]
        if len(positions) == count:
            return partial
        result = [VETOED] * count
        for position, pattern in zip(positions, partial, strict=True):
            result[position] = pattern
        return result

    def _adjust_names(
        self,
        first: Sequence[int],
        second: Sequence[int],
        given_levels: list[int],
        family_levels: list[int],
    ) -> None:
        """Crosswise comparison and shared Kölner codes, for the pairs whose names differ."""
        fields = [comparator.field for comparator in self.codec.comparators]
        given = self.columns[fields.index("given_name")]
        family = self.columns[fields.index("family_name")]
        given_codes, family_codes = self.given_codes, self.family_codes
        compare_given = _memoised(compare_given_name)
        compare_family = _memoised(compare_family_name)
        unsure = compress(
            range(len(first)),
            map(_ALIKE.__le__, map(max, given_levels, family_levels)),
        )
        for position in unsure:
            given_level, family_level = given_levels[position], family_levels[position]
            i, j = first[position], second[position]
            given_a, given_b = given[i], given[j]
            if given_level != _NAME_MISSING and family_level != _NAME_MISSING:
                family_a, family_b = family[i], family[j]
                assert given_a is not None
                assert family_a is not None
                assert given_b is not None
                assert family_b is not None
                # Swapped names keep at least one initial.
                if given_a[0] == family_b[0] or family_a[0] == given_b[0]:
                    cross_given = 0 if given_a == family_b else compare_given(given_a, family_b)
                    cross_family = 0 if family_a == given_b else compare_family(family_a, given_b)
                    if cross_given + cross_family < given_level + family_level:
                        given_level, family_level = cross_given, cross_family
            if (
                given_level == _NAME_DIFFERENT
                and given_codes
                and given_codes[i] is not None
                and given_codes[i] == given_codes[j]
            ):
                assert given_a is not None
                assert given_b is not None
                if not _other_sex(given_a, given_b):
                    given_level = _ALIKE
            if (
                family_level == _NAME_DIFFERENT
                and family_codes
                and family_codes[i] is not None
                and family_codes[i] == family_codes[j]
            ):
                family_level = _ALIKE
            given_levels[position], family_levels[position] = given_level, family_level
