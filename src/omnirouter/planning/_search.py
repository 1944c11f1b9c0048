"""The staffing search: repair what misses, trim what is spare, judged by simulation.

From a start (the Erlang plan) the search alternates two moves, every candidate
simulated on the same seed and replications (common random numbers):

* **repair** — where an interval misses a target, one candidate per group adds one
  agent of that group to every missing interval; each interval takes the group whose
  agent closed most of its shortfall per unit of cost (else the cheapest able group);
  that group is never trimmed again in that interval;
* **trim** — candidates remove one agent of one group from every ``reach + 1``-th
  interval still open for it (``reach``: how many intervals carried-over work spans);
  an interval takes the most expensive group whose removal kept it and its
  neighbours within ``reach`` on target; a group whose removal did not hold is
  closed in that interval.

Each removal is judged on a candidate that also removes agents ``reach + 1``
intervals away: conservative, as another removal only adds carried-over work. The
search ends when the staffing meets every target and no interval can be trimmed.
"""

from __future__ import annotations

from collections.abc import Sequence

from omnirouter.planning._evaluate import Evaluator, Outcome
from omnirouter.planning._groups import Group, Staffing

__all__ = ["search"]

#: Repairs in a row that did not help an interval before the search leaves it be.
_FUTILE = 3


def _changed(staffing: Staffing, intervals: Sequence[int], group: int, by: int) -> Staffing:
    rows = [list(row) for row in staffing]
    for index in intervals:
        rows[index][group] += by
    return tuple(tuple(row) for row in rows)


def search(
    evaluator: Evaluator,
    start: Staffing,
    groups: Sequence[Group],
    able: Sequence[frozenset[int]],
    floors: Sequence[int],
    *,
    replications: int,
    seed: int,
    reach: int,
    max_rounds: int = 100,
) -> Outcome:
    """The cheapest staffing found from ``start``; ``able[c]``: groups that serve channel c.

    ``able`` is indexed like the evaluator's goals; ``floors`` is the fewest agents in
    all per interval; ``reach`` the intervals carried-over work may spill into.
    """
    channels = list(evaluator.goals)
    intervals = len(start)
    # (interval, group) pairs the trim leaves alone.
    closed: set[tuple[int, int]] = set()
    # Intervals no added agent helped, several times over: left to the verification.
    futile: dict[int, int] = {}
    swept = False
    (current,) = evaluator.run([start], replications, seed, "search")
    for _ in range(max_rounds):
        missing = [
            index
            for index in range(intervals)
            if not current.meets(index) and futile.get(index, 0) < _FUTILE
        ]
        if missing:
            before = {index: current.shortfall(index) for index in missing}
            before_staffing = current.staffing
            current = _repair(
                evaluator, current, missing, groups, able, channels, replications, seed
            )
            for index in missing:
                for group in range(len(groups)):
                    if current.staffing[index][group] > before_staffing[index][group]:
                        closed.add((index, group))
            for index in missing:
                helped = current.shortfall(index) < before[index]
                futile[index] = 0 if helped else futile.get(index, 0) + 1
            continue
        trimmed = _trim(evaluator, current, groups, floors, closed, replications, seed, reach)
        if trimmed is None:
            if not closed or swept:
                break
            # One more sweep with every interval open again: what a repair or an
            # earlier neighbour blocked may come free now that the staffing has settled.
            closed.clear()
            swept = True
            continue
        current = trimmed
    return current


def _repair(
    evaluator: Evaluator,
    current: Outcome,
    missing: list[int],
    groups: Sequence[Group],
    able: Sequence[frozenset[int]],
    channels: list[str],
    replications: int,
    seed: int,
) -> Outcome:
    short_channels = {
        position
        for index in missing
        for position, channel in enumerate(channels)
        if current.short(channel, index) > 0
    }
    helpers = sorted(set().union(*(able[position] for position in short_channels)))
    if not helpers:
        return current
    candidates = [_changed(current.staffing, missing, group, +1) for group in helpers]
    outcomes = evaluator.run(candidates, replications, seed, "repair")
    staffing = current.staffing
    for index in missing:
        before = current.shortfall(index)

        def gain(choice: int, index: int = index, before: float = before) -> float:
            return (before - outcomes[choice].shortfall(index)) / groups[
                helpers[choice]
            ].hourly_cost

        best = max(range(len(helpers)), key=lambda choice: (gain(choice), -choice))
        if gain(best) <= 0:
            best = min(range(len(helpers)), key=lambda c: (groups[helpers[c]].hourly_cost, c))
        staffing = _changed(staffing, [index], helpers[best], +1)
    (outcome,) = evaluator.run([staffing], replications, seed, "search")
    return outcome


def _trim(
    evaluator: Evaluator,
    current: Outcome,
    groups: Sequence[Group],
    floors: Sequence[int],
    closed: set[tuple[int, int]],
    replications: int,
    seed: int,
    reach: int,
) -> Outcome | None:
    staffing = current.staffing
    intervals = len(staffing)
    open_intervals = [index for index in range(intervals) if sum(staffing[index]) > floors[index]]
    # One candidate per group and phase: removals ``reach + 1`` intervals apart, so
    # that the work one removal leaves over does not reach the next removed interval.
    stride = reach + 1
    choices: list[tuple[int, list[int]]] = []
    for group in range(len(groups)):
        for phase in range(stride):
            where = [
                index
                for index in open_intervals
                if index % stride == phase
                and staffing[index][group] > 0
                and (index, group) not in closed
            ]
            if where:
                choices.append((group, where))
    if not choices:
        return None
    outcomes = evaluator.run(
        [_changed(staffing, where, group, -1) for group, where in choices],
        replications,
        seed,
        "trim",
    )
    trimmed = staffing
    any_trimmed = False
    for index in open_intervals:
        window = range(max(0, index - reach), min(intervals, index + reach + 1))
        held = []
        for position, ((group, where), outcome) in enumerate(zip(choices, outcomes, strict=True)):
            if index not in where:
                continue
            # The interval itself must meet its targets; a neighbour must not be newly
            # broken (one already missing is the repair's business).
            if outcome.meets(index) and all(
                outcome.meets(other) or not current.meets(other) for other in window
            ):
                held.append((groups[group].hourly_cost, -position, group))
            else:
                closed.add((index, group))
        if not held:
            continue
        _, _, group = max(held)
        trimmed = _changed(trimmed, [index], group, -1)
        any_trimmed = True
    if not any_trimmed:
        return None
    (outcome,) = evaluator.run([trimmed], replications, seed, "search")
    return outcome
