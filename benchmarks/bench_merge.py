"""Contact merging: records/s of ``om.history.merge`` at 10k, 50k and 100k records.

Data: the project's seeded synthetic contacts (``omnirouter.history._synthetic``): about
30 % of the people have 1–3 further records with typos and other formats, 10 % are
household members who often share a landline. A CRM import would bring birth dates
into ISO form first, so ``dd.mm.yyyy`` dates are rewritten and typo'd dates dropped
(merge refuses unreadable dates by design).

Side by side in the same child process, on the same records, two floors:

* ``read``: turning every row into a validated ``Contact`` (what any merge must do);
* ``read+keys``: that, plus normalising every e-mail and phone number into its
  identity key (phone parsing is the costly part of linking).

``merge / read+keys`` is how much linking, survivorship and provenance add on top.
``collect`` is the full garbage collection right after a merge: merge holds the cyclic
collector off during the batch, so that pass is paid later by the caller; the figure
keeps the comparison honest. Each size runs in its own child process, so ``peak MB``
(max RSS growth over the loaded data) is the merge's own. Medians of ``--repeats``.

Usage: ``python benchmarks/bench_merge.py [--sizes 10000 50000 100000] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import random
import resource
import statistics
import sys
import time
from datetime import date
from typing import Any

from omnirouter.history import merge
from omnirouter.history._records import as_contact
from omnirouter.history._synthetic import synthetic_contacts
from omnirouter.history.identity import KeyMemo, contact_keys

SEED = 20_240_601


def records(size: int) -> list[dict[str, Any]]:
    """Seeded synthetic rows with ISO birth dates (unreadable ones left empty)."""
    rows = []
    for row in synthetic_contacts(size, random.Random(SEED)).records:
        row = dict(row)
        born = row.get("birth_date", "")
        if born.count(".") == 2:
            day, month, year = born.split(".")
            born = f"{year}-{month}-{day}"
        try:
            date.fromisoformat(born)
        except ValueError:
            born = ""
        row["birth_date"] = born
        rows.append(row)
    return rows


def read_floor(rows: list[dict[str, Any]]) -> None:
    for index, row in enumerate(rows):
        as_contact(row, index)


def keys_floor(rows: list[dict[str, Any]]) -> None:
    memo = KeyMemo("DE")
    for index, row in enumerate(rows):
        contact_keys(as_contact(row, index), memo=memo)


def _timed(run: Any, rows: list[dict[str, Any]]) -> float:
    gc.collect()
    started = time.perf_counter()
    run(rows)
    return time.perf_counter() - started


def measure(size: int, repeats: int, queue: Any) -> None:
    """One size in a child process: medians of each figure, peak memory of merge."""
    rows = records(size)
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    merge_times, collect_times, groups = [], [], 0
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        result = merge(rows)
        merge_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        gc.collect()
        collect_times.append(time.perf_counter() - started)
        groups = len(result)
        del result
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    read = [_timed(read_floor, rows) for _ in range(repeats)]
    keyed = [_timed(keys_floor, rows) for _ in range(repeats)]
    queue.put(
        {
            "size": size,
            "golden": groups,
            "merge": statistics.median(merge_times),
            "collect": statistics.median(collect_times),
            "read": statistics.median(read),
            "keys": statistics.median(keyed),
            "peak_mb": peak,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    print(
        f"{'records':>8} {'golden':>7} {'merge s':>8} {'rec/s':>8} {'µs/rec':>7} "
        f"{'collect s':>9} {'read s':>7} {'read+keys s':>11} {'merge/read+keys':>15} "
        f"{'peak MB':>8}"
    )
    for size in args.sizes:
        queue = context.Queue()
        child = context.Process(target=measure, args=(size, args.repeats, queue))
        child.start()
        figures = queue.get()
        child.join()
        merge_s = figures["merge"]
        print(
            f"{size:>8} {figures['golden']:>7} {merge_s:>8.2f} {size / merge_s:>8.0f} "
            f"{merge_s / size * 1e6:>7.1f} {figures['collect']:>9.2f} {figures['read']:>7.2f} "
            f"{figures['keys']:>11.2f} {merge_s / figures['keys']:>15.2f} "
            f"{figures['peak_mb']:>8.0f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
