"""The timeline log: one entry per interaction, order, quoted prices, planned activities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import omnirouter as om
from omnirouter.history import PlannedActivity, Timeline
from omnirouter.history._quotes import find_quotes
from omnirouter.history.timeline import REDELIVERY_WINDOW, content_hash

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def chat(ident: str, minutes: int = 0, **fields: object) -> om.Interaction:
    data: dict[str, object] = {
        "id": ident,
        "channel": "chat",
        "created_at": T0 + timedelta(minutes=minutes),
        "preview": f"text of {ident}",
    }
    data.update(fields)
    return om.Interaction.model_validate(data)


def test_entries_come_out_in_time_order_ties_by_arrival() -> None:
    log = Timeline()
    for interaction in (chat("b", 10), chat("a", 5), chat("c", 10), chat("d", 0)):
        assert log.add(interaction)
    assert [entry.id for entry in log] == ["d", "a", "b", "c"]
    assert len(log) == 4
    assert "a" in log


def test_same_id_updates_in_place_without_duplicating() -> None:
    log = Timeline()
    assert log.add(chat("a", 0, state="queued"))
    assert log.add(chat("b", 1))
    assert not log.add(chat("a", 0, state="completed", preview="text of a, answered"))
    assert [entry.id for entry in log] == ["a", "b"]
    entry = log.get("a")
    assert entry is not None
    assert entry.interaction is not None
    assert entry.interaction.state is om.InteractionState.COMPLETED


def test_repeat_under_other_id_is_recognised_by_message_id_or_content() -> None:
    log = Timeline()
    mail = om.Interaction(
        id="m1",
        channel="email",
        created_at=T0,
        subject="Rechnung",
        attributes={"message_id": "<abc@mail.example>"},
    )
    assert log.add(mail)
    resent = mail.model_copy(update={"id": "m2", "created_at": T0 + timedelta(hours=1)})
    assert log.duplicate_of(resent) == "m1"
    assert not log.add(resent)
    same_content = chat("c1", 3)
    assert log.add(same_content)
    assert not log.add(same_content.model_copy(update={"id": "c1-import"}))
    assert [entry.id for entry in log] == ["m1", "c1"]


def test_missing_time_needs_at_and_naive_at_is_refused() -> None:
    log = Timeline()
    bare = om.Interaction(id="x", channel="voice")
    with pytest.raises(om.ValidationError) as caught:
        log.add(bare)
    assert caught.value.fields == ["created_at"]
    with pytest.raises(om.ValidationError):
        log.add(bare, at=datetime(2024, 1, 1))
    assert len(log) == 0
    assert log.add(bare, at=T0)
    entry = log.get("x")
    assert entry is not None
    assert entry.at == T0
    assert entry.interaction is bare


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Angebot: 49,90 €", "49.90", "EUR"),
        ("Preis 1.234,56 EUR inkl. MwSt.", "1234.56", "EUR"),
        ("that is $12.50 per month", "12.50", "USD"),
        ("nur EUR 7 im Monat", "7", "EUR"),
        ("1.299 € einmalig", "1299", "EUR"),
        ("49,- € pauschal", "49", "EUR"),
        ("CHF 10", "10", "CHF"),
        ("£3.5", "3.5", "GBP"),
        ("3,5 Euro", "3.5", "EUR"),
    ],
)
def test_prices_found_in_text(text: str, amount: str, currency: str) -> None:
    (quote,) = find_quotes(om.Interaction(id="q", channel="chat", preview=text))
    assert quote.amount == Decimal(amount)
    assert quote.currency == currency
    assert quote.where == "preview"


@pytest.mark.parametrize("text", ["Kundennummer 4711", "TEUR 5 Umsatz", "EUROPA 7", "Router 3000"])
def test_no_price_where_there_is_none(text: str) -> None:
    assert find_quotes(om.Interaction(id="q", channel="chat", preview=text)) == ()


def test_prices_found_in_attributes() -> None:
    interaction = om.Interaction(
        id="q",
        channel="chat",
        attributes={"offer": {"price": 19.9, "currency": "EUR"}, "note": "Rabatt USD 3"},
    )
    found = {(q.where, q.amount, q.currency) for q in find_quotes(interaction)}
    assert found == {
        ("attributes.offer.price", Decimal("19.9"), "EUR"),
        ("attributes.note", Decimal("3"), "USD"),
    }


def test_summary_shows_the_quote_to_the_next_agent() -> None:
    log = Timeline()
    log.add(chat("c", 0, preview="Angebot: 49,90 € für den Router\nGruß"))
    (entry,) = log
    assert entry.summary == (
        "2024-05-01 09:00 UTC chat inbound: Angebot: 49,90 € für den Router [quoted 49,90 €]"
    )


def test_planned_activities_and_case_view() -> None:
    log = Timeline()
    log.add(chat("a", 0, case_id="deal-1", customer_id="p1"))
    log.add(chat("b", 30, case_id="deal-1", customer_id="p2"))
    log.add(chat("c", 15, case_id="deal-2"))
    log.plan(
        PlannedActivity(
            id="t1",
            who="agent-7",
            what="Angebot nachfassen",
            starts_at=T0 + timedelta(minutes=20),
            ends_at=T0 + timedelta(days=1),
            case_id="deal-1",
        )
    )
    assert [e.id for e in log.for_case("deal-1")] == ["a", "t1", "b"]
    (planned,) = log.activities()
    assert planned.summary.startswith("2024-05-01 09:20 UTC planned: agent-7 — Angebot nachfassen")


def test_planned_activity_is_validated() -> None:
    with pytest.raises(om.ValidationError) as caught:
        PlannedActivity(
            id="t", who="a", what="x", starts_at=T0, ends_at=T0 - timedelta(hours=1), case_id="c"
        )
    assert "ends_at" in str(caught.value)
    with pytest.raises(om.ValidationError) as caught:
        PlannedActivity(id="t", who="a", what="x", starts_at=T0)
    assert "customer_id or a case_id" in str(caught.value)
    with pytest.raises(om.ValidationError):
        PlannedActivity(id="t", who="a", what="x", starts_at=datetime(2024, 1, 1), case_id="c")


_ARRIVALS = st.lists(
    st.tuples(
        st.sampled_from("abcdef"),
        st.integers(0, 3),
        st.sampled_from([None, "<m1@x>", "<m2@x>"]),
        st.sampled_from(["hello", "Angebot 5 €"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=80, deadline=None)
@given(_ARRIVALS)
def test_reingesting_never_duplicates(arrivals: list[tuple[str, int, str | None, str]]) -> None:
    interactions = [
        chat(ident, minutes, preview=text, attributes={"message_id": mid} if mid else {})
        for ident, minutes, mid, text in arrivals
    ]
    log = Timeline()
    for interaction in interactions:
        log.add(interaction)
    entries = list(log)
    kept = [e.interaction for e in entries if e.interaction is not None]
    # No two kept entries share an id, a message id or a content digest.
    assert len({i.id for i in kept}) == len(kept)
    message_ids = [i.attributes["message_id"] for i in kept if "message_id" in i.attributes]
    assert len(set(message_ids)) == len(message_ids)
    assert len({content_hash(e.interaction, e.at) for e in entries if e.interaction}) == len(
        entries
    )
    # No two kept texts without message id are one re-delivered message.
    texts = [
        (content_hash(e.interaction, None), e.at)
        for e in entries
        if e.interaction is not None and "message_id" not in e.interaction.attributes
    ]
    for index, (digest, when) in enumerate(texts):
        for other, other_when in texts[index + 1 :]:
            assert digest != other or abs(when - other_when) > REDELIVERY_WINDOW
    # Everything ingested is either kept, or a repeat of something kept.
    for interaction in interactions:
        assert interaction.id in log or log.duplicate_of(interaction) is not None
    # Ingesting it all again adds nothing and ends in the same state.
    for interaction in interactions:
        assert not log.add(interaction)
    assert [(e.id, e.at, e.interaction) for e in log] == [
        (e.id, e.at, e.interaction) for e in entries
    ]


def test_text_without_message_id_redelivered_with_another_time_is_a_repeat() -> None:
    log = Timeline()
    first = chat("wa-1", 0, channel="whatsapp", preview="Wo bleibt meine Lieferung?")
    assert log.add(first)
    # The channel delivers it again, stamped on arrival, under its own id.
    again = first.model_copy(update={"id": "wa-1b", "created_at": T0 + timedelta(minutes=4)})
    assert log.duplicate_of(again) == "wa-1"
    assert not log.add(again)
    # The same words written again the next day are a new message (a repeat contact).
    next_day = first.model_copy(update={"id": "wa-2", "created_at": T0 + timedelta(days=1)})
    assert log.add(next_day)
    # Bare calls have no text to compare: two calls minutes apart are two calls.
    call = om.Interaction(id="v1", channel="voice", created_at=T0, identity={"phone": "+4930111"})
    assert log.add(call)
    assert log.add(call.model_copy(update={"id": "v2", "created_at": T0 + timedelta(minutes=2)}))
    # With message ids, the ids decide: two messages with the same words are two.
    mail = chat("m1", 0, channel="email", preview="Danke!", attributes={"message_id": "<a@x>"})
    assert log.add(mail)
    later = T0 + timedelta(minutes=1)
    assert log.add(
        mail.model_copy(
            update={"id": "m2", "created_at": later, "attributes": {"message_id": "<b@x>"}}
        )
    )
    assert [e.id for e in log] == ["wa-1", "v1", "m1", "m2", "v2", "wa-2"]
    log.remove("wa-1")
    assert log.add(again)  # nothing left that it repeats
    assert len(log.index_state()["text_digests"]) == 1
