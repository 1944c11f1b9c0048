"""What a cluster's workers do for the duplicate finder: read, block and compare a part.

Every function here takes and returns plain pandas frames, NumPy arrays and small
dictionaries, so Dask can ship them between processes. They reuse the single-process
finder's own steps (reading and normalising, the blocking keys, the pair comparer), so
a pair compared on a worker gets the very pattern it gets in one process.

Pairs are compared with or without the hard veto of household members, as the client
says (whether the veto stands depends on the whole file's household count); each part
counts the household members among its vetoed pairs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations, compress
from typing import Any, TypeVar, cast

import attrs

from omnirouter._optional import import_optional
from omnirouter.history._bulk import collector_paused
from omnirouter.history._dedupe_blocking import (
    PASSES,
    blocking_keys,
    phonetic_codes,
    sort_key_column,
)
from omnirouter.history._dedupe_compare import PairComparer, PatternCodec
from omnirouter.history._dedupe_fields import COMPARED_FIELDS, read_columns
from omnirouter.history._dedupe_shares import sharing_columns

__all__ = [
    "BLOCK",
    "HASH",
    "ID",
    "ROW",
    "SORT",
    "CompareSettings",
    "Scored",
    "block_labels",
    "column_lists",
    "head",
    "label_hashes",
    "labels_with_hashes",
    "normalise_part",
    "normalised_meta",
    "rows_in",
    "score_blocks",
    "score_neighbours",
    "select_pairs",
    "sharing_frame",
    "sort_labels",
]

ROW = "row"
ID = "id"
GIVEN_CODE = "given_code"
FAMILY_CODE = "family_code"
BLOCK = "block"
HASH = "hash"
SORT = "sort"
_SEPARATOR = "\x1f"
_STRING = "string[pyarrow]"
# An order key says where the single-process finder meets a pair first:
# (pass, first record of the block, record a, record b), or for the sorted
# neighbourhood (number of passes, distance, sort key of the first record).
OrderKey = tuple[Any, ...]


F = TypeVar("F", bound=Callable[..., Any])


def _paused(function: F) -> F:
    """Runs a worker step with the cyclic garbage collector paused, as the finder does.

    The steps build millions of small objects but no reference cycles; the collector
    would only walk the growing heap again and again.
    """

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        with collector_paused():
            return function(*args, **kwargs)

    return cast(F, paused)


def _pandas() -> Any:
    return import_optional("pandas", "distributed")


def _numpy() -> Any:
    return import_optional("numpy", "distributed")


def normalised_meta() -> Any:
    """An empty frame with the columns and types :func:`normalise_part` returns."""
    pandas = _pandas()
    columns: dict[str, Any] = {ROW: pandas.Series([], dtype="int64")}
    for name in (ID, *COMPARED_FIELDS, GIVEN_CODE, FAMILY_CODE):
        columns[name] = pandas.Series([], dtype=_STRING)
    return pandas.DataFrame(columns)


@_paused
def normalise_part(
    frame: Any,
    offsets: Sequence[int],
    *,
    id_field: str,
    fields: Mapping[str, str] | None,
    default_region: str,
    partition_info: Mapping[str, Any] | None = None,
) -> Any:
    """One input part read and normalised as :func:`read_columns` does, with row numbers.

    ``offsets[n]`` is the number of records in the parts before part ``n``, so every
    record gets its position in the whole file (``row``), which orders pairs and
    records exactly as the single-process finder does.
    """
    pandas = _pandas()
    number = partition_info["number"] if partition_info else 0
    if not len(frame):
        return normalised_meta()
    names = [str(name) for name in frame.columns]
    cells = [frame[name].to_numpy(dtype=object, na_value=None).tolist() for name in frame.columns]
    records = [dict(zip(names, row, strict=True)) for row in zip(*cells, strict=True)]
    columns = read_columns(records, id_field=id_field, fields=fields, default_region=default_region)
    values = columns.values
    data: dict[str, Any] = {
        ROW: pandas.Series(range(offsets[number], offsets[number] + len(records)), dtype="int64"),
        ID: pandas.Series(columns.ids, dtype=_STRING),
    }
    for name in COMPARED_FIELDS:
        data[name] = pandas.Series(values[name], dtype=_STRING)
    data[GIVEN_CODE] = pandas.Series(phonetic_codes(values["given_name"]), dtype=_STRING)
    data[FAMILY_CODE] = pandas.Series(phonetic_codes(values["family_name"]), dtype=_STRING)
    return pandas.DataFrame(data)


def column_lists(frame: Any, names: Sequence[str]) -> dict[str, list[str | None]]:
    """Columns of a normalised frame as lists, ``None`` for a missing value."""
    result = {}
    for name in names:
        result[name] = frame[name].to_numpy(dtype=object, na_value=None).tolist()
    return result


def _compared_lists(frame: Any, names: Sequence[str]) -> dict[str, list[str | None]]:
    """:func:`column_lists` with equal values as one string object, as the one-process
    reader makes them: hashed once, and compared by identity first in the memos."""
    result = column_lists(frame, names)
    canonical: dict[str | None, str | None] = {}
    for name, values in result.items():
        result[name] = [canonical.setdefault(value, value) for value in values]
    return result


def _values_and_codes(
    frame: Any, *, compared: bool = False
) -> tuple[dict[str, list[str | None]], list[str | None], list[str | None]]:
    read = _compared_lists if compared else column_lists
    lists = read(frame, (*COMPARED_FIELDS, GIVEN_CODE, FAMILY_CODE))
    given, family = lists.pop(GIVEN_CODE), lists.pop(FAMILY_CODE)
    return lists, given, family


def label_hashes(labels: Sequence[str]) -> Any:
    """A 64-bit hash of every block label, the same in every process."""
    pandas, numpy = _pandas(), _numpy()
    if not labels:
        return numpy.zeros(0, dtype="uint64")
    return pandas.util.hash_array(numpy.asarray(labels, dtype=object))


@_paused
def block_labels(
    frame: Any,
    shared: Any | None = None,
    oversized: frozenset[str] = frozenset(),
    *,
    hashes_only: bool = False,
) -> Any:
    """One row per record and pass with a key, labelled by pass and key (``block``).

    ``hashes_only``: just the labels' hashes (``hash``), for counting block sizes.
    Otherwise only the keys whose hash is in ``shared`` (a sorted array of the hashes
    of blocks of two to ``max_block_size`` records) are kept, with the record's values
    and without its id: a record alone under a key is never shipped, and no worker
    ever holds an oversized block. Without ``shared``, every key but the ``oversized``
    labels is kept.
    """
    pandas, numpy = _pandas(), _numpy()
    values, given, family = _values_and_codes(frame)
    positions: list[int] = []
    labels: list[str] = []
    for number, keys in enumerate(blocking_keys(values, given, family)):
        for position, key in enumerate(keys):
            if key is not None:
                positions.append(position)
                labels.append(f"{number}{_SEPARATOR}{key}")
    hashes = label_hashes(labels)
    if hashes_only:
        return pandas.DataFrame({HASH: pandas.Series(hashes, dtype="uint64")})
    if shared is not None:
        kept = numpy.isin(hashes, shared, assume_unique=False)
    else:  # too many shared keys to send: every keyed record but the oversized blocks'
        kept = numpy.fromiter((label not in oversized for label in labels), bool, len(labels))
    if len(labels):
        positions = numpy.asarray(positions, dtype="int64")[kept].tolist()
        labels = list(compress(labels, kept.tolist()))
    result = frame.iloc[positions].drop(columns=[ID]).reset_index(drop=True)
    result[BLOCK] = pandas.Series(labels, dtype=_STRING)
    return result


@_paused
def labels_with_hashes(frame: Any, hashes: Any) -> Any:
    """The block labels of one part whose hash is in ``hashes`` (each once)."""
    pandas, numpy = _pandas(), _numpy()
    values, given, family = _values_and_codes(frame)
    labels = [
        f"{number}{_SEPARATOR}{key}"
        for number, keys in enumerate(blocking_keys(values, given, family))
        for key in keys
        if key is not None
    ]
    kept = numpy.isin(label_hashes(labels), hashes).tolist()
    return pandas.DataFrame(
        {BLOCK: pandas.Series(sorted(set(compress(labels, kept))), dtype=_STRING)}
    )


@_paused
def sharing_frame(frame: Any, fields: Sequence[str], towns_from_postcode: bool) -> Any:
    """The columns whose value counts give the shares of agreeing pairs (one part)."""
    pandas = _pandas()
    values = column_lists(frame, COMPARED_FIELDS)
    columns = sharing_columns(values, fields, towns_from_postcode=towns_from_postcode)
    return pandas.DataFrame(
        {name: pandas.Series(column, dtype=_STRING) for name, column in columns.items()}
    )


@_paused
def sort_labels(frame: Any) -> Any:
    """The frame with its sorted-neighbourhood key (``sort``): name key, then row."""
    pandas = _pandas()
    values = column_lists(frame, ("family_name", "given_name"))
    rows = frame[ROW].tolist()
    keys = [f"{key}\x00{row:020d}" for key, row in zip(sort_key_column(values), rows, strict=True)]
    result = frame.copy()
    result[SORT] = pandas.Series(keys, index=frame.index, dtype=_STRING)
    return result


@attrs.frozen
class Scored:
    """The compared pairs of one part: rows, patterns, and what the client needs to know.

    ``first_seen`` maps each pattern to its count and the order key of its first pair,
    so that the client can list the patterns in the order one process meets them.
    """

    first: Any
    second: Any
    patterns: Any
    first_seen: dict[int, tuple[int, OrderKey]]
    per_pass: dict[int, int]
    households: int

    def summary(self) -> tuple[dict[int, tuple[int, OrderKey]], dict[int, int], int]:
        """What the client gathers from every part (the pairs stay on the worker)."""
        return self.first_seen, self.per_pass, self.households


def _found_before(
    keys: Sequence[Sequence[str | None]],
    passes: int,
    a: int,
    b: int,
    oversized: frozenset[str],
) -> bool:
    """Whether one of the first ``passes`` passes puts records ``a`` and ``b`` in one block."""
    for number in range(passes):
        key = keys[number][a]
        if (
            key is not None
            and key == keys[number][b]
            and f"{number}{_SEPARATOR}{key}" not in oversized
        ):
            return True
    return False


def _scored(
    frame: Any,
    first: list[int],
    second: list[int],
    orders: list[OrderKey],
    per_pass: dict[int, int],
    settings: CompareSettings,
    columns: tuple[dict[str, list[str | None]], list[str | None], list[str | None]],
) -> Scored:
    numpy = _numpy()
    values, given, family = columns
    compared = {field: values[field] for field in settings.compared}
    comparer = PairComparer(
        settings.codec,
        compared,
        given,
        family,
        settings.common,
        hard_veto=settings.veto,
        households_at_least=0,
    )
    comparison = comparer.compare(first, second) if first else None
    patterns = comparison.patterns if comparison else []
    rows = frame[ROW].to_numpy(dtype="int64") if len(frame) else numpy.zeros(0, "int64")
    first_rows = rows[numpy.asarray(first, dtype="int64")]
    second_rows = rows[numpy.asarray(second, dtype="int64")]
    low = numpy.minimum(first_rows, second_rows)
    high = numpy.maximum(first_rows, second_rows)
    first_seen: dict[int, tuple[int, OrderKey]] = {}
    for pattern, order in zip(patterns, orders, strict=True):
        seen = first_seen.get(pattern)
        if seen is None:
            first_seen[pattern] = (1, order)
        else:
            first_seen[pattern] = (seen[0] + 1, min(seen[1], order))
    return Scored(
        first=low,
        second=high,
        patterns=numpy.asarray(patterns, dtype="int64"),
        first_seen=first_seen,
        per_pass=per_pass,
        households=comparison.households if comparison else 0,
    )


@attrs.frozen
class CompareSettings:
    """What every worker compares with: the fields, the codec, the file's common names,
    the oversized blocks' labels and whether pairs get the hard veto."""

    codec: PatternCodec
    compared: tuple[str, ...]
    common: Mapping[str, frozenset[str]]
    oversized: frozenset[str]
    veto: bool = False


