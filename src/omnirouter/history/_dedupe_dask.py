"""The duplicate finder on Dask: the same result as one process, computed on a cluster.

What runs where:

* **workers** read and normalise their part of the file (each record gets its row
  number in the whole file), count values (common names, shares of agreeing pairs,
  block sizes), and compare pairs: the records are shuffled by blocking key (one row
  per record and pass), so each worker compares the blocks of its part one after the
  other, and sorted by name for the sorted-neighbourhood pass. Compared pairs stay on
  the workers.
* **the client** gathers small things only: the comparison patterns with their counts
  (a few thousand at most), the keys of oversized blocks, the records of the random
  pairs that estimate u (at most 40,000), then the matched pairs and the
  cannot-link pairs between matched records, and clusters them with the same
  union-find as one process (connected components that never join two groups a
  cannot-link keeps apart). Its memory grows with the number of duplicates, not of
  records.

The model is estimated as in one process: m and the prior by EM over the pattern counts
of all compared pairs (added up from the workers), u from random pairs of records drawn
with the same seeded generator and from the values' frequencies. Pairs are compared with
the hard veto of household members; it stands only if the whole file shows households,
so a file with too few is compared again without it.
"""

from __future__ import annotations

import os
import random
from array import array
from collections import Counter
from collections.abc import Callable, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any, Final

from omnirouter._optional import import_optional
from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history._dedupe_blocking import PASSES, CandidatePairs
from omnirouter.history._dedupe_compare import (
    ADDRESS_PARTS,
    VETOED,
    PairComparer,
    PatternCodec,
    comparator_for,
)
from omnirouter.history._dedupe_dask_tasks import (
    BLOCK,
    HASH,
    ID,
    ROW,
    SORT,
    CompareSettings,
    Scored,
    block_labels,
    column_lists,
    head,
    labels_with_hashes,
    normalise_part,
    normalised_meta,
    rows_in,
    score_blocks,
    score_neighbours,
    select_pairs,
    sharing_frame,
    sort_labels,
)
from omnirouter.history._dedupe_em import estimate_model
from omnirouter.history._dedupe_fields import COMPARED_FIELDS
from omnirouter.history._dedupe_guard import guard_vetoes
from omnirouter.history._dedupe_shares import shares_from_sharing, sharing_pairs

__all__ = ["MAX_CLUSTER_BLOCK_SIZE", "find_duplicates_on_dask", "is_dask_input"]

#: The largest ``max_block_size`` the cluster path takes: a block of this many records
#: makes 12.5 million pairs, compared by one worker in one go.
MAX_CLUSTER_BLOCK_SIZE: Final = 5_000
# Records per shuffled part (one row per record and pass): about 100 MB of text.
_ROWS_PER_PART = 200_000
# Up to this many shared block keys, their hashes (8 bytes each) go to every worker so
# that a record alone under a key is never shuffled; beyond, every keyed record is.
_MOST_SHARED = 50_000_000
# Distinct values counted in one part (a value count of about 100 MB).
_COUNTS_PER_PART = 4_000_000

Progress = Callable[[str, int, int], None]


def is_dask_input(records: object) -> bool:
    """Whether ``records`` is a path to Parquet or CSV files, or a Dask DataFrame."""
    if isinstance(records, str | os.PathLike):
        return True
    return type(records).__module__.split(".")[0] in ("dask", "dask_expr")


def _read(source: object) -> Any:
    frames = import_optional("dask.dataframe", "distributed")
    if not isinstance(source, str | os.PathLike):
        return source
    path = Path(source)
    name = str(source)
    if path.is_dir() or path.suffix == ".parquet":
        return frames.read_parquet(name)
    if path.suffix == ".csv":
        # Text as written: birth dates, postcodes and phone numbers keep their zeros,
        # and only an empty cell is missing (a family name "NA" is a name).
        return frames.read_csv(name, dtype=str, keep_default_na=False, na_values=[""])
    raise ValidationError(
        "records",
        [
            ErrorDetail(
                ["records"], "a path must name Parquet files (a folder or *.parquet) or *.csv"
            )
        ],
    )


def _check_block_size(max_block_size: int) -> None:
    if max_block_size > MAX_CLUSTER_BLOCK_SIZE:
        from omnirouter.history.duplicates import BlockTooLargeError

        raise BlockTooLargeError(max_block_size, MAX_CLUSTER_BLOCK_SIZE)


