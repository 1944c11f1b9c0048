"""The staffing search: repair what misses, trim what is spare, judged by simulation.

From a start (the Erlang plan) the search alternates two moves, every candidate
simulated on the same seed and replications (common random numbers):

* **repair** — where an interval misses a target, one candidate per able group adds
  one agent of that group to every missing interval; each interval takes the group
  whose agent closed most of its shortfall per unit of cost (else the cheapest able
  group); that group is not trimmed again in that interval;
* **trim** — candidates remove agents of one group from every ``reach + 1``-th
  interval (``reach``: how many intervals carried-over work spans); an interval takes
  the most expensive group whose removal kept it on target and broke no neighbour
  within ``reach``. Each (interval, group) removes a *step* of agents: doubled after
  a removal that held, halved after one that did not; a group whose single removal
  did not hold is closed in that interval;
* **trade** — where no single removal holds, two agents of one group for one of
  another (when that is cheaper), judged the same way.

Each removal is judged on a candidate that also removes agents ``reach + 1``
intervals away: conservative, as another removal only adds carried-over work. When
nothing more can be trimmed, every interval is opened once more for a last sweep.
A coarse pass on the first half of the replications comes first; the fine pass on
all of them continues from its result.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from omnirouter.planning._evaluate import Evaluator, Outcome
from omnirouter.planning._groups import Group, Staffing

__all__ = ["search"]

#: Repairs in a row that did not help an interval before the search leaves it be.
_FUTILE = 3
#: Agents the first trim of an (interval, group) tries to remove, and the most one does.
_FIRST_STEP, _MAX_STEP = 2, 8
#: Rounds of trades (two agents of one group for one of another) per pass.
_TRADES = 2


def _changed(staffing: Staffing, changes: dict[tuple[int, int], int]) -> Staffing:
    rows = [list(row) for row in staffing]
    for (index, group), by in changes.items():
        rows[index][group] += by
    return tuple(tuple(row) for row in rows)


@attrs.define
class _Search:
    evaluator: Evaluator
    groups: Sequence[Group]
    able: Sequence[frozenset[int]]
    floors: Sequence[int]
    replications: int
    seed: int
    reach: int
    #: (interval, group) pairs the trim leaves alone.
    closed: set[tuple[int, int]] = attrs.field(factory=set)
    #: Agents the next trim of an (interval, group) tries to remove.
    steps: dict[tuple[int, int], int] = attrs.field(factory=dict)
    #: Repairs in a row that did not help an interval.
    futile: dict[int, int] = attrs.field(factory=dict)

    def evaluate(self, staffings: list[Staffing], stage: str) -> list[Outcome]:
        return self.evaluator.run(staffings, self.replications, self.seed, stage)

    def repair(self, current: Outcome, missing: list[int]) -> Outcome:
        channels = list(self.evaluator.goals)
        short = {
            position
            for index in missing
            for position, channel in enumerate(channels)
            if current.short(channel, index) > 0
        }
        helpers = sorted(set().union(*(self.able[position] for position in short)))
        if not helpers:
            for index in missing:
                self.futile[index] = self.futile.get(index, 0) + 1
            return current
        outcomes = self.evaluate(
            [
                _changed(current.staffing, {(index, group): 1 for index in missing})
                for group in helpers
            ],
            "repair",
        )
        changes: dict[tuple[int, int], int] = {}
        for index in missing:
            before = current.shortfall(index)
            gains = [
                (before - outcome.shortfall(index)) / self.groups[group].hourly_cost
                for group, outcome in zip(helpers, outcomes, strict=True)
            ]
            best = max(range(len(helpers)), key=lambda choice: (gains[choice], -choice))
            if gains[best] <= 0:
                best = min(
                    range(len(helpers)),
                    key=lambda choice: (self.groups[helpers[choice]].hourly_cost, choice),
                )
            changes[(index, helpers[best])] = 1
            self.closed.add((index, helpers[best]))
            self.steps[(index, helpers[best])] = 1
        (repaired,) = self.evaluate([_changed(current.staffing, changes)], "search")
        for index in missing:
            helped = repaired.shortfall(index) < current.shortfall(index)
            self.futile[index] = 0 if helped else self.futile.get(index, 0) + 1
        return repaired

    def trim(self, current: Outcome) -> Outcome | None:
        staffing = current.staffing
        intervals = len(staffing)
        stride = self.reach + 1
        candidates: list[tuple[int, dict[tuple[int, int], int]]] = []
        for group in range(len(self.groups)):
            for phase in range(stride):
                removal = {}
                for index in range(phase, intervals, stride):
                    spare = min(staffing[index][group], sum(staffing[index]) - self.floors[index])
                    if spare <= 0 or (index, group) in self.closed:
                        continue
                    removal[(index, group)] = -min(
                        spare, self.steps.get((index, group), _FIRST_STEP)
                    )
                if removal:
                    candidates.append((group, removal))
        if not candidates:
            return None
        outcomes = self.evaluate([_changed(staffing, removal) for _, removal in candidates], "trim")
        chosen: dict[tuple[int, int], int] = {}
        for index in range(intervals):
            window = range(max(0, index - self.reach), min(intervals, index + self.reach + 1))
            held = []
            for position, ((group, removal), outcome) in enumerate(
                zip(candidates, outcomes, strict=True)
            ):
                key = (index, group)
                if key not in removal:
                    continue
                # The interval itself must meet its targets; a neighbour must not be
                # newly broken (one already missing is the repair's business).
                if outcome.meets(index) and all(
                    outcome.meets(other) or not current.meets(other) for other in window
                ):
                    held.append((-removal[key] * self.groups[group].hourly_cost, -position, key))
                    self.steps[key] = min(_MAX_STEP, 2 * self.steps.get(key, _FIRST_STEP))
                elif removal[key] < -1:
                    self.steps[key] = max(1, self.steps.get(key, _FIRST_STEP) // 2)
                else:
                    self.closed.add(key)
            if held:
                _, _, key = max(held)
                chosen[key] = next(removal[key] for _, removal in candidates if key in removal)
        if not chosen:
            return None
        (trimmed,) = self.evaluate([_changed(staffing, chosen)], "search")
        return trimmed

    def trade(self, current: Outcome) -> Outcome | None:
        """Two agents of one group for one of another, where that is cheaper.

        Removing single agents can stall where groups lean on each other (cross-trained
        agents take the overflow of a specialist group): then neither removal holds,
        but two specialists for one cross-trained agent may.
        """
        staffing = current.staffing
        intervals = len(staffing)
        stride = self.reach + 1
        candidates: list[dict[tuple[int, int], int]] = []
        for give in range(len(self.groups)):
            for take in range(len(self.groups)):
                cheaper = 2 * self.groups[give].hourly_cost > self.groups[take].hourly_cost
                if give == take or not cheaper:
                    continue
                for phase in range(stride):
                    change = {}
                    for index in range(phase, intervals, stride):
                        if (
                            staffing[index][give] >= 2
                            and sum(staffing[index]) - 1 >= (self.floors[index])
                        ):
                            change[(index, give)] = -2
                            change[(index, take)] = 1
                    if change:
                        candidates.append(change)
        if not candidates:
            return None
        outcomes = self.evaluate([_changed(staffing, change) for change in candidates], "trade")
        chosen: dict[tuple[int, int], int] = {}
        for index in range(intervals):
            window = range(max(0, index - self.reach), min(intervals, index + self.reach + 1))
            held = []
            for position, (change, outcome) in enumerate(zip(candidates, outcomes, strict=True)):
                mine = {key: by for key, by in change.items() if key[0] == index}
                if not mine:
                    continue
                if outcome.meets(index) and all(
                    outcome.meets(other) or not current.meets(other) for other in window
                ):
                    saving = -sum(by * self.groups[key[1]].hourly_cost for key, by in mine.items())
                    held.append((saving, -position, mine))
            if held:
                _, _, mine = max(held, key=lambda item: (item[0], item[1]))
                chosen.update(mine)
                for group in range(len(self.groups)):
                    self.closed.discard((index, group))
        if not chosen:
            return None
        (traded,) = self.evaluate([_changed(staffing, chosen)], "search")
        return traded


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
    all per interval; ``reach`` the intervals carried-over work may spill into. A coarse
    pass on half the replications (the first half: the same customers) takes the big
    steps cheaply; the fine pass on all of them starts where it ended.
    """
    coarse = max(2, replications // 2)
    staffing = start
    if coarse < replications:
        staffing = _search(
            _Search(evaluator, groups, able, floors, coarse, seed, reach), start, max_rounds
        ).staffing
    fine = _Search(evaluator, groups, able, floors, replications, seed, reach)
    return _search(fine, staffing, max_rounds)


def _search(state: _Search, start: Staffing, max_rounds: int) -> Outcome:
    intervals = len(start)
    swept = False
    trades = 0
    (current,) = state.evaluate([start], "search")
    for _ in range(max_rounds):
        missing = [
            index
            for index in range(intervals)
            if not current.meets(index) and state.futile.get(index, 0) < _FUTILE
        ]
        if missing:
            current = state.repair(current, missing)
            continue
        trimmed = state.trim(current)
        if trimmed is not None:
            current = trimmed
            continue
        if trades < _TRADES and len(state.groups) > 1:
            trades += 1
            traded = state.trade(current)
            if traded is not None:
                current = traded
                continue
        if swept or not state.closed:
            break
        # One more sweep with every interval open again: what a repair or a neighbour
        # blocked may have come free now that the staffing has settled.
        state.closed.clear()
        swept = True
    return current
