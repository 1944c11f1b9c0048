"""The identity graph: keys, union-find components, evidence."""

from __future__ import annotations

from datetime import UTC, datetime

import hypothesis.strategies as st
from hypothesis import given, settings

import omnirouter as om
from omnirouter.history.identity import (
    IdentityGraph,
    IdentityKey,
    IdentityKind,
    contact_keys,
    interaction_keys,
)


def test_keys_are_normalised() -> None:
    contact = om.Contact(
        id="c1",
        identities={
            "emails": [" Anna.Meyer@Example.ORG", "not-an-address"],
            "phones": ["030 1234567", "12"],
            "handles": [{"platform": "X", "handle": "@Hasei4711"}],
            "customer_numbers": [" K-1001 "],
            "session_ids": ["S-9"],
        },
    )
    assert [str(key) for key in contact_keys(contact)] == [
        "email:anna.meyer@example.org",
        "phone:+49301234567",
        "handle:x:hasei4711",
        "customer_number:k-1001",
        "session:S-9",
    ]


def test_link_on_restricts_kinds() -> None:
    contact = om.Contact(id="c1", identities={"emails": ["a@b.de"], "phones": ["+4930123456"]})
    assert contact_keys(contact, kinds=["phone"]) == [
        IdentityKey(IdentityKind.PHONE, "+4930123456")
    ]


def test_phone_region_is_used() -> None:
    contact = om.Contact(id="c1", identities={"phones": ["020 7946 0958"]})
    assert contact_keys(contact, default_region="GB") == [
        IdentityKey(IdentityKind.PHONE, "+442079460958")
    ]


def test_interaction_handle_platform_from_attributes_or_channel() -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    post = om.Interaction(
        id="i1",
        channel="social_public",
        created_at=at,
        identity={"handle": "@Hasei4711"},
        attributes={"platform": "x"},
    )
    chat = om.Interaction(
        id="i2", channel="chat", created_at=at, identity={"handle": "hasei", "session_id": "s1"}
    )
    assert [str(k) for k in interaction_keys(post)] == ["handle:x:hasei4711"]
    assert [str(k) for k in interaction_keys(chat)] == ["handle:chat:hasei", "session:s1"]


def test_graph_components_and_evidence() -> None:
    graph: IdentityGraph[str] = IdentityGraph()
    mail = IdentityKey(IdentityKind.EMAIL, "anna@example.org")
    phone = IdentityKey(IdentityKind.PHONE, "+49301234567")
    graph.add("a", [mail])
    graph.add("b", [mail, phone])
    graph.add("c", [phone])
    graph.add("d")
    assert sorted(map(sorted, graph.components())) == [["a", "b", "c"], ["d"]]
    assert graph.same("a", "c")
    assert not graph.same("a", "d")
    assert [str(link) for link in graph.explain("a")] == [
        "email anna@example.org links a, b",
        "phone +49301234567 links b, c",
    ]
    graph.link("a", "d", kind="duplicate", reason="cluster 7")
    assert sorted(graph.component("d")) == ["a", "b", "c", "d"]
    assert [link.kind for link in graph.explain("d")] == ["email", "phone", "duplicate"]
    assert len(graph) == 4
    assert graph.holders(phone) == ["b", "c"]
    assert set(graph.keys_of("a")) == {mail, phone}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.lists(st.integers(0, 12), max_size=3)),
        max_size=30,
    )
)
def test_components_equal_reference_connectivity(nodes: list[tuple[int, list[int]]]) -> None:
    graph: IdentityGraph[int] = IdentityGraph()
    for node, keys in nodes:
        graph.add(node, [IdentityKey(IdentityKind.SESSION, str(k)) for k in keys])
    # Reference: repeat joining groups that share a node or key until nothing changes.
    groups: list[tuple[set[int], set[int]]] = []
    for node, keys in nodes:
        merged_nodes, merged_keys = {node}, set(keys)
        rest = []
        for group in groups:
            if group[0] & merged_nodes or group[1] & merged_keys:
                merged_nodes |= group[0]
                merged_keys |= group[1]
            else:
                rest.append(group)
        groups = [*rest, (merged_nodes, merged_keys)]
    expected = sorted(sorted(group[0]) for group in groups)
    assert sorted(sorted(component) for component in graph.components()) == expected