def find_duplicates_on_dask(
    source: object,
    *,
    id_field: str,
    fields: Mapping[str, str] | None,
    threshold: float,
    default_region: str,
    household_guard: bool,
    window: int,
    max_block_size: int,
    rng: random.Random,
    progress: Progress | None,
) -> Any:
    """:func:`~omnirouter.history.find_duplicates` on Dask (see the module documentation)."""
    _check_block_size(max_block_size)
    run = _Run(_read(source), progress)
    normalised = run.normalise(id_field, fields, default_region)
    return run.finish(
        normalised,
        threshold=threshold,
        household_guard=household_guard,
        window=window,
        max_block_size=max_block_size,
        rng=rng,
    )


class _Run:
    """One run on the cluster: the Dask modules, the input and the progress callback."""

    def __init__(self, frame: Any, progress: Progress | None) -> None:
        self.dask = import_optional("dask", "distributed")
        self.numpy = import_optional("numpy", "distributed")
        self.pandas = import_optional("pandas", "distributed")
        self.frame = frame
        self.progress = progress
        self.records = 0
        self.shared: Any | None = None
        self.id_field = "id"

    def told(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(stage, 1, 1)

    def normalise(
        self, id_field: str, fields: Mapping[str, str] | None, default_region: str
    ) -> Any:
        """Every part read and normalised on the workers, kept there (Dask spills to disk)."""
        frame = self.frame
        self.id_field = id_field
        lengths = [int(n) for n in frame.map_partitions(len).compute()]
        offsets = [0, *accumulate(lengths)]
        self.records = offsets[-1]
        normalised = frame.map_partitions(
            normalise_part,
            offsets,
            id_field=id_field,
            fields=fields,
            default_region=default_region,
            meta=normalised_meta(),
        ).persist()
        self.told("read")
        return normalised

    def _value_counts(self, column: Any) -> Any:
        """Counts of a column's values: in one part up to a few million distinct values
        (a tree of partial counts, no shuffle); spread over parts by hash beyond."""
        return column.value_counts(split_out=max(1, -(-self.records // _COUNTS_PER_PART)))

    def finish(
        self,
        normalised: Any,
        *,
        threshold: float,
        household_guard: bool,
        window: int,
        max_block_size: int,
        rng: random.Random,
    ) -> Any:
        from omnirouter.history.duplicates import (
            DedupeStats,
            DuplicateResult,
            _active_fields,
            _common_from_counts,
            _evidence_by_pattern,
            _households_at_least,
            _link_and_cluster,
            _linked_and_apart,
            _random_pairs,
        )

        dask, records = self.dask, self.records
        hashes = normalised.map_partitions(
            block_labels, hashes_only=True, meta=_hashes_meta(self.pandas)
        )
        sizes = self._value_counts(hashes[HASH])
        filled, repeated, given_counts, family_counts, shared, oversized_hashes = dask.compute(
            normalised[list(COMPARED_FIELDS)].count(),
            (self._value_counts(normalised[ID]) > 1).sum(),
            self._value_counts(normalised["given_name"]),
            self._value_counts(normalised["family_name"]),
            sizes[(sizes > 1) & (sizes <= max_block_size)].index,
            sizes[sizes > max_block_size].index,
        )
        if int(repeated):
            detail = f"{int(repeated):,} ids are used by more than one record"
            raise ValidationError("records", [ErrorDetail([self.id_field], detail)])
        present = {field for field in COMPARED_FIELDS if int(filled[field])}
        active = _active_fields(present)
        codec = PatternCodec(tuple(comparator_for(field) for field in active))
        compared = tuple(field for field in (*active, *ADDRESS_PARTS) if field in present)
        common = {
            "given_name": _common_from_counts(given_counts.items(), records),
            "family_name": _common_from_counts(family_counts.items(), records),
        }
        shares = self._shares(normalised, active, common, "city" not in present)
        oversized: frozenset[str] = frozenset()
        if len(oversized_hashes):
            found = normalised.map_partitions(
                labels_with_hashes, oversized_hashes.to_numpy(), meta=_labels_meta(self.pandas)
            ).compute()
            oversized = frozenset(found[BLOCK].tolist())
        oversized_per_pass = Counter(int(label.split("\x1f", 1)[0]) for label in oversized)
        self.shared = self.numpy.sort(shared.to_numpy()) if len(shared) <= _MOST_SHARED else None
        self.told("block")

        # Compared with the hard veto, as in one process; whether it stands depends on
        # the whole file's household count, so a file with too few households is
        # compared again without it (data without households, such as Febrl's).
        veto = household_guard and "given_name" in active
        settings = CompareSettings(codec, compared, common, oversized, veto)
        scored, first_seen, per_pass, households = self._score_and_count(
            normalised, settings, window
        )
        at_least = _households_at_least(records)
        if veto and households < at_least and VETOED in first_seen:
            settings = CompareSettings(codec, compared, common, oversized, False)
            scored, first_seen, per_pass, _ = self._score_and_count(normalised, settings, window)
        household_guard = household_guard and households >= at_least
        self.told("compare")
        vetoed_count = first_seen.pop(VETOED, [0])[0]
        ordered = sorted(first_seen, key=lambda pattern: first_seen[pattern][1])
        pattern_counts = {pattern: first_seen[pattern][0] for pattern in ordered}

        first, second = _random_pairs(records, rng)
        random_counts = self._random_pattern_counts(
            normalised, first, second, codec, compared, common
        )
        model = estimate_model(
            codec,
            pattern_counts,
            random_counts,
            records=records,
            agreement_shares=shares,
        )
        self.told("model")

        evidence_of = _evidence_by_pattern(codec, model, pattern_counts)
        guarded = (
            {pattern for pattern in pattern_counts if guard_vetoes(codec, model, pattern)}
            if household_guard
            else set()
        )
        linked, apart = _linked_and_apart(evidence_of, threshold, guarded)
        candidates, ids = self._cluster_input(normalised, scored, linked, apart)
        pairs, groups, _ = _link_and_cluster(candidates, evidence_of, ids, threshold, guarded)
        cluster_index = {record_id: n for n, group in enumerate(groups) for record_id in group}
        self.told("cluster")
        names = [name for name, _ in PASSES]
        stats = DedupeStats(
            records=records,
            compared_pairs=sum(per_pass.values()),
            pairs_per_pass={
                **{name: per_pass.get(number, 0) for number, name in enumerate(names)},
                f"sorted neighbourhood (window {window})": per_pass.get(len(names), 0),
            },
            oversized_blocks={
                name: oversized_per_pass.get(number, 0) for number, name in enumerate(names)
            },
            vetoed_pairs=vetoed_count + sum(pattern_counts[pattern] for pattern in guarded),
            em_iterations=model.iterations,
            household_pairs=households,
            household_guard=household_guard,
            sampled_records=len(set(first).union(second)),
        )
        return DuplicateResult(
            pairs=pairs, clusters=groups, model=model, stats=stats, cluster_index=cluster_index
        )

    def _shares(
        self,
        normalised: Any,
        active: list[str],
        common: Mapping[str, frozenset[str]],
        towns_from_postcode: bool,
    ) -> dict[str, dict[int, float]]:
        """Shares of agreeing record pairs, from value counts made on the workers."""
        dask = self.dask
        columns = normalised.map_partitions(
            sharing_frame,
            active,
            towns_from_postcode,
            meta=sharing_frame(normalised_meta(), active, towns_from_postcode),
        )
        tasks: list[Any] = []
        for name in columns.columns:
            counts = self._value_counts(columns[name])
            tasks.extend(
                dask.delayed(_sharing_of_part)(name, part, common) for part in counts.to_delayed()
            )
        sharing: dict[str, dict[int, int]] = {}
        for name, part in dask.compute(*tasks):
            totals = sharing.setdefault(name, {})
            for level, count in part.items():
                totals[level] = totals.get(level, 0) + count
        return shares_from_sharing(sharing, active, self.records)

    def _score_and_count(
        self, normalised: Any, settings: CompareSettings, window: int
    ) -> tuple[list[Any], dict[int, list[Any]], Counter[int], int]:
        """Pairs compared on the workers; their patterns' counts and first order keys,
        the pairs per pass and the household members among the vetoed pairs."""
        dask = self.dask
        scored = self._score(normalised, settings, window)
        summaries = dask.compute(*(dask.delayed(_summary)(part) for part in scored))
        first_seen: dict[int, list[Any]] = {}
        per_pass: Counter[int] = Counter()
        households = 0
        for part_seen, part_per_pass, part_households in summaries:
            per_pass.update(part_per_pass)
            households += part_households
            for pattern, (count, order) in part_seen.items():
                seen = first_seen.get(pattern)
                if seen is None:
                    first_seen[pattern] = [count, order]
                else:
                    seen[0] += count
                    seen[1] = min(seen[1], order)
        return scored, first_seen, per_pass, households

    def _score(self, normalised: Any, settings: CompareSettings, window: int) -> list[Any]:
        """Every candidate pair compared on the workers; the results stay there."""
        dask, pandas = self.dask, self.pandas
        # One copy of the shared keys in the graph, however many parts use it.
        shared = None if self.shared is None else dask.delayed(self.shared, pure=True)
        labels = normalised.map_partitions(
            block_labels, shared, settings.oversized, meta=_block_meta(pandas)
        )
        parts = max(normalised.npartitions, -(-self.records * len(PASSES) // _ROWS_PER_PART))
        shuffled = labels.shuffle(on=BLOCK, npartitions=parts)
        tasks = [dask.delayed(score_blocks)(part, settings) for part in shuffled.to_delayed()]
        meta = sort_labels(normalised_meta())
        by_name = normalised.map_partitions(sort_labels, meta=meta).sort_values(SORT)
        sorted_parts = by_name.to_delayed()
        # The records after each part, in a chain from the last part back: one graph, so
        # the records are sorted once.
        following: Any = meta
        neighbours = []
        for part in reversed(sorted_parts):
            neighbours.append(dask.delayed(score_neighbours)(part, following, window, settings))
            following = dask.delayed(head)(part, following, window - 1)
        tasks.extend(reversed(neighbours))
        return list(dask.persist(*tasks))

    def _random_pattern_counts(
        self,
        normalised: Any,
        first: list[int],
        second: list[int],
        codec: PatternCodec,
        compared: tuple[str, ...],
        common: Mapping[str, frozenset[str]],
    ) -> dict[int, int]:
        """The patterns of the random pairs, compared here on the records they draw."""
        if not first:
            return {}
        numpy = self.numpy
        wanted = numpy.unique(numpy.asarray(first + second, dtype="int64"))
        names = [ROW, *COMPARED_FIELDS, "given_code", "family_code"]
        sample = normalised.map_partitions(rows_in, wanted, names).compute()
        sample = sample.sort_values(ROW).reset_index(drop=True)
        position = {row: n for n, row in enumerate(sample[ROW].tolist())}
        lists = column_lists(sample, names[1:])
        comparer = PairComparer(
            codec,
            {field: lists[field] for field in compared},
            lists["given_code"],
            lists["family_code"],
            common,
        )
        patterns = comparer.patterns(
            [position[row] for row in first], [position[row] for row in second]
        )
        return dict(Counter(patterns))

    def _cluster_input(
        self,
        normalised: Any,
        scored: list[Any],
        linked: set[int],
        apart: set[int],
    ) -> tuple[CandidatePairs, list[str]]:
        """The matched pairs, and the cannot-link pairs between matched records."""
        dask, numpy = self.dask, self.numpy
        matched = dask.compute(
            *(dask.delayed(select_pairs)(part, frozenset(linked)) for part in scored)
        )
        first = numpy.concatenate([numpy.zeros(0, "int64"), *(m[0] for m in matched)])
        second = numpy.concatenate([numpy.zeros(0, "int64"), *(m[1] for m in matched)])
        patterns = numpy.concatenate([numpy.zeros(0, "int64"), *(m[2] for m in matched)])
        rows = numpy.unique(numpy.concatenate([first, second]))
        if len(rows) and apart:
            kept = dask.compute(
                *(dask.delayed(select_pairs)(part, frozenset(apart), rows) for part in scored)
            )
            first = numpy.concatenate([first, *(k[0] for k in kept)])
            second = numpy.concatenate([second, *(k[1] for k in kept)])
            patterns = numpy.concatenate([patterns, *(k[2] for k in kept)])
        named = normalised.map_partitions(rows_in, rows, [ROW, ID]).compute()
        id_of = dict(zip(named[ROW].tolist(), named[ID].tolist(), strict=True))
        ids = [id_of[row] for row in rows.tolist()]
        candidates = CandidatePairs(
            first=array("l", numpy.searchsorted(rows, first).tolist()),
            second=array("l", numpy.searchsorted(rows, second).tolist()),
            patterns=array("q", patterns.tolist()),
        )
        return candidates, ids


def _summary(scored: Scored) -> tuple[dict[int, tuple[int, Any]], dict[int, int], int]:
    """What the client gathers from a part (the pairs stay on the worker)."""
    return scored.summary()


def _sharing_of_part(
    name: str, counts: Any, common: Mapping[str, frozenset[str]]
) -> tuple[str, dict[int, int]]:
    return name, sharing_pairs(name, counts.items(), common)


def _labels_meta(pandas: Any) -> Any:
    return pandas.DataFrame({BLOCK: pandas.Series([], dtype="string[pyarrow]")})


def _hashes_meta(pandas: Any) -> Any:
    return pandas.DataFrame({HASH: pandas.Series([], dtype="uint64")})


def _block_meta(pandas: Any) -> Any:
    meta = normalised_meta().drop(columns=[ID])
    meta[BLOCK] = pandas.Series([], dtype="string[pyarrow]")
    return meta
