"""Replications of scenario A on a Dask cluster: 2 local workers against 1.

Scenario A (M/M/10 at utilisation 0.8, see ``bench_simulation.py``) is simulated with
``replications`` independent replications through the executor of a
``dask.distributed.LocalCluster`` of one and then two worker processes (one thread
each). The script prints customers per wall second (median of the repeats), the
ratio, and checks that both runs give the same report as a sequential run.

    python benchmarks/bench_scaleout.py                       # 8 replications of 20k
    python benchmarks/bench_scaleout.py --arrivals 50000 --replications 8 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from distributed import Client, LocalCluster

from omnirouter.simulation import simulate

sys.path.insert(0, str(Path(__file__).parent))
from bench_simulation import scenario_a


def timed_runs(workers: int, arrivals: int, replications: int, repeats: int) -> tuple[float, str]:
    """Median customers per wall second on ``workers`` Dask workers, and the report."""
    scenario = scenario_a(arrivals)
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        # pure=False: the same replication asked again is run again, not taken from
        # the cluster's memory of an earlier repeat.
        executor = client.get_executor(pure=False)
        simulate(scenario, replications=workers, executor=executor)  # warm the workers
        rates, report = [], ""
        for _ in range(repeats):
            started = time.perf_counter()
            result = simulate(scenario, replications=replications, executor=executor)
            wall = time.perf_counter() - started
            rates.append(result.customers / wall)
            report = repr(result.to_json())
    return statistics.median(rates), report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arrivals", type=int, default=20_000)
    parser.add_argument("--replications", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sequential = repr(simulate(scenario_a(args.arrivals), replications=args.replications).to_json())
    one, report_one = timed_runs(1, args.arrivals, args.replications, args.repeats)
    two, report_two = timed_runs(2, args.arrivals, args.replications, args.repeats)
    same = report_one == sequential and report_two == sequential
    print(f"scenario A, {args.replications} replications of {args.arrivals:,} arrivals")
    print(f"1 worker : {one:,.0f} customers/s (median of {args.repeats})")
    print(f"2 workers: {two:,.0f} customers/s (median of {args.repeats})")
    print(f"speed-up : {two / one:.2f}x; reports identical to a sequential run: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