@_paused
def score_blocks(frame: Any, settings: CompareSettings) -> Scored:
    """Compare every pair of every block in one shuffled part, block after block.

    A pair an earlier pass already puts in one block is left to that pass, so every
    pair is compared once, as in one process.
    """
    # Most keys belong to one record: only the records that share theirs are compared.
    frame = frame[frame[BLOCK].duplicated(keep=False)]
    if not len(frame):
        return _scored(frame, [], [], [], {}, settings, ({}, [], []))
    frame = frame.sort_values([BLOCK, ROW], kind="stable").reset_index(drop=True)
    columns = _values_and_codes(frame, compared=True)
    values, given, family = columns
    keys = blocking_keys(values, given, family)
    labels = column_lists(frame, (BLOCK,))[BLOCK]
    rows = frame[ROW].tolist()
    first: list[int] = []
    second: list[int] = []
    orders: list[OrderKey] = []
    per_pass: dict[int, int] = {}
    start = 0
    while start < len(labels):
        end = start + 1
        while end < len(labels) and labels[end] == labels[start]:
            end += 1
        size = end - start
        if size > 1:
            number = int(str(labels[start]).partition(_SEPARATOR)[0])
            smallest = rows[start]
            found = 0
            for a, b in combinations(range(start, end), 2):
                if number and _found_before(keys, number, a, b, settings.oversized):
                    continue
                first.append(a)
                second.append(b)
                orders.append((number, smallest, rows[a], rows[b]))
                found += 1
            per_pass[number] = per_pass.get(number, 0) + found
        start = end
    return _scored(frame, first, second, orders, per_pass, settings, columns)


