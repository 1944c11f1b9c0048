"""Comparators: how two normalised values agree, as a small level number per field.

A pair of records becomes one integer, its *comparison pattern*: the level of every
field in mixed radix. Patterns are what the probabilistic model counts and weighs, so
no per-pair object is ever built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import jellyfish

__all__ = [
    "VETOED",
    "FieldComparator",
    "PatternCodec",
    "comparator_for",
    "make_pair_comparator",
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
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
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


#: The "pattern" of a pair vetoed by the household guard; it is never counted or scored.
VETOED = -1
_PERSON_FIELDS = frozenset({"given_name", "family_name", "birth_date"})
_NAME_RADIX = len(_NAME_LEVELS) + 1
_NAME_MISSING = len(_NAME_LEVELS)
_NAME_DIFFERENT = _NAME_LEVELS.index("different")


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


def _same_code(codes: Sequence[str | None], i: int, j: int) -> bool:
    if not codes:
        return False
    code = codes[i]
    return code is not None and code == codes[j]


def make_pair_comparator(
    codec: PatternCodec,
    columns: Sequence[Sequence[str | None]],
    given_codes: Sequence[str | None] = (),
    family_codes: Sequence[str | None] = (),
    veto: Sequence[str] = (),
) -> Callable[[int, int], int]:
    """A function ``(i, j) -> pattern`` over the normalised columns of the compared fields.

    Given and family name are also compared crosswise, so a record with the two names
    swapped agrees rather than disagrees. Names that differ in spelling but share a
    Kölner code (``given_codes``/``family_codes``: "Jörg" and a typed "Jrog", "Meyer"
    and "Maier") count as alike rather than different. A pair whose level is
    ``different`` in one of the ``veto`` fields stops early and gives :data:`VETOED`.
    """
    plan = [
        (column, comparator.compare, base, comparator.missing * base)
        for column, comparator, base in zip(columns, codec.comparators, codec.bases, strict=True)
    ]
    fields = [comparator.field for comparator in codec.comparators]
    # The person fields come first, so that a vetoed pair stops before the rest.
    split = sum(field in _PERSON_FIELDS for field in fields)
    head, tail = tuple(plan[:split]), tuple(plan[split:])
    has_names = "given_name" in fields and "family_name" in fields
    given = columns[fields.index("given_name")] if has_names else ()
    family = columns[fields.index("family_name")] if has_names else ()
    given_base = codec.bases[fields.index("given_name")] if has_names else 0
    family_base = codec.bases[fields.index("family_name")] if has_names else 0
    veto_checks = tuple(
        (codec.bases[fields.index(field)], codec.comparators[fields.index(field)])
        for field in veto
        if field in fields
    )
    veto_levels = tuple(
        (base, comparator.radix, comparator.levels.index("different"))
        for base, comparator in veto_checks
    )

    def compare(i: int, j: int) -> int:
        pattern = 0
        for column, function, base, missing in head:
            a = column[i]
            b = column[j]
            if a is None or b is None:
                pattern += missing
            elif a != b:
                pattern += function(a, b) * base
        if has_names:
            given_level = (pattern // given_base) % _NAME_RADIX
            family_level = (pattern // family_base) % _NAME_RADIX
            if (given_level >= 2 or family_level >= 2) and _NAME_MISSING not in (
                given_level,
                family_level,
            ):
                pattern = _crosswise(pattern, i, j, given_level, family_level)
                given_level = (pattern // given_base) % _NAME_RADIX
                family_level = (pattern // family_base) % _NAME_RADIX
            if given_level == _NAME_DIFFERENT and _same_code(given_codes, i, j):
                given_a, given_b = given[i], given[j]
                if given_a is not None and given_b is not None and not _other_sex(given_a, given_b):
                    pattern -= given_base  # different → alike
            if family_level == _NAME_DIFFERENT and _same_code(family_codes, i, j):
                pattern -= family_base
        for base, radix, different in veto_levels:
            if (pattern // base) % radix == different:
                return VETOED
        for column, function, base, missing in tail:
            a = column[i]
            b = column[j]
            if a is None or b is None:
                pattern += missing
            elif a != b:
                pattern += function(a, b) * base
        return pattern

    def _crosswise(pattern: int, i: int, j: int, given_level: int, family_level: int) -> int:
        given_a, family_a, given_b, family_b = given[i], family[i], given[j], family[j]
        assert given_a is not None
        assert family_a is not None
        assert given_b is not None
        assert family_b is not None
        if given_a[0] != family_b[0] and family_a[0] != given_b[0]:
            return pattern  # swapped names keep at least one initial
        cross_given = 0 if given_a == family_b else compare_given_name(given_a, family_b)
        cross_family = 0 if family_a == given_b else compare_family_name(family_a, given_b)
        if cross_given + cross_family < given_level + family_level:
            pattern += (cross_given - given_level) * given_base
            pattern += (cross_family - family_level) * family_base
        return pattern

    return compare
