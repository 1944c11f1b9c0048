"""Batch helpers: copies that equal deep copies, the collector left as it was found."""

from __future__ import annotations

import copy
import gc
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import omnirouter as om
from omnirouter.history._bulk import collector_paused, snapshot

_ATOMS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.decimals(allow_nan=False),
)
_VALUES = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.tuples(inner, inner),
        st.sets(st.integers(), max_size=3),
    ),
    max_leaves=12,
)


def _mutables(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(m for item in value.values() for m in _mutables(item))]
    if isinstance(value, list | set):
        return [value, *(m for item in value for m in _mutables(item))]
    if isinstance(value, tuple):
        return [m for item in value for m in _mutables(item)]
    return []


@settings(max_examples=150, deadline=None)
@given(_VALUES)
def test_snapshot_equals_a_deep_copy_and_shares_nothing_mutable(value: Any) -> None:
    copied = snapshot(value)
    assert copied == copy.deepcopy(value)
    originals = {id(m) for m in _mutables(value)}
    assert not originals & {id(m) for m in _mutables(copied)}


def test_snapshot_copies_models_deeply() -> None:
    contact = om.Contact(id="a", identities={"emails": ["a@example.org"]}, attributes={"x": [1]})
    copied = snapshot(contact)
    assert copied == contact
    copied.identities.emails.append("b@example.org")
    assert contact.identities.emails == ["a@example.org"]
    row = {
        "id": "1",
        "born": date(1990, 1, 2),
        "fee": Decimal("1.5"),
        "at": datetime(2024, 5, 1, tzinfo=UTC),
    }
    assert snapshot(row) == row


def test_collector_paused_restores_what_it_found() -> None:
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        with collector_paused():
            assert not gc.isenabled()
            with collector_paused():  # nested: the inner one must not resume it
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("boom")
        assert gc.isenabled()
        gc.disable()  # a host that runs without the collector keeps it off
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def test_merge_leaves_the_collector_running_even_when_it_fails() -> None:
    assert gc.isenabled()
    om.history.merge([{"id": "a", "email": "a@example.org"}])
    assert gc.isenabled()
    with pytest.raises(om.ValidationError):
        om.history.merge([{"id": "a"}, {"id": "a"}])
    assert gc.isenabled()