@_paused
def score_neighbours(frame: Any, following: Any, window: int, settings: CompareSettings) -> Scored:
    """The sorted-neighbourhood pairs starting in one part of the records sorted by name.

    ``following`` holds the first ``window - 1`` records after this part, so pairs that
    cross into the next part are found too (by this part, once).
    """
    pandas = _pandas()
    own = len(frame)
    if not own:
        return _scored(frame, [], [], [], {}, settings, ({}, [], []))
    joined = pandas.concat([frame, following], ignore_index=True)
    columns = _values_and_codes(joined, compared=True)
    values, given, family = columns
    keys = blocking_keys(values, given, family)
    sort_keys = column_lists(joined, (SORT,))[SORT]
    rows = joined[ROW].tolist()
    passes = len(PASSES)
    first: list[int] = []
    second: list[int] = []
    orders: list[OrderKey] = []
    for distance in range(1, window):
        for position in range(min(own, len(joined) - distance)):
            other = position + distance
            if _found_before(keys, passes, position, other, settings.oversized):
                continue
            # The record read first is compared first, as in one process.
            low, high = (position, other) if rows[position] < rows[other] else (other, position)
            first.append(low)
            second.append(high)
            orders.append((passes, distance, sort_keys[position]))
    per_pass = {passes: len(first)}
    return _scored(joined, first, second, orders, per_pass, settings, columns)


def head(frame: Any, following: Any, count: int) -> Any:
    """The first ``count`` records of a part and of the records ``following`` it."""
    if len(frame) >= count:
        return frame.iloc[:count]
    return _pandas().concat([frame, following], ignore_index=True).iloc[:count]


def select_pairs(
    scored: Scored, patterns: frozenset[int], both_in: Any | None = None
) -> tuple[Any, Any, Any]:
    """The pairs of a part whose pattern is in ``patterns`` (rows a, rows b, patterns).

    With ``both_in`` (a sorted array of rows) only pairs whose two records are in it.
    """
    numpy = _numpy()
    wanted = numpy.isin(scored.patterns, numpy.fromiter(patterns, dtype="int64"))
    if both_in is not None:
        wanted &= numpy.isin(scored.first, both_in, assume_unique=False)
        wanted &= numpy.isin(scored.second, both_in, assume_unique=False)
    return scored.first[wanted], scored.second[wanted], scored.patterns[wanted]


def rows_in(frame: Any, rows: Any, names: Sequence[str]) -> Any:
    """The records of a part whose row is in ``rows``, with the columns ``names``."""
    return frame.loc[frame[ROW].isin(rows), list(names)]
