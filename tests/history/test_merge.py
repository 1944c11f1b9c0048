"""merge / unmerge: linking, survivorship, provenance, consent, exact restoration."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

import omnirouter as om
from omnirouter.history.merge import MergeResult, SurvivorshipRules, merge, unmerge

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def consent(channel: str, status: str, day: int, source: str = "web") -> dict[str, Any]:
    return {
        "channel": channel,
        "status": status,
        "at": datetime(2024, 1, day, tzinfo=UTC),
        "source": source,
    }


def test_links_by_every_identity_kind() -> None:
    records = [
        om.Contact(id="mail-1", identities={"emails": ["Anna@Example.org"]}),
        om.Contact(id="mail-2", identities={"emails": [" anna@example.ORG"]}),
        om.Contact(id="tel-1", identities={"phones": ["030 1234567"]}),
        om.Contact(id="tel-2", identities={"phones": ["+49 (30) 123-4567"]}),
        om.Contact(id="x-1", identities={"handles": [{"platform": "x", "handle": "@Hasei4711"}]}),
        om.Contact(id="x-2", identities={"handles": [{"platform": "X", "handle": "hasei4711"}]}),
        om.Contact(id="no-1", identities={"customer_numbers": ["K-1"]}),
        om.Contact(id="no-2", identities={"customer_numbers": ["k-1"]}),
        om.Contact(id="s-1", identities={"session_ids": ["sess-9"]}),
        om.Contact(id="s-2", identities={"session_ids": ["sess-9"]}),
        # Same handle on another platform is another identity.
        om.Contact(
            id="ig", identities={"handles": [{"platform": "instagram", "handle": "hasei4711"}]}
        ),
    ]
    result = merge(records)
    assert [g.record_ids for g in result] == [
        ("mail-1", "mail-2"),
        ("tel-1", "tel-2"),
        ("x-1", "x-2"),
        ("no-1", "no-2"),
        ("s-1", "s-2"),
        ("ig",),
    ]
    assert [link.kind for g in result for link in g.links] == [
        "email",
        "phone",
        "handle",
        "customer_number",
        "session",
    ]


def test_link_on_limits_linking() -> None:
    records = [
        om.Contact(id="a", identities={"phones": ["+4930123456"]}),
        om.Contact(id="b", identities={"phones": ["+4930123456"]}),
    ]
    assert len(merge(records, link_on=["email"])) == 2
    assert len(merge(records)) == 1


def test_chains_through_shared_identities_and_explains() -> None:
    rows = [
        {"id": "1", "email": "anna@example.org", "last_name": "Meyer"},
        {"id": "2", "email": "anna@example.org", "phone": "0301234567"},
        {"id": "3", "phone": "+49301234567", "last_name": "Meier"},
    ]
    (golden,) = merge(rows)
    text = golden.explain()
    assert "email anna@example.org links 1, 2" in text
    assert "phone +49301234567 links 2, 3" in text
    assert "family_name: from 3 (most_recent among 1, 3)" in text


class _Clusters:
    def __init__(self, clusters: list[set[str]]) -> None:
        self.clusters = clusters


def test_duplicate_clusters_are_extra_links() -> None:
    rows = [
        {"id": "a", "first_name": "Hans", "last_name": "Meyer"},
        {"id": "b", "first_name": "Hans", "last_name": "Maier"},
        {"id": "c", "first_name": "Eva", "last_name": "Schmidt"},
    ]
    result = merge(rows, duplicates=_Clusters([{"b", "a"}]))
    assert [g.record_ids for g in result] == [("a", "b"), ("c",)]
    assert [(link.kind, link.nodes) for link in result.golden_of("b").links] == [
        ("duplicate", ("a", "b"))
    ]


def test_duplicate_cluster_with_unknown_id_is_refused() -> None:
    with pytest.raises(om.ValidationError) as caught:
        merge([{"id": "a"}], duplicates=_Clusters([{"a", "zz"}]))
    assert caught.value.fields == ["duplicates.zz"]


def test_survivorship_rules_per_field() -> None:
    rows = [
        {
            "id": "1",
            "last_name": "Meyer",
            "tier": "gold",
            "source": "shop",
            "updated_at": "2022-01-01",
        },
        {
            "id": "2",
            "last_name": "Meier",
            "tier": "silver",
            "source": "crm",
            "updated_at": "2024-01-01",
        },
        {
            "id": "3",
            "last_name": "Meyer",
            "tier": "bronze",
            "source": "erp",
            "updated_at": "2023-01-01",
        },
    ]
    shared = {"email": "x@example.org"}
    rows = [{**row, **shared} for row in rows]
    (recent,) = merge(rows)
    assert recent.contact.family_name == "Meier"
    assert recent.contact.tier == "silver"
    (ruled,) = merge(
        rows,
        rules={
            "fields": {
                "family_name": "most_frequent",
                "tier": "most_trusted",
                "id": "most_trusted",
            },
            "trusted_sources": ["erp", "crm"],
        },
    )
    assert ruled.contact.family_name == "Meyer"
    assert ruled.provenance["family_name"].rule == "most_frequent"
    # Two records say "Meyer"; the more recent of them wins the tie-break.
    assert ruled.provenance["family_name"].record_id == "3"
    assert ruled.contact.tier == "bronze"
    assert ruled.provenance["tier"].record_id == "3"
    assert ruled.contact.id == "3"


def test_unknown_source_ranks_below_trusted_and_ties_go_to_recent() -> None:
    rules = SurvivorshipRules(default="most_trusted", trusted_sources=("crm",))
    rows = [
        {
            "id": "1",
            "phone": "+4930123456",
            "city": "Bonn",
            "source": "crm",
            "updated_at": "2020-01-01",
        },
        {
            "id": "2",
            "phone": "+4930123456",
            "city": "Köln",
            "source": "web",
            "updated_at": "2024-01-01",
        },
        {"id": "3", "phone": "+4930123456", "city": "Kiel", "updated_at": "2023-01-01"},
    ]
    (golden,) = merge(rows, rules=rules)
    assert golden.contact.address is not None
    assert golden.contact.address.city == "Bonn"
    no_trust = merge(rows, rules=SurvivorshipRules(default="most_trusted"))
    assert no_trust.golden[0].contact.address is not None
    assert no_trust.golden[0].contact.address.city == "Köln"


def test_every_filled_field_has_provenance_from_a_holder() -> None:
    rows = [
        {"id": "1", "email": "a@example.org", "first_name": "Jo", "birth_date": "1980-02-03"},
        {"id": "2", "email": "a@example.org", "phone": "+4930123456", "segment": "b2c"},
    ]
    (golden,) = merge(rows)
    contact = golden.contact
    assert contact.birth_date == date(1980, 2, 3)
    assert contact.identities.emails == ["a@example.org"]
    assert golden.provenance["identities.emails.0"].candidates == ("1", "2")
    for field, column in (("given_name", "first_name"), ("birth_date", "birth_date")):
        holder = next(r for r in rows if r["id"] == golden.provenance[field].record_id)
        assert str(getattr(contact, field)) == holder[column]
    assert golden.provenance["segment"].record_id == "2"
    assert golden.provenance["given_name"].record_id == "1"


def test_consent_merged_per_channel_opt_out_wins() -> None:
    records = [
        om.Contact(
            id="a",
            identities={"emails": ["p@example.org"]},
            consent=[consent("email", "opt_in", 1), consent("sms", "opt_in", 2)],
        ),
        om.Contact(
            id="b",
            identities={"emails": ["p@example.org"]},
            consent=[consent("email", "opt_out", 3), consent("email", "opt_in", 4)],
        ),
        om.Contact(
            id="c",
            identities={"emails": ["p@example.org"]},
            consent=[consent("sms", "opt_out", 1), consent("whatsapp", "opt_in", 5)],
        ),
    ]
    (golden,) = merge(records)
    now = datetime(2024, 2, 1, tzinfo=UTC)
    contact = golden.contact
    # b's own latest e-mail decision is an opt-in again: e-mail stays opted in.
    assert contact.latest_consent("email", now).status is om.ConsentStatus.OPT_IN  # type: ignore[union-attr]
    # c opted out of SMS, even before a opted in: the opt-out wins.
    sms = contact.latest_consent("sms", now)
    assert sms is not None
    assert sms.status is om.ConsentStatus.OPT_OUT
    assert golden.provenance["consent.sms.marketing"].record_id == "c"
    assert golden.provenance["consent.sms.marketing"].rule == "opt_out_wins"
    assert contact.latest_consent("whatsapp", now).status is om.ConsentStatus.OPT_IN  # type: ignore[union-attr]
    assert contact.latest_consent("letter", now) is None


def test_bad_input_is_refused_with_its_position() -> None:
    with pytest.raises(om.ValidationError) as caught:
        merge([{"id": "a"}, {"id": "b", "birth_date": "not a date"}])
    assert caught.value.fields == ["1.birth_date"]
    with pytest.raises(om.ValidationError) as caught:
        merge([{"id": "a"}, {"id": "a"}])
    assert "repeats record 0" in str(caught.value)
    with pytest.raises(om.ValidationError) as caught:
        merge([{"name": "no id"}])
    assert caught.value.fields == ["0.id"]
    with pytest.raises(om.ValidationError) as caught:
        merge([{"id": "a", "updated_at": "2024-01-01T10:00:00"}])
    assert caught.value.fields == ["0.attributes.updated_at"]
    with pytest.raises(om.ValidationError) as caught:
        merge([{"id": "a"}], rules={"fields": {"colour": "most_recent"}})
    assert caught.value.fields == ["fields.colour"]
    with pytest.raises(om.ValidationError) as caught:
        merge([{"id": "a"}], rules={"default": "loudest"})
    assert caught.value.fields == ["default"]
    with pytest.raises(om.ValidationError):
        merge([42])  # type: ignore[list-item]


def test_id_field_and_numeric_ids() -> None:
    rows = [{"customer": 7, "email": "a@example.org"}, {"customer": 8, "email": "A@example.org"}]
    (golden,) = merge(rows, id_field="customer")
    assert golden.record_ids == ("7", "8")
    assert unmerge(golden) == rows


def test_unmerge_returns_independent_copies() -> None:
    rows = [{"id": "1", "email": "a@example.org", "tags": ["x"]}]
    result = merge(rows)
    rows[0]["tags"].append("changed later")
    restored = unmerge(result)
    assert restored == [{"id": "1", "email": "a@example.org", "tags": ["x"]}]
    restored[0]["tags"].append("y")  # type: ignore[index]
    assert unmerge(result) == [{"id": "1", "email": "a@example.org", "tags": ["x"]}]


# --- property: merge → unmerge gives back the inputs exactly --------------------------

_EMAILS = st.sampled_from(["anna@example.org", "ANNA@example.org", "bert@example.org", "x@y.de"])
_PHONES = st.sampled_from(["030 1234567", "+49 30 1234567", "0221 998877", "oops"])
_NAMES = st.sampled_from(["Meyer", "Meier", "Maier", "Schmidt", None])
_TIMES = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()))


@st.composite
def contact_records(draw: st.DrawFn, index: int) -> om.Contact | dict[str, Any]:
    emails = draw(st.lists(_EMAILS, max_size=2))
    phones = draw(st.lists(_PHONES, max_size=2))
    consent_log = draw(
        st.lists(
            st.builds(
                consent,
                st.sampled_from(["email", "sms"]),
                st.sampled_from(["opt_in", "opt_out"]),
                st.integers(1, 28),
            ),
            max_size=3,
        )
    )
    updated = draw(_TIMES)
    if draw(st.booleans()):
        return om.Contact(
            id=f"c{index}",
            family_name=draw(_NAMES),
            identities={"emails": emails, "phones": phones},
            consent=consent_log,
            attributes={"updated_at": updated} if updated else {},
        )
    row: dict[str, Any] = {"id": f"c{index}", "last_name": draw(_NAMES) or ""}
    if emails:
        row["email"] = emails[0]
    if phones:
        row["phone"] = phones[0]
    if updated:
        row["updated_at"] = updated
    return row


@st.composite
def record_lists(draw: st.DrawFn) -> list[om.Contact | dict[str, Any]]:
    size = draw(st.integers(0, 12))
    return [draw(contact_records(index)) for index in range(size)]


@settings(max_examples=80, deadline=None)
@given(record_lists())
def test_merge_then_unmerge_restores_inputs_exactly(records: list[Any]) -> None:
    before = copy.deepcopy(records)
    result = merge(records)
    assert unmerge(result) == before
    assert records == before  # merge changed nothing
    # Each record lands in exactly one golden contact, and each golden contact
    # unmerges to exactly its own records, in input order.
    seen = [rid for golden in result for rid in golden.record_ids]
    assert sorted(seen) == sorted(f"c{i}" for i in range(len(records)))
    for golden in result:
        parts = unmerge(golden)
        ids = [p.id if isinstance(p, om.Contact) else p["id"] for p in parts]
        assert tuple(ids) == golden.record_ids
        # The golden contact is a valid contact through and through.
        assert om.Contact.model_validate(golden.contact.model_dump()) == golden.contact


@settings(max_examples=60, deadline=None)
@given(record_lists())
def test_opt_out_anywhere_wins_for_its_channel(records: list[Any]) -> None:
    result: MergeResult = merge(records)
    contacts = {(r.id if isinstance(r, om.Contact) else r["id"]): r for r in records}
    later = datetime(2030, 1, 1, tzinfo=UTC)
    for golden in result:
        for channel in ("email", "sms"):
            own_latest = []
            for rid in golden.record_ids:
                record = contacts[rid]
                if isinstance(record, om.Contact) and record.consent_records(channel):
                    log = record.consent_records(channel)
                    newest = max(c.at for c in log)
                    tied = {c.status for c in log if c.at == newest}
                    # Contradicting decisions at one instant: the opt-out stands.
                    own_latest.append(min(tied, key=lambda s: s != om.ConsentStatus.OPT_OUT))
            merged = golden.contact.latest_consent(channel, later)
            if not own_latest:
                assert merged is None
            elif om.ConsentStatus.OPT_OUT in own_latest:
                assert merged is not None
                assert merged.status is om.ConsentStatus.OPT_OUT
            else:
                assert merged is not None
                assert merged.status is om.ConsentStatus.OPT_IN


def test_find_duplicates_result_is_accepted_as_links() -> None:
    rows = [
        {
            "id": "1",
            "given_name": "Hans",
            "family_name": "Meyer",
            "birth_date": "1970-03-04",
            "city": "Bonn",
            "street": "Hauptstr. 5",
        },
        {
            "id": "2",
            "given_name": "Hans",
            "family_name": "Maier",
            "birth_date": "1970-03-04",
            "city": "Bonn",
            "street": "Hauptstraße 5",
        },
        {
            "id": "3",
            "given_name": "Eva",
            "family_name": "Schmidt",
            "birth_date": "1980-01-01",
            "city": "Köln",
        },
    ]
    result = merge(rows, duplicates=om.history.find_duplicates(rows))
    assert [g.record_ids for g in result] == [("1", "2"), ("3",)]
    assert unmerge(result) == rows


def test_a_mailbox_shared_by_many_records_links_them_once_each() -> None:
    rows = [{"id": f"r{i}", "email": "info@example.org", "tier": str(i)} for i in range(300)]
    (golden,) = merge(rows)
    assert golden.record_ids == tuple(f"r{i}" for i in range(300))
    (link,) = golden.links
    assert link.nodes == golden.record_ids
    assert golden.contact.tier == "299"  # no update times: the later record wins
    assert golden.provenance["identities.emails.0"].candidates == golden.record_ids


def test_golden_contact_and_result_share_nothing_mutable_with_the_inputs() -> None:
    records = [
        om.Contact(id="a", identities={"emails": ["a@example.org"]}, attributes={"k": [1]}),
        {"id": "b", "email": "a@example.org", "tags": ["x"]},
    ]
    (golden,) = merge(records)
    golden.contact.identities.emails.append("changed@example.org")
    golden.contact.attributes["k"].append(2)  # type: ignore[union-attr]
    assert unmerge(golden) == [
        om.Contact(id="a", identities={"emails": ["a@example.org"]}, attributes={"k": [1]}),
        {"id": "b", "email": "a@example.org", "tags": ["x"]},
    ]
