"""ContactHistory: one person's history across channels, identities linked on the way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import omnirouter as om
from omnirouter.history import ContactHistory

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def anna() -> dict[str, Any]:
    return {
        "id": "c1",
        "first_name": "Anna",
        "last_name": "Meyer",
        "email": "anna.meyer@example.org",
        "phone": "030 1234567",
    }


def test_chat_session_that_becomes_a_call_and_the_price_quoted_in_chat() -> None:
    history = ContactHistory()
    history.add_contact(anna())
    history.record(
        {
            "id": "chat-1",
            "channel": "chat",
            "customer_id": "c1",
            "created_at": at(0),
            "identity": {"session_id": "S-77"},
            "preview": "Angebot: 49,90 € für den Router",
        }
    )
    call = {
        "id": "call-1",
        "channel": "voice",
        "created_at": at(45),
        "identity": {"session_id": "S-77", "phone": "+49 171 5550000"},
    }
    assert history.identify(call) == ["c1"]
    history.record(call)
    view = history.timeline("c1")
    assert [entry.id for entry in view] == ["chat-1", "call-1"]
    (quote,) = view[0].quotes
    assert (quote.amount, quote.currency) == (Decimal("49.90"), "EUR")
    assert "[quoted 49,90 €]" in view[0].summary
    # The caller's mobile number, learnt on the call, now identifies Anna too.
    assert history.identify(
        {"id": "x", "channel": "sms", "identity": {"phone": "0171 5550000"}}
    ) == ["c1"]


def test_caller_recognised_by_the_phone_number_known_from_an_order() -> None:
    history = ContactHistory()
    history.add_contact(
        {"id": "c1", "last_name": "Meyer", "phone": "030 1234567", "order": "A-100"}
    )
    history.record(
        {
            "id": "call",
            "channel": "voice",
            "created_at": at(5),
            "identity": {"phone": "+49301234567"},
        }
    )
    assert [entry.id for entry in history.timeline("c1")] == ["call"]
    assert [str(link) for link in history.explain("c1")] == [
        "phone +49301234567 links c1, interaction:call"
    ]


def test_anonymous_handle_is_linked_when_a_contact_with_it_arrives() -> None:
    history = ContactHistory()
    history.add_contact(anna())
    for minute, ident in ((0, "post-1"), (30, "post-2")):
        history.record(
            {
                "id": ident,
                "channel": "social_public",
                "created_at": at(minute),
                "identity": {"handle": "@Hasei4711"},
                "attributes": {"platform": "x"},
            }
        )
    (anonymous,) = history.anonymous()
    assert [str(key) for key in anonymous.keys] == ["handle:x:hasei4711"]
    assert anonymous.interaction_ids == ("post-1", "post-2")
    assert history.timeline("c1") == []
    history.add_contact(
        {
            "id": "c1",
            **{k: v for k, v in anna().items() if k != "id"},
            "identities": {"handles": [{"platform": "x", "handle": "Hasei4711"}]},
        }
    )
    assert history.anonymous() == []
    assert [entry.id for entry in history.timeline("c1")] == ["post-1", "post-2"]


def test_identified_contact_on_someone_elses_phone_does_not_merge_people() -> None:
    history = ContactHistory()
    history.add_contact({"id": "husband", "phone": "030 1234567"})
    history.add_contact({"id": "wife", "email": "wife@example.org"})
    history.record(
        {
            "id": "call",
            "channel": "voice",
            "customer_id": "wife",
            "created_at": at(0),
            "identity": {"phone": "030 1234567"},
        }
    )
    assert history.person("wife") == ["wife"]
    assert [entry.id for entry in history.timeline("wife")] == ["call"]
    assert history.timeline("husband") == []


def test_identified_interaction_teaches_its_hints_without_merging_a_household() -> None:
    history = ContactHistory()
    history.add_contacts([{"id": "wife", "email": "w@example.org"}, {"id": "husband"}])
    history.record(
        {
            "id": "call-1",
            "channel": "voice",
            "customer_id": "wife",
            "created_at": at(0),
            "identity": {"phone": "0171 5550000", "email": "wife.new@example.org"},
        }
    )
    assert history.identify(
        {"id": "q", "channel": "sms", "identity": {"phone": "+491715550000"}}
    ) == ["wife"]
    assert history.identify(
        {"id": "q", "channel": "email", "identity": {"email": "Wife.New@example.org"}}
    ) == ["wife"]
    sms = {
        "id": "sms-1",
        "channel": "sms",
        "created_at": at(5),
        "identity": {"phone": "01715550000"},
    }
    history.record(sms)
    assert [e.id for e in history.timeline("wife")] == ["call-1", "sms-1"]
    assert "learnt_hint" in [link.kind for link in history.explain("wife")]
    assert history.anonymous() == []
    # The husband's record carries that mobile: the number is his, the SMS too, and
    # the two people stay two, whichever came first.
    history.add_contact({"id": "husband", "phone": "+49 171 5550000"})
    assert history.person("wife") == ["wife"]
    assert history.person("husband") == ["husband"]
    assert [e.id for e in history.timeline("husband")] == ["sms-1"]
    assert [e.id for e in history.timeline("wife")] == ["call-1"]
    assert history.count_recent("wife", at(0)) == 1


def test_hint_learnt_from_two_customers_identifies_neither() -> None:
    history = ContactHistory()
    history.add_contacts([{"id": "wife"}, {"id": "husband"}])
    for ident, customer in (("c1", "wife"), ("c2", "husband")):
        history.record(
            {
                "id": ident,
                "channel": "voice",
                "customer_id": customer,
                "created_at": at(0),
                "identity": {"phone": "030 998877"},  # the home landline
            }
        )
    history.record(
        {"id": "c3", "channel": "voice", "created_at": at(9), "identity": {"phone": "030 998877"}}
    )
    assert [group.interaction_ids for group in history.anonymous()] == [("c3",)]
    assert history.person("wife") == ["wife"]
    assert [e.id for e in history.timeline("husband")] == ["c2"]
    assert (
        sorted(
            history.identify({"id": "q", "channel": "voice", "identity": {"phone": "030998877"}})
        )
        == []
    )  # carried by the anonymous call only: no contact in its group


def test_case_history_across_contact_persons_with_planned_activities() -> None:
    history = ContactHistory()
    history.add_contacts([{"id": "buyer", "email": "b@corp.example"}, {"id": "tech"}])
    history.record(
        {
            "id": "e1",
            "channel": "email",
            "customer_id": "buyer",
            "case_id": "deal-9",
            "created_at": at(0),
        }
    )
    history.record(
        {
            "id": "v1",
            "channel": "voice",
            "customer_id": "tech",
            "case_id": "deal-9",
            "created_at": at(60),
        }
    )
    history.record({"id": "v2", "channel": "voice", "customer_id": "tech", "created_at": at(90)})
    history.plan(
        {
            "id": "visit",
            "who": "agent-3",
            "what": "Vor-Ort-Termin",
            "starts_at": at(24 * 60),
            "ends_at": at(26 * 60),
            "customer_id": "tech",
            "case_id": "deal-9",
        }
    )
    assert [e.id for e in history.case_timeline("deal-9")] == ["e1", "v1", "visit"]
    assert [e.id for e in history.timeline("tech")] == ["v1", "v2", "visit"]
    assert [e.id for e in history.timeline("tech", planned=False)] == ["v1", "v2"]
    assert [a.id for a in history.planned("tech", at=at(25 * 60))] == ["visit"]
    assert history.planned("tech", at=at(27 * 60)) == []


def test_count_recent_for_the_repeat_contact_factor() -> None:
    history = ContactHistory()
    history.add_contact(anna())
    for minute in (0, 60, 120):
        history.record(
            {"id": f"m{minute}", "channel": "email", "customer_id": "c1", "created_at": at(minute)}
        )
    assert history.count_recent("c1", at(60)) == 2
    assert history.count_recent("c1", at(0)) == 3
    assert history.count_recent("nobody", at(0)) == 0
    with pytest.raises(om.ValidationError):
        history.count_recent("c1", datetime(2024, 1, 1))  # naive


def test_count_recent_follows_links_made_later_and_new_versions() -> None:
    history = ContactHistory()
    history.record(
        {"id": "post", "channel": "social_public", "created_at": at(0), "identity": {"handle": "h"}}
    )
    history.add_contact({"id": "c1"})
    assert history.count_recent("c1", at(0)) == 0
    history.add_contact(
        {"id": "c1", "identities": {"handles": [{"platform": "social_public", "handle": "h"}]}}
    )
    assert history.count_recent("c1", at(0)) == 1  # the anonymous post joined c1
    history.record({"id": "mail", "channel": "email", "customer_id": "c1", "created_at": at(5)})
    assert history.count_recent("c1", at(1)) == 1
    # A new version of the mail names another customer and another time.
    history.add_contact({"id": "c2"})
    history.record({"id": "mail", "channel": "email", "customer_id": "c2", "created_at": at(9)})
    assert history.count_recent("c1", at(0)) == 1
    assert history.count_recent("c2", at(9)) == 1
    assert history.count_recent("c2", at(10)) == 0


def test_a_contact_history_is_the_priority_scorers_repeat_contacts_plug_in() -> None:
    history = ContactHistory()
    history.add_contact(anna())
    for day in (1, 3, 20):
        history.record(
            {
                "id": f"call-{day}",
                "channel": "voice",
                "created_at": T0 - timedelta(days=day),
                "identity": {"phone": "+49 30 1234567"},  # known from the contact
            }
        )
    assert isinstance(history, om.priority.ContactHistory)  # the scorer's protocol
    scorer = om.PriorityScorer(
        {
            "name": "repeat callers first",
            "factors": [{"kind": "repeat_contacts", "weight": 100, "window_days": 7}],
        },
        history=history,
    )
    chat = om.Interaction(id="chat", channel="chat", customer_id="c1", created_at=T0)
    assert scorer(chat, T0.timestamp()) == 200.0  # two calls in the last seven days
    stranger = om.Interaction(id="x", channel="chat", customer_id="c9", created_at=T0)
    assert scorer(stranger, T0.timestamp()) == 0.0


def test_golden_contact_is_kept_until_the_person_changes() -> None:
    history = ContactHistory()
    history.add_contacts(
        [{"id": "a", "email": "m@example.org", "last_name": "Maier"}, {"id": "b", "tier": "gold"}]
    )
    first = history.golden("a")
    assert history.golden("a") is first
    history.record({"id": "i", "channel": "email", "customer_id": "b", "created_at": at(0)})
    assert history.golden("a") is first  # another person changed
    history.add_contact({"id": "c", "email": "M@example.org", "last_name": "Meier"})
    second = history.golden("a")
    assert second is not first
    assert second.record_ids == ("a", "c")
    assert second.contact.family_name == "Meier"
    assert history.golden("c") is second
    history.add_contact({"id": "c", "email": "other@example.org"})  # replaced: unlinks
    assert history.golden("a").record_ids == ("a",)
    assert history.golden("a").contact.family_name == "Maier"


def test_golden_contact_and_duplicate_links() -> None:
    history = ContactHistory(
        rules={"fields": {"family_name": "most_trusted"}, "trusted_sources": ["erp"]}
    )
    history.add_contacts(
        [
            {"id": "a", "last_name": "Maier", "email": "m@example.org", "source": "web"},
            {"id": "b", "last_name": "Meier", "email": "M@example.org", "source": "erp"},
            {"id": "c", "last_name": "Meyer"},
        ]
    )
    golden = history.golden("b")
    assert golden.record_ids == ("a", "b")
    assert golden.contact.family_name == "Meier"
    assert golden.provenance["family_name"].record_id == "b"

    class Clusters:
        def __init__(self, clusters: list[set[str]]) -> None:
            self.clusters = clusters

    assert history.link_duplicates(Clusters([{"c", "a"}])) == 1
    assert sorted(history.person("c")) == ["a", "b", "c"]
    assert "duplicate" in [link.kind for link in history.golden("c").links]
    with pytest.raises(om.ValidationError):
        history.link_duplicates(Clusters([{"a", "zz"}]))


def test_replacing_a_contact_can_unlink() -> None:
    history = ContactHistory()
    history.add_contacts(
        [{"id": "a", "email": "x@example.org"}, {"id": "b", "email": "x@example.org"}]
    )
    assert sorted(history.person("a")) == ["a", "b"]
    history.add_contact({"id": "b", "email": "other@example.org"})
    assert history.person("a") == ["a"]


def test_errors() -> None:
    history = ContactHistory()
    with pytest.raises(om.UnknownContactError) as caught:
        history.timeline("ghost")
    assert str(caught.value) == "unknown contact 'ghost'"
    with pytest.raises(om.UnknownContactError):
        history.contact("ghost")
    with pytest.raises(om.ValidationError):
        history.add_contact({"id": "a", "updated_at": "2024-01-01T00:00:00"})
    with pytest.raises(om.ValidationError):
        history.record({"id": "i", "channel": "voice"})  # no time anywhere
    assert history.contacts == []
    assert history.dump()["timeline"] == []
    # An interaction may name its customer before the contact is loaded.
    history.record({"id": "i", "channel": "voice", "customer_id": "later"}, at=T0)
    assert [e.id for e in history.timeline("later")] == ["i"]


# --- stateful: incremental linking equals linking everything from scratch --------

_EMAILS = ["a@example.org", "b@example.org", "c@example.org"]
_PHONES = ["030 111111", "030 222222", "030 333333"]
_SESSIONS = ["s1", "s2", "s3"]


class HistoryMachine(RuleBasedStateMachine):
    """Random contacts and interactions with identities from small pools."""

    def __init__(self) -> None:
        super().__init__()
        self.history = ContactHistory()
        self.contacts: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, dict[str, Any]] = {}
        self.counter = 0

    @rule(
        ident=st.sampled_from(["c1", "c2", "c3", "c4"]),
        email=st.sampled_from([None, *_EMAILS]),
        phone=st.sampled_from([None, *_PHONES]),
    )
    def add_contact(self, ident: str, email: str | None, phone: str | None) -> None:
        row = {"id": ident, "email": email, "phone": phone}
        self.history.add_contact(row)
        self.contacts[ident] = row

    @rule(
        customer=st.sampled_from([None, "c1", "c2"]),
        email=st.sampled_from([None, *_EMAILS]),
        phone=st.sampled_from([None, *_PHONES]),
        session=st.sampled_from([None, *_SESSIONS]),
        minute=st.integers(0, 100),
    )
    def record(
        self,
        customer: str | None,
        email: str | None,
        phone: str | None,
        session: str | None,
        minute: int,
    ) -> None:
        self.counter += 1
        data = {
            "id": f"i{self.counter}",
            "channel": "chat",
            "customer_id": customer,
            "created_at": at(minute),
            "identity": {"email": email, "phone": phone, "session_id": session},
        }
        if self.history.record(data):
            self.interactions[data["id"]] = data

    @invariant()
    def same_people_as_built_from_scratch(self) -> None:
        fresh = ContactHistory()
        # Contacts last and in reverse: linking must not depend on who came first.
        for data in self.interactions.values():
            fresh.record(data)
        fresh.add_contacts(reversed(list(self.contacts.values())))
        for ident in self.contacts:
            assert sorted(self.history.person(ident)) == sorted(fresh.person(ident))
            assert [e.id for e in self.history.timeline(ident)] == [
                e.id for e in fresh.timeline(ident)
            ]

    @invariant()
    def count_recent_counts_the_timeline(self) -> None:
        for ident in [*self.contacts, "c2", "nobody"]:
            try:
                view = self.history.timeline(ident, planned=False)
            except om.UnknownContactError:
                view = []
            for minute in (0, 30, 101):
                since = at(minute)
                expected = sum(1 for entry in view if entry.at >= since)
                assert self.history.count_recent(ident, since) == expected

    @invariant()
    def every_interaction_in_exactly_one_history(self) -> None:
        seen: list[str] = []
        people: set[frozenset[str]] = set()
        for ident in self.contacts:
            people.add(frozenset(self.history.person(ident)))
        referenced = {d["customer_id"] for d in self.interactions.values()} - {None}
        for ident in referenced - set(self.contacts):
            people.add(frozenset(self.history.person(ident)))
        for person in people:
            view = self.history.timeline(next(iter(person)))
            assert view == sorted(view, key=lambda e: (e.at, e.sequence))
            seen += [e.id for e in view]
        seen += [i for group in self.history.anonymous() for i in group.interaction_ids]
        assert sorted(seen) == sorted(self.interactions)


TestHistoryMachine = HistoryMachine.TestCase
TestHistoryMachine.settings = settings(max_examples=30, stateful_step_count=15, deadline=None)
