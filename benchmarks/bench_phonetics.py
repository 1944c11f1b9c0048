"""Phonetic keys per surname: our Kölner Phonetik against jellyfish's keys, in one run.

Prints the median time per surname (over repeats) of

* ``cologne_phonetics(name)`` called once per name,
* ``cologne_phonetics_many(names)`` over the whole list,
* jellyfish's ``soundex``, ``metaphone`` and ``nysiis`` (Rust) called once per name,

and the ratios against soundex. Usage: ``python benchmarks/bench_phonetics.py [--names N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import jellyfish

from omnirouter.history import cologne_phonetics, cologne_phonetics_many
from omnirouter.history._synthetic import _Generator

REPEATS = 7


def surnames(count: int, seed: int = 1) -> list[str]:
    """German, international and long-tail surnames as the synthetic generator draws them."""
    generator = _Generator(random.Random(seed))
    return [generator.family_name() for _ in range(count)]


def per_name(run: Callable[[], object], count: int) -> float:
    """Median seconds per name over REPEATS runs of ``run`` (which codes all names)."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) / count)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=50_000)
    args = parser.parse_args()
    names = surnames(args.names)
    count = len(names)
    ascii_names = [n.encode("ascii", "ignore").decode() for n in names]  # jellyfish wants ASCII
    soundex, metaphone, nysiis = jellyfish.soundex, jellyfish.metaphone, jellyfish.nysiis
    cases: dict[str, Callable[[], object]] = {
        "cologne_phonetics (one call per name)": lambda: [cologne_phonetics(n) for n in names],
        "cologne_phonetics_many (one batch)": lambda: cologne_phonetics_many(names),
        "jellyfish.soundex": lambda: [soundex(n) for n in ascii_names],
        "jellyfish.metaphone": lambda: [metaphone(n) for n in ascii_names],
        "jellyfish.nysiis": lambda: [nysiis(n) for n in ascii_names],
    }
    results = {label: per_name(run, count) for label, run in cases.items()}
    baseline = results["jellyfish.soundex"]
    print(f"{count} surnames, median of {REPEATS} runs")
    print(f"{'key':<40} {'µs/name':>9} {'× soundex':>10}")
    for label, seconds in results.items():
        print(f"{label:<40} {seconds * 1e6:9.3f} {seconds / baseline:10.2f}")
    meyer = {cologne_phonetics(n) for n in ("Meyer", "Meier", "Maier", "Mayer", "Mair", "Mayr")}
    print(f"Meyer/Meier/Maier/Mayer/Mair/Mayr → {sorted(meyer)}")


if __name__ == "__main__":
    main()
