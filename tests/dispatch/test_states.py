"""The one transition table of an interaction's lifecycle: every pair of states."""

from __future__ import annotations

from itertools import product

import pytest

import omnirouter as om
from omnirouter.dispatch import states
from omnirouter.dispatch.states import OPEN_STATES, TERMINAL_STATES, TRANSITIONS

S = om.InteractionState

#: The legal transitions, written out once more by hand: the table must say exactly this.
LEGAL = {
    (S.NEW, S.SCHEDULED),
    (S.NEW, S.QUEUED),
    (S.SCHEDULED, S.QUEUED),
    (S.SCHEDULED, S.ABANDONED),
    (S.SCHEDULED, S.CANCELLED),
    (S.QUEUED, S.QUEUED),
    (S.QUEUED, S.OFFERED),
    (S.QUEUED, S.ASSIGNED),
    (S.QUEUED, S.WAITING_FOR_CHILDREN),
    (S.QUEUED, S.ABANDONED),
    (S.QUEUED, S.CANCELLED),
    (S.OFFERED, S.ASSIGNED),
    (S.OFFERED, S.QUEUED),
    (S.OFFERED, S.WAITING_FOR_CHILDREN),
    (S.OFFERED, S.ABANDONED),
    (S.OFFERED, S.CANCELLED),
    (S.ASSIGNED, S.PAUSED),
    (S.ASSIGNED, S.QUEUED),
    (S.ASSIGNED, S.WAITING_FOR_CHILDREN),
    (S.ASSIGNED, S.COMPLETED),
    (S.ASSIGNED, S.CANCELLED),
    (S.PAUSED, S.ASSIGNED),
    (S.PAUSED, S.QUEUED),
    (S.PAUSED, S.WAITING_FOR_CHILDREN),
    (S.PAUSED, S.CANCELLED),
    (S.WAITING_FOR_CHILDREN, S.COMPLETED),
    (S.WAITING_FOR_CHILDREN, S.ABANDONED),
    (S.WAITING_FOR_CHILDREN, S.CANCELLED),
}
PAIRS = list(product(S, S))


class Record:
    def __init__(self, state: S) -> None:
        self.id = "i1"
        self.state = state


def test_the_table_covers_every_state() -> None:
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("source", "target"), [p for p in PAIRS if p in LEGAL])
def test_a_legal_transition_moves(source: S, target: S) -> None:
    record = Record(source)
    assert states.can_move(source, target)
    states.move(record, target)
    assert record.state is target


@pytest.mark.parametrize(("source", "target"), [p for p in PAIRS if p not in LEGAL])
def test_an_illegal_transition_raises_and_changes_nothing(source: S, target: S) -> None:
    record = Record(source)
    assert not states.can_move(source, target)
    with pytest.raises(om.InvalidStateError, match=f"from {source.value} to {target.value}"):
        states.move(record, target)
    assert record.state is source


def test_terminal_states_are_final_and_open_states_can_end() -> None:
    assert all(not TRANSITIONS[state] for state in TERMINAL_STATES)
    assert {state for state in S if state.terminal} == TERMINAL_STATES
    # From every open state some path leads to an end (nothing is stuck for ever).
    for start in OPEN_STATES:
        seen, todo = {start}, [start]
        while todo:
            for target in TRANSITIONS[todo.pop()]:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        assert seen & TERMINAL_STATES, start


def test_every_open_state_is_reachable_from_new() -> None:
    seen, todo = {S.NEW}, [S.NEW]
    while todo:
        for target in TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen >= OPEN_STATES
    assert set(S) - TERMINAL_STATES - {S.NEW} == OPEN_STATES


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_load_takes_an_open_state_by_value(state: S) -> None:
    record = Record(S.NEW)
    states.load(record, state.value, "work.0.state")
    assert record.state is state


@pytest.mark.parametrize("value", ["new", "completed", "cancelled", "on the moon", 3, None])
def test_load_refuses_what_a_snapshot_cannot_hold(value: object) -> None:
    record = Record(S.NEW)
    with pytest.raises(om.ValidationError, match=r"work\.0\.state"):
        states.load(record, value, "work.0.state")
    assert record.state is S.NEW


def test_the_state_is_the_same_enum_everywhere() -> None:
    from omnirouter.model.interaction import TERMINAL_STATES as MODEL_TERMINAL

    assert om.InteractionState is states.InteractionState
    assert MODEL_TERMINAL is TERMINAL_STATES
    assert om.InteractionState.__module__ == "omnirouter.model.interaction"
