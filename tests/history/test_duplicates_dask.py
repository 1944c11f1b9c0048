"""The duplicate finder on a real two-process Dask cluster: the one-process result."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import pytest

from omnirouter.errors import ValidationError
from omnirouter.history import BlockTooLargeError, DuplicateResult, _dedupe_dask, find_duplicates
from omnirouter.history._synthetic import synthetic_contacts

dd = pytest.importorskip("dask.dataframe")
pandas = pytest.importorskip("pandas")

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from german_customers import generate  # noqa: E402


def _same(single: DuplicateResult, distributed: DuplicateResult) -> None:
    assert distributed.clusters == single.clusters
    assert distributed.pairs == single.pairs
    assert distributed.model == single.model
    assert distributed.stats == single.stats
    for cluster in single.clusters[:50]:
        member = min(cluster)
        assert distributed.cluster_of(member) == cluster


@pytest.fixture(scope="module")
def german_50k() -> list[dict[str, str]]:
    return generate(50_000, seed=7).records


def test_50k_records_give_the_single_process_clusters(
    dask_client: Any, german_50k: list[dict[str, str]]
) -> None:
    single = find_duplicates(german_50k)
    frame = dd.from_pandas(pandas.DataFrame(german_50k), npartitions=4)
    told: list[str] = []
    distributed = find_duplicates(frame, progress=lambda stage, done, total: told.append(stage))
    # A real file: thousands of clusters, households guarded, weights estimated by EM.
    assert len(single.clusters) > 5_000
    assert single.stats.household_guard
    assert single.stats.em_iterations > 1
    assert 0 < distributed.stats.sampled_records <= 40_000
    _same(single, distributed)
    assert told == ["read", "block", "compare", "model", "cluster"]


def test_oversized_blocks_are_skipped_and_counted_as_in_one_process(dask_client: Any) -> None:
    records = generate(4_000, seed=3).records
    single = find_duplicates(records, max_block_size=3)
    assert sum(single.stats.oversized_blocks.values()) > 100
    frame = dd.from_pandas(pandas.DataFrame(records), npartitions=3)
    _same(single, find_duplicates(frame, max_block_size=3))


def test_too_many_shared_keys_to_send_still_give_the_one_process_result(
    dask_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Beyond this many shared keys the client sends none and ships every keyed record.
    monkeypatch.setattr(_dedupe_dask, "_MOST_SHARED", 0)
    records = generate(4_000, seed=4).records
    single = find_duplicates(records, max_block_size=3)
    assert sum(single.stats.oversized_blocks.values()) > 100
    frame = dd.from_pandas(pandas.DataFrame(records), npartitions=3)
    _same(single, find_duplicates(frame, max_block_size=3))


def test_a_file_without_households_is_compared_without_the_veto(dask_client: Any) -> None:
    records = synthetic_contacts(3_000, random.Random(1), household_rate=0.0).records
    single = find_duplicates(records)
    # A few pairs look like household members, too few for the guard to act.
    assert single.stats.household_pairs > 0
    assert not single.stats.household_guard
    assert single.stats.vetoed_pairs == 0
    frame = dd.from_pandas(pandas.DataFrame(records), npartitions=3)
    _same(single, find_duplicates(frame))


def test_parquet_and_csv_paths_are_read_with_dask(dask_client: Any, tmp_path: Path) -> None:
    records = generate(3_000, seed=5).records
    single = find_duplicates(records, window=4)
    table = pandas.DataFrame(records)
    dd.from_pandas(table, npartitions=3).to_parquet(tmp_path / "customers")
    _same(single, find_duplicates(tmp_path / "customers", window=4))
    for number, part in enumerate((table.iloc[:1_000], table.iloc[1_000:])):
        part.to_csv(tmp_path / f"customers-{number}.csv", index=False)
    _same(single, find_duplicates(str(tmp_path / "customers-*.csv"), window=4))


def test_a_block_size_no_worker_should_hold_is_refused_with_advice(dask_client: Any) -> None:
    frame = dd.from_pandas(pandas.DataFrame(generate(200, seed=1).records), npartitions=2)
    with pytest.raises(BlockTooLargeError) as raised:
        find_duplicates(frame, max_block_size=20_000)
    message = str(raised.value)
    assert "max_block_size" in message
    assert "lower it" in message
    assert raised.value.asked == 20_000


def test_repeated_ids_across_parts_are_refused_without_naming_them(dask_client: Any) -> None:
    records = generate(300, seed=2).records
    records[250] = {**records[250], "id": records[10]["id"]}
    frame = dd.from_pandas(pandas.DataFrame(records), npartitions=2)
    with pytest.raises(ValidationError, match="1 ids are used by more than one record") as raised:
        find_duplicates(frame)
    assert records[10]["id"] not in str(raised.value)


def test_a_path_that_names_no_parquet_or_csv_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="Parquet"):
        find_duplicates(tmp_path / "customers.xlsx")
