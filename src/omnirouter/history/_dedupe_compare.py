"""Comparators: how two normalised values agree, as a small level number per field.

A pair of records becomes one integer, its *comparison pattern*: the level of every
field in mixed radix. Patterns are what the probabilistic model counts and weighs, so
no per-pair object is ever built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import compress
from operator import not_

import attrs
import jellyfish

from omnirouter.history._given_names import name_sex

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
    if len(short) >= 3 and long.startswith(short) and long[len(short) :] in _SEX_ENDINGS:
        return True
    sex_a = name_sex(a)
    return sex_a is not None and name_sex(b) not in (None, sex_a)


# Levels of the two name fields. "exact, common name" is an exact agreement on one of
# the file's frequent values (term frequency: agreeing on "Müller" says less than on
# "Wunderlich"); "sounds alike" is a spelling that differs but shares a Kölner code.
_NAME_LEVELS = ("exact", "exact, common name", "similar", "alike", "sounds alike", "different")
_GIVEN_LEVELS = (*_NAME_LEVELS, "other sex")
EXACT, COMMON, SIMILAR, ALIKE, SOUNDS_ALIKE, DIFFERENT, OTHER_SEX = range(7)
# A family name that differs while given name and birth date agree: the change of
# name at marriage, weighed by its own learned m and u.
_FAMILY_LEVELS = (*_NAME_LEVELS, "changed")
CHANGED = 6


def compare_given_name(a: str, b: str) -> int:
    """2 similar, 3 alike (or an initial), 5 different, 6 another sex (equal values: 0)."""
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return ALIKE
    similarity = _jaro_winkler(a, b)
    if similarity < 0.84 and not within_one_edit(a, b):
        if a in b.split() or b in a.split():  # "hans" and "hans peter"
            return SIMILAR
        return OTHER_SEX if _other_sex(a, b) else DIFFERENT
    if _other_sex(a, b):
        return OTHER_SEX
    if similarity >= 0.94 or a in b.split() or b in a.split():
        return SIMILAR
    return ALIKE


def compare_family_name(a: str, b: str) -> int:
    """2 similar, 3 alike (or one part of a double name), 5 different (equal values: 0)."""
    similarity = _jaro_winkler(a, b)
    if similarity >= 0.94:
        return SIMILAR
    if similarity >= 0.84 or a in b.split() or b in a.split():
        return ALIKE
    return DIFFERENT


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
    """0 exact, 1 one typo, 2 the same mailbox name at another provider, 3 different."""
    if within_one_edit(a, b):
        return 1
    if a.partition("@")[0] == b.partition("@")[0]:
        return 2
    return 3


# Phone levels: an agreeing mobile number is one person's, a landline may be a
# household's; two different mobile numbers speak against one person, a landline and
# a mobile number hardly.
_PHONE_LEVELS = ("exact, mobile", "exact", "one typo", "different", "different mobiles")
_PHONE_EXACT, _PHONE_TYPO, _PHONE_DIFFERENT, _PHONE_MOBILES = 1, 2, 3, 4
# Mobile numbers by their country code and prefix (E.164 digits): Germany's 015, 016, 017.
_MOBILE_PREFIXES = ("4915", "4916", "4917")


def is_mobile(phone: str) -> bool:
    """Whether phone digits with country code are a (German) mobile number."""
    return phone.startswith(_MOBILE_PREFIXES)


def _phone_level(level: int, a: str | None, b: str | None) -> int:
    """Tell an exact mobile from an exact landline, and different mobiles apart."""
    if level == 0:
        return level if is_mobile(a) else _PHONE_EXACT  # type: ignore[arg-type]
    if level == _PHONE_DIFFERENT and is_mobile(a) and is_mobile(b):  # type: ignore[arg-type]
        return _PHONE_MOBILES
    return level


def compare_phone(a: str, b: str) -> int:
    """Digits with country code: 0 exact mobile, 1 exact, 2 one typo, 3 different."""
    return _PHONE_TYPO if within_one_edit(a, b) else _PHONE_DIFFERENT


def compare_place(a: str, b: str) -> int:
    """Street, city or address line: 0 exact, 1 similar, 2 different."""
    return 1 if _jaro_winkler(a, b) >= 0.9 else 2


def compare_code(a: str, b: str) -> int:
    """Postcode: 0 exact, 1 one typo, 2 different."""
    return 1 if within_one_edit(a, b) else 2


def compare_exact(a: str, b: str) -> int:
    """House number and the like: 0 exact, 1 different (equal values never get here)."""
    return 1


def _no_compare(a: str, b: str) -> int:  # pragma: no cover - the address is never compared
    raise AssertionError("the address is compared from its parts")


#: The parts the address is compared from, as one correlated unit.
ADDRESS_PARTS = ("street", "house_number", "postcode", "city", "address_extra")
# Address levels: the same home; the same building (another flat, or the town unknown);
# the same street; the same town; another town (moved).
ADDRESS_LEVELS = ("same", "same building", "same street", "same town", "moved")
SAME, SAME_BUILDING, SAME_STREET, SAME_TOWN, MOVED = range(5)


def address_level(street: int, house: int, postcode: int, city: int, extra: int) -> int:
    """The address level from its parts' levels (the last level of each part: missing).

    ``street``, ``city``, ``extra``: 0 exact, 1 similar, 2 different, 3 missing;
    ``house``: 0 exact, 1 different, 2 missing; ``postcode``: 0 exact, 1 one typo,
    2 different, 3 missing. Returns ``len(ADDRESS_LEVELS)`` when nothing can be said.
    """
    town_same = postcode == 0 or city <= 1 or (postcode == 1 and city == 3)
    town_known = postcode != 3 or city != 3
    street_same = street <= 1
    if street_same and house == 0:
        if town_same:
            return SAME_BUILDING if extra == 2 else SAME
        if not town_known:
            return SAME_BUILDING
    if street_same and (town_same or not town_known):
        return SAME_STREET
    if town_same:
        return SAME_TOWN
    if town_known:
        return MOVED
    return len(ADDRESS_LEVELS)


# Every combination of the parts' levels, as a flat table indexed in mixed radix.
_PART_RADIX = (4, 3, 4, 4, 4)
_ADDRESS_TABLE = [
    address_level(s, h, p, c, e)
    for e in range(4)
    for c in range(4)
    for p in range(4)
    for h in range(3)
    for s in range(4)
]


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


_SIMPLE_LEVELS = ("exact", "similar", "different")
_COMPARATORS: dict[str, tuple[Callable[[str, str], int], tuple[str, ...]]] = {
    "given_name": (compare_given_name, _GIVEN_LEVELS),
    "family_name": (compare_family_name, _FAMILY_LEVELS),
    "birth_date": (compare_birth_date, ("exact", "day/month swapped", "one typo", "different")),
    "email": (compare_email, ("exact", "one typo", "same name, other provider", "different")),
    "phone": (compare_phone, _PHONE_LEVELS),
    "address": (_no_compare, ADDRESS_LEVELS),
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
_GIVEN_MISSING = len(_GIVEN_LEVELS)
_FAMILY_MISSING = len(_FAMILY_LEVELS)
_BIRTH_DIFFERENT = 3
_BIRTH_SWAPPED = 1
_PERSON_FIELDS: tuple[str, ...] = ("given_name", "family_name", "birth_date")
_CONTACT_FIELDS: tuple[str, ...] = ("email", "phone")


def comparator_for(field: str) -> FieldComparator:
    """The comparator of a compared field (``address``: the parts as one unit)."""
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
class Comparison:
    """The comparison patterns of the pairs, and the household members found among them."""

    patterns: list[int]
    households: int


@attrs.frozen
class PairComparer:
    """Compares candidate pairs column by column into comparison patterns.

    ``columns`` holds the normalised values by field name (the address by its parts,
    :data:`ADDRESS_PARTS`). Given and family name are also compared crosswise, so a
    record with the two names swapped agrees rather than disagrees. Names that differ
    in spelling but share a Kölner code (``given_codes``/``family_codes``: "Jörg" and a
    typed "Jrog", "Meyer" and "Maier") are ``sounds alike`` rather than ``different``.
    An exact name among the ``common`` values of its field is ``exact, common name``.

    With ``hard_veto``, a pair whose given names are of another sex, or whose given
    names and birth dates both clearly differ, is two people whatever the model says:
    it gets :data:`VETOED` and its contact and address fields are not compared — but
    only in a file that has households (see :meth:`compare`).
    """

    codec: PatternCodec
    columns: Mapping[str, Column]
    given_codes: Sequence[str | None] = ()
    family_codes: Sequence[str | None] = ()
    common: Mapping[str, frozenset[str]] = attrs.field(factory=dict)
    hard_veto: bool = False
    households_at_least: int = 0

    def patterns(self, first: Sequence[int], second: Sequence[int]) -> list[int]:
        """The comparison pattern of every pair ``(first[k], second[k])``."""
        return self.compare(first, second).patterns

    def compare(self, first: Sequence[int], second: Sequence[int]) -> Comparison:
        """The patterns of the pairs, and how many of them look like household members.

        With ``hard_veto`` the pairs that are two people whatever the model says are
        counted as household members when they share family name and home. Only when
        there are at least ``households_at_least`` of them (the file has households)
        are those pairs vetoed; otherwise they are compared like any other.
        """
        codec = self.codec
        comparators = {comparator.field: comparator for comparator in codec.comparators}
        count = len(first)
        positions: list[int] = list(range(count))
        levels: dict[str, list[int]] = {}
        person = [
            field for field in ("given_name", "family_name", "birth_date") if field in comparators
        ]
        for name in person:
            comparator = comparators[name]
            levels[name] = _field_levels(
                self.columns[name], first, second, comparator.compare, comparator.missing
            )
        if "given_name" in levels and "family_name" in levels:
            self._adjust_names(first, second, levels["given_name"], levels["family_name"])
        households = 0
        if self.hard_veto and "given_name" in levels:
            vetoed = self._vetoed(levels["given_name"], levels.get("birth_date"))
            households = self._households(first, second, vetoed, levels.get("family_name"))
            if households >= self.households_at_least and any(vetoed):
                kept = list(compress(range(count), map(not_, vetoed)))
                positions = kept
                first = [first[k] for k in kept]
                second = [second[k] for k in kept]
                levels = {field: [values[k] for k in kept] for field, values in levels.items()}
        for field in _PERSON_FIELDS[:2]:
            if field in levels and self.common.get(field):
                self._mark_common(field, first, levels[field])
        if "family_name" in levels and "given_name" in levels and "birth_date" in levels:
            levels["family_name"] = [
                CHANGED if f == DIFFERENT and g <= SIMILAR and b <= _BIRTH_SWAPPED else f
                for f, g, b in zip(
                    levels["family_name"], levels["given_name"], levels["birth_date"], strict=True
                )
            ]
        for field in _CONTACT_FIELDS:
            if field in comparators:
                comparator = comparators[field]
                levels[field] = _field_levels(
                    self.columns[field], first, second, comparator.compare, comparator.missing
                )
        if "phone" in levels:
            phones = self.columns["phone"]
            levels["phone"] = [
                _phone_level(level, phones[i], phones[j])
                for level, i, j in zip(levels["phone"], first, second, strict=True)
            ]
        if "address" in comparators:
            levels["address"] = self._address_levels(first, second)
        partial = [0] * len(first)
        for comparator, base in zip(codec.comparators, codec.bases, strict=True):
            partial = [
                pattern + level * base
                for pattern, level in zip(partial, levels[comparator.field], strict=True)
            ]
        if len(positions) == count:
            return Comparison(partial, households)
        result = [VETOED] * count
        for position, pattern in zip(positions, partial, strict=True):
            result[position] = pattern
        return Comparison(result, households)

    def _households(
        self,
        first: Sequence[int],
        second: Sequence[int],
        vetoed: list[bool],
        family: list[int] | None,
    ) -> int:
        """How many vetoed pairs share family name and home: household members."""
        if family is None or "address" not in {c.field for c in self.codec.comparators}:
            return 0
        chosen = [
            position
            for position in compress(range(len(vetoed)), vetoed)
            if family[position] <= SOUNDS_ALIKE
        ]
        homes = self._address_levels([first[k] for k in chosen], [second[k] for k in chosen])
        return sum(level <= SAME_BUILDING for level in homes)

    @staticmethod
    def _vetoed(given: list[int], birth: list[int] | None) -> list[bool]:
        """Another sex, or given name and birth date both clearly different."""
        if birth is None:
            return [level == OTHER_SEX for level in given]
        return [
            g == OTHER_SEX or (g in (SOUNDS_ALIKE, DIFFERENT) and b == _BIRTH_DIFFERENT)
            for g, b in zip(given, birth, strict=True)
        ]

    def _mark_common(self, field: str, first: Sequence[int], field_levels: list[int]) -> None:
        column, common = self.columns[field], self.common[field]
        for position in compress(range(len(field_levels)), map(EXACT.__eq__, field_levels)):
            if column[first[position]] in common:
                field_levels[position] = COMMON

    def _address_levels(self, first: Sequence[int], second: Sequence[int]) -> list[int]:
        parts = []
        for part, radix in zip(ADDRESS_PARTS, _PART_RADIX, strict=True):
            column = self.columns.get(part)
            if column is None:
                parts.append([radix - 1] * len(first))
                continue
            comparator = comparator_for(part)
            parts.append(_field_levels(column, first, second, comparator.compare, radix - 1))
        table = _ADDRESS_TABLE
        return [
            table[s + 4 * (h + 3 * (p + 4 * (c + 4 * e)))]
            for s, h, p, c, e in zip(*parts, strict=True)
        ]

    def _adjust_names(
        self,
        first: Sequence[int],
        second: Sequence[int],
        given_levels: list[int],
        family_levels: list[int],
    ) -> None:
        """Crosswise comparison and shared Kölner codes, for the pairs whose names differ."""
        given = self.columns["given_name"]
        family = self.columns["family_name"]
        given_codes, family_codes = self.given_codes, self.family_codes
        compare_given = _memoised(compare_given_name)
        compare_family = _memoised(compare_family_name)
        unsure = compress(
            range(len(first)),
            map(ALIKE.__le__, map(max, given_levels, family_levels)),
        )
        for position in unsure:
            given_level, family_level = given_levels[position], family_levels[position]
            i, j = first[position], second[position]
            if given_level != _GIVEN_MISSING and family_level != _FAMILY_MISSING:
                given_a, given_b = given[i], given[j]
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
                given_level == DIFFERENT
                and given_codes
                and given_codes[i] is not None
                and given_codes[i] == given_codes[j]
            ):
                given_level = SOUNDS_ALIKE
            if (
                family_level == DIFFERENT
                and family_codes
                and family_codes[i] is not None
                and family_codes[i] == family_codes[j]
            ):
                family_level = SOUNDS_ALIKE
            given_levels[position], family_levels[position] = given_level, family_level
