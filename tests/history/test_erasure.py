"""forget(): nothing that identifies the person is left anywhere, only what the caller keeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import omnirouter as om
from omnirouter.history import KEEPABLE, ContactHistory

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=30)

# Everything that identifies Anna, in the spellings it was given and normalised.
ANNA_TRACES = [
    "anna",
    "meyer",
    "meier",
    "hasei",
    "1234567",
    "5550000",
    "musterweg",
    "router ist kaputt",
    "49,90",
    "<msg-anna@",
    "s-77",
]


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def filled_history() -> ContactHistory:
    history = ContactHistory()
    history.add_contacts(
        [
            {
                "id": "c1",
                "first_name": "Anna",
                "last_name": "Meyer",
                "email": "anna.meyer@example.org",
                "phone": "030 1234567",
                "customer_number": "K-1001",
                "street": "Musterweg 5",
                "city": "Berlin",
                "consent": [
                    {"channel": "email", "status": "opt_out", "at": T0, "source": "letter"}
                ],
            },
            {
                "id": "c9",
                "last_name": "Meier",
                "identities": {
                    "emails": ["ANNA.MEYER@example.org"],
                    "handles": [{"platform": "x", "handle": "Hasei4711"}],
                },
            },
            {"id": "bob", "first_name": "Bob", "last_name": "Brandt", "email": "bob@example.org"},
        ]
    )
    history.record(
        {
            "id": "post",
            "channel": "social_public",
            "created_at": at(0),
            "identity": {"handle": "@Hasei4711"},
            "attributes": {"platform": "x"},
            "preview": "Mein Router ist kaputt!",
        }
    )
    history.record(
        {
            "id": "chat",
            "channel": "chat",
            "customer_id": "c1",
            "case_id": "case-1",
            "created_at": at(10),
            "identity": {"session_id": "S-77"},
            "preview": "Angebot: 49,90 €",
        }
    )
    history.record(
        {
            "id": "call",
            "channel": "voice",
            "created_at": at(20),
            "identity": {"session_id": "S-77", "phone": "+49 171 5550000"},
            "attributes": {"message_id": "<msg-anna@pbx>"},
        }
    )
    # Bob calls from Anna's landline: his call names her number.
    history.record(
        {
            "id": "bob-call",
            "channel": "voice",
            "customer_id": "bob",
            "created_at": at(30),
            "identity": {"phone": "030 1234567"},
            "preview": "Bob wants a new contract",
        }
    )
    history.plan(
        {
            "id": "todo",
            "who": "agent-1",
            "what": "Anna Meyer zurückrufen",
            "starts_at": at(60),
            "customer_id": "c1",
        }
    )
    return history


def dumped(history: ContactHistory) -> str:
    return json.dumps(history.dump(), ensure_ascii=False).casefold()


def test_before_forgetting_the_traces_are_there() -> None:
    text = dumped(filled_history())
    assert all(trace in text for trace in ANNA_TRACES)


def test_forget_leaves_no_trace_of_the_person_anywhere() -> None:
    history = filled_history()
    report = history.forget("c9", at=LATER)
    text = dumped(history)
    assert [trace for trace in ANNA_TRACES if trace in text] == []
    assert sorted(report.contact_ids) == ["c1", "c9"]
    assert sorted(report.interaction_ids) == ["call", "chat", "post"]
    assert report.scrubbed_ids == ("bob-call",)
    assert report.activity_ids == ("todo",)
    # Bob is untouched, except that his call no longer names Anna's number.
    assert history.contact("bob").family_name == "Brandt"
    (bob_call,) = history.timeline("bob")
    assert bob_call.interaction is not None
    assert bob_call.interaction.identity.phone is None
    assert bob_call.interaction.preview == "Bob wants a new contract"
    assert "bob@example.org" in text
    # Tombstones remain with ids only; the timeline is gone.
    assert history.contact("c1") == om.Contact(id="c1")
    assert history.timeline("c1") == []
    assert history.count_recent("c1", T0) == 0
    assert history.case_timeline("case-1") == []
    assert history.anonymous() == []
    assert [e.as_dict()["contact_id"] for e in history.erasures] == ["c9"]


def test_forget_keeps_what_the_caller_marks_as_legally_required() -> None:
    history = filled_history()
    history.forget(
        "c1", at=LATER, keep=["customer_numbers", "consent", "interactions", "activities"]
    )
    text = dumped(history)
    assert [trace for trace in ANNA_TRACES if trace in text] == []
    tombstone = history.contact("c1")
    assert tombstone.identities.customer_numbers == ["K-1001"]
    assert tombstone.latest_consent("email", LATER).status is om.ConsentStatus.OPT_OUT  # type: ignore[union-attr]
    assert tombstone.family_name is None
    # The bare facts of each interaction stay, attributed by id, without content or hints.
    facts = [(e.id, e.kind, e.at) for e in history.timeline("c1")]
    assert facts == [
        ("post", "interaction", at(0)),
        ("chat", "interaction", at(10)),
        ("call", "interaction", at(20)),
        ("todo", "activity", at(60)),
    ]
    chat = history.timeline("c1")[1].interaction
    assert chat is not None
    assert (chat.channel, chat.case_id, chat.preview, chat.identity.session_id) == (
        "chat",
        "case-1",
        None,
        None,
    )
    # Interactions identified only by hints keep their facts under the forgotten id.
    post = history.timeline("c1")[0].interaction
    assert post is not None
    assert post.customer_id == "c1"
    assert history.timeline("c9") == []
    assert history.case_timeline("case-1")[0].id == "chat"
    # The kept customer number still links a new record to the tombstone.
    history.add_contact({"id": "new", "customer_number": "k-1001"})
    assert sorted(history.person("new")) == ["c1", "new"]


def test_bad_keep_is_refused_and_changes_nothing() -> None:
    history = filled_history()
    before = history.dump()
    with pytest.raises(om.ValidationError) as caught:
        history.forget("c1", at=LATER, keep=["customer_numbers", "shoe_size"])
    assert caught.value.fields == ["keep.shoe_size"]
    with pytest.raises(om.ValidationError):
        history.forget("c1", at=datetime(2024, 6, 1))  # naive
    with pytest.raises(om.UnknownContactError):
        history.forget("ghost", at=LATER)
    assert history.dump() == before
    assert "interactions" in KEEPABLE


def test_forgotten_person_can_come_back_as_new_data() -> None:
    history = filled_history()
    history.forget("c1", at=LATER)
    history.add_contact({"id": "c1", "first_name": "Anna", "email": "anna.neu@example.org"})
    assert history.contact("c1").given_name == "Anna"
    assert history.person("c1") == ["c1"]


# --- property: whoever is forgotten, their tokens vanish and everyone else's stay ---

_SHARED_EMAILS = ["e0@example.org", "e1@example.org", "e2@example.org"]


@st.composite
def populations(draw: st.DrawFn) -> list[dict[str, Any]]:
    size = draw(st.integers(1, 6))
    return [
        {
            "id": f"p{n}",
            "last_name": f"Zname{n}q",
            "email": draw(st.sampled_from([None, *_SHARED_EMAILS])),
            "phone": f"030 77{n}0{n}0{n}",
        }
        for n in range(size)
    ]


@settings(max_examples=40, deadline=None)
@given(populations(), st.data())
def test_forgetting_anyone_removes_exactly_their_traces(
    people: list[dict[str, Any]], data: st.DataObject
) -> None:
    history = ContactHistory()
    history.add_contacts(people)
    for n, person in enumerate(people):
        history.record(
            {
                "id": f"i{n}",
                "channel": "email",
                "customer_id": person["id"],
                "created_at": at(n),
                "preview": f"Ztext{n}q",
            }
        )
    victim = data.draw(st.sampled_from([p["id"] for p in people]))
    gone = set(history.person(victim))
    history.forget(victim, at=LATER)
    text = dumped(history)
    for n, person in enumerate(people):
        traces = [f"zname{n}q", f"ztext{n}q", f"7{n}0{n}0{n}"]
        if person["id"] in gone:
            assert not any(trace in text for trace in traces)
        else:
            assert all(trace in text for trace in traces)
            if person["email"]:
                assert person["email"] in text
