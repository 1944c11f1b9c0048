"""Replications on a real Dask cluster: the same report as a run in this process."""

from __future__ import annotations

from typing import Any

from test_parallel import SMALL as SCENARIO  # callbacks, patience, two channels

from omnirouter.simulation import Scenario, compare, simulate


def test_simulate_on_a_dask_cluster_equals_a_sequential_run(dask_client: Any) -> None:
    scenario = Scenario.from_toml(SCENARIO)
    sequential = simulate(scenario)
    on_dask = simulate(scenario, executor=dask_client.get_executor())
    assert on_dask.customers > 0
    assert on_dask.to_json() == sequential.to_json()
    assert repr(on_dask) == repr(sequential)


def test_compare_on_a_dask_cluster_equals_a_sequential_run(dask_client: Any) -> None:
    scenario = Scenario.from_toml(SCENARIO)
    bigger = Scenario.from_toml(SCENARIO.replace("size = 3", "size = 4"))
    sequential = compare([scenario, bigger])
    on_dask = compare([scenario, bigger], executor=dask_client.get_executor())
    assert [report.to_json() for report in on_dask] == [report.to_json() for report in sequential]
    # The two policies differ, so the check above compares real, different results.
    assert on_dask[0].to_json() != on_dask[1].to_json()
