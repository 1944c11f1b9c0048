"""Duplicate finding on a 2-worker Dask LocalCluster against one process, German data.

The German customer base of ``german_customers.py`` (``--size`` records, seeded) is
written once as Parquet files of 50,000 records each (with the true person of every
record in an extra column the finder does not read). Then, each in its own child
process:

* **single process**: the records are read into memory first (not timed), then
  ``find_duplicates(records)``; peak RSS is that process's;
* **Dask**: a ``LocalCluster`` of 2 worker processes (1 thread each, ``--memory-limit``
  each) and ``find_duplicates(path)``, reading the Parquet files on the workers (timed);
  peak RSS of each worker and of the client process.

Precision, recall and F1 are over record pairs of the clusters. The script says
whether the two runs gave the same clusters.

    python benchmarks/bench_dedupe_dask.py --size 1000000
    python benchmarks/bench_dedupe_dask.py --size 5000000 --repeats 1
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import pickle
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

PART = 50_000


def data_path(size: int) -> Path:
    return Path(f"/tmp/omnirouter-german-{size}")


def prepare(size: int) -> Path:
    """The Parquet files of ``size`` German records (made once, then reused)."""
    path = data_path(size)
    if (path / "_done").exists():
        return path
    import pandas
    from german_customers import generate

    data = generate(size)
    path.mkdir(parents=True, exist_ok=True)
    for start in range(0, size, PART):
        chunk = data.records[start : start + PART]
        table = pandas.DataFrame(chunk)
        table["person"] = [data.person[record["id"]] for record in chunk]
        table.to_parquet(path / f"part-{start // PART:05d}.parquet", index=False)
    (path / "_done").touch()
    return path


def f1(clusters: list[frozenset[str]], person: dict[str, int]) -> tuple[float, float, float]:
    """Precision, recall and F1 over the record pairs of the clusters."""
    predicted = sum(len(c) * (len(c) - 1) // 2 for c in clusters)
    true = sum(n * (n - 1) // 2 for n in Counter(person.values()).values())
    hits = 0
    for cluster in clusters:
        for n in Counter(person[record] for record in cluster).values():
            hits += n * (n - 1) // 2
    precision = hits / predicted if predicted else 1.0
    recall = hits / true if true else 1.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def _truth(path: Path) -> dict[str, int]:
    import pandas

    table = pandas.read_parquet(path, columns=["id", "person"])
    return dict(zip(table["id"].tolist(), table["person"].tolist(), strict=True))


def run_single(path: Path, out: Path) -> dict[str, Any]:
    import pandas

    from omnirouter.history import find_duplicates

    table = pandas.read_parquet(path).drop(columns=["person"])
    records = table.fillna("").to_dict("records")
    del table
    started, cpu = time.perf_counter(), time.process_time()
    result = find_duplicates(records)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    del records
    out.write_bytes(pickle.dumps(result.clusters))
    scores = f1(result.clusters, _truth(path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "scores": scores}


def _worker_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_dask(path: Path, out: Path, memory_limit: str) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from omnirouter.history import find_duplicates

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        stages: list[tuple[str, float]] = []
        started = time.perf_counter()
        result = find_duplicates(
            str(path),
            progress=lambda stage, done, total: stages.append(
                (stage, time.perf_counter() - started)
            ),
        )
        wall = time.perf_counter() - started
        workers = sorted(client.run(_worker_peak_mb).values())
    out.write_bytes(pickle.dumps(result.clusters))
    scores = f1(result.clusters, _truth(path))
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "wall": wall,
        "worker_peak_mb": workers,
        "client_peak_mb": client_peak,
        "scores": scores,
        "stages": stages,
        "sampled": result.stats.sampled_records,
    }


def _child(kind: str, path: Path, out: Path, memory_limit: str, queue: Any) -> None:
    if kind == "prepare":
        queue.put({"path": prepare(int(memory_limit))})
    elif kind == "single":
        queue.put(run_single(path, out))
    else:
        queue.put(run_dask(path, out, memory_limit))


def measure(kind: str, path: Path, out: Path, memory_limit: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(kind, path, out, memory_limit, queue))
    process.start()
    figures: dict[str, Any] = queue.get()
    process.join()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--memory-limit", default="4GiB")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--only-single", action="store_true")
    args = parser.parse_args()
    # Made in a child process, so that the generator's memory is not this process's.
    path = measure("prepare", data_path(args.size), Path(), str(args.size))["path"]
    print(f"German customers, {args.size:,} records, Parquet in {path}", flush=True)
    single_out = Path(f"/tmp/omnirouter-clusters-single-{args.size}.pickle")
    dask_out = Path(f"/tmp/omnirouter-clusters-dask-{args.size}.pickle")
    singles, dasks = [], []
    for _ in range(args.repeats):
        if not args.skip_single:
            singles.append(measure("single", path, single_out, args.memory_limit))
            print("single process:", singles[-1], flush=True)
        if not args.only_single:
            dasks.append(measure("dask", path, dask_out, args.memory_limit))
            print("dask:", dasks[-1], flush=True)
    if not dasks:
        return 0
    dask_wall = statistics.median(run["wall"] for run in dasks)
    print(f"dask: median wall {dask_wall:.1f} s; F1 {dasks[0]['scores'][2]:.4f}")
    if singles:
        single_wall = statistics.median(run["wall"] for run in singles)
        same = pickle.loads(single_out.read_bytes()) == pickle.loads(dask_out.read_bytes())
        print("figures:", singles, dasks)
        print(f"single process: median wall {single_wall:.1f} s; F1 {singles[0]['scores'][2]:.4f}")
        print(f"dask / single wall: {dask_wall / single_wall:.2f}; same clusters: {same}")
        print(f"F1 difference: {abs(dasks[0]['scores'][2] - singles[0]['scores'][2]):.5f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
