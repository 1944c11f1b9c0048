"""Replications in parallel: any :class:`concurrent.futures.Executor`, results in job order.

Each replication draws only from its own seeded streams, so where it runs and in which
order it finishes change nothing: results are collected by job index and are
bit-identical to a sequential run. Jobs cross process boundaries by pickling, so a
process pool needs picklable arguments (a scenario is; a lambda priority hook is not).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, TypeVar

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = ["executor_for", "run_ordered"]

T = TypeVar("T")
#: Told after each finished job: ``(jobs done, jobs in all)``.
JobProgress = Callable[[int, int], None]


def _check_workers(workers: int | None, executor: Executor | None, where: str) -> None:
    problems = []
    if workers is not None and executor is not None:
        problems.append(ErrorDetail(("workers",), "give either an executor or workers, not both"))
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        problems.append(ErrorDetail(("workers",), f"must be a whole number >= 1, not {workers!r}"))
    if problems:
        raise ValidationError(where, problems)


@contextmanager
def executor_for(
    executor: Executor | None,
    workers: int | None,
    *,
    default_workers: int | None = 1,
    where: str = "executor",
) -> Iterator[Executor | None]:
    """The executor to use: the caller's, or a local process pool of ``workers``.

    Without either, ``default_workers`` applies (``None``: every core). One worker means
    no pool at all (``None`` is yielded: run in this process). A pool made here is shut
    down on leaving; the caller's executor is left running.
    """
    _check_workers(workers, executor, where)
    if executor is not None:
        yield executor
        return
    count = workers if workers is not None else (default_workers or os.cpu_count() or 1)
    if count <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=count)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_ordered(
    function: Callable[..., T],
    jobs: Sequence[tuple[Any, ...]],
    executor: Executor | None,
    progress: JobProgress | None = None,
) -> list[T]:
    """``[function(*job) for job in jobs]``, through ``executor`` when given.

    Results come back in job order whatever order the executor finishes them in;
    ``progress`` is told as each finishes.
    """
    total = len(jobs)
    if executor is None:
        results = []
        for done, job in enumerate(jobs, start=1):
            results.append(function(*job))
            if progress is not None:
                progress(done, total)
        return results
    futures: dict[Future[T], int] = {
        executor.submit(function, *job): index for index, job in enumerate(jobs)
    }
    slots: list[Any] = [None] * total
    try:
        for done, future in enumerate(as_completed(futures), start=1):
            slots[futures[future]] = future.result()
            if progress is not None:
                progress(done, total)
    finally:
        for future in futures:
            future.cancel()
    return slots
