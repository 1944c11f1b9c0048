"""The duplicate finder: spelling variants found, households kept apart, no chaining."""

from __future__ import annotations

import random
from datetime import date
from itertools import combinations

import jellyfish
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.history import DuplicateResult, find_duplicates
from omnirouter.history._dedupe_compare import (
    ALIKE,
    DIFFERENT,
    OTHER_SEX,
    SIMILAR,
    compare_birth_date,
    compare_email,
    compare_given_name,
    within_one_edit,
)
from omnirouter.history._dedupe_fields import birth_date_key, phone_key
from omnirouter.history._synthetic import synthetic_contacts


def person(record_id: str, given: str, family: str, **extra: str) -> dict[str, str]:
    row = {
        "id": record_id,
        "given_name": given,
        "family_name": family,
        "birth_date": "1970-03-14",
        "street": "Hauptstraße",
        "house_number": "5",
        "postcode": "50667",
        "city": "Köln",
    }
    row.update(extra)
    return row


def crowd(size: int = 300, seed: int = 3) -> list[dict[str, str]]:
    """Unrelated people, so that the model has non-matches to learn from."""
    return synthetic_contacts(size, random.Random(seed), duplicate_rate=0.3).records


def clustered_pairs(result: DuplicateResult) -> set[tuple[str, str]]:
    return {pair for cluster in result.clusters for pair in combinations(sorted(cluster), 2)}


def f1(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> float:
    hits = len(predicted & truth)
    return 2 * hits / (len(predicted) + len(truth))


def test_meyer_meier_maier_are_one_person() -> None:
    variants = [
        person("m1", "Hans", "Meyer", phone="0221 1234567"),
        person("m2", "Hans", "Meier", phone="+49 221 1234567"),
        person("m3", "Hans", "Maier", birth_date="14.03.1970"),
        person("m4", "hans", "MAYR", street="Hauptstr.", email="hans.mayr@example.com"),
    ]
    result = find_duplicates(variants + crowd())
    assert result.cluster_of("m1") == {"m1", "m2", "m3", "m4"}


def test_household_members_do_not_merge() -> None:
    household = [
        person("h1", "Hans", "Müller", phone="0221 555123", birth_date="1960-01-02"),
        person("h2", "Anna", "Müller", phone="0221 555123", birth_date="1962-07-30"),
        person("h3", "Lena", "Müller", phone="0221 555123", birth_date="1995-11-11"),
        person("h4", "Hans", "Mueller", phone="+49 221 555123", birth_date="1960-01-02"),
        # Twins: one birth date, two given names of the two sexes.
        person("t1", "Michael", "Schmidt", birth_date="2001-05-05", house_number="7"),
        person("t2", "Michaela", "Schmidt", birth_date="2001-05-05", house_number="7"),
        # Father and son: one name, two birth dates.
        person("f1", "Peter", "Weber", birth_date="1950-02-02", house_number="9"),
        person("f2", "Peter", "Weber", birth_date="1980-08-08", house_number="9"),
    ]
    result = find_duplicates(household + crowd())
    assert result.cluster_of("h1") == {"h1", "h4"}
    for alone in ("h2", "h3", "t1", "t2", "f1", "f2"):
        assert result.cluster_of(alone) == {alone}
    assert result.stats.vetoed_pairs > 0


def test_without_the_guard_the_model_alone_decides() -> None:
    records = [
        person("f1", "Peter", "Weber", birth_date="1950-02-02", phone="0221 99887766"),
        person("f2", "Peter", "Weber", birth_date="1980-08-08", phone="0221 99887766"),
    ]
    guarded = find_duplicates(records + crowd())
    unguarded = find_duplicates(records + crowd(), household_guard=False)
    assert guarded.cluster_of("f1") == {"f1"}
    assert unguarded.cluster_of("f1") == {"f1", "f2"}


def test_one_bad_link_does_not_chain_two_people() -> None:
    records = [
        person("a", "Karl", "Vogel", birth_date="1944-04-04", email="k.vogel@example.org"),
        person("b", "Karl", "Vogel", birth_date="", email="k.vogel@example.org"),
        person("c", "Karl", "Vogel", birth_date="1988-12-24", email="k.vogel@example.org"),
    ]
    result = find_duplicates(records + crowd())
    assert {"a", "c"} - result.cluster_of("a") == {"c"}
    linked = {frozenset((pair.id_a, pair.id_b)) for pair in result.pairs}
    assert frozenset(("a", "c")) not in linked


def test_synthetic_accuracy_with_households() -> None:
    data = synthetic_contacts(3000, random.Random(11))
    assert data.household_members > 100
    result = find_duplicates(data.records)
    truth = data.true_pairs()
    predicted = clustered_pairs(result)
    assert f1(predicted, truth) >= 0.98
    precision = len(predicted & truth) / len(predicted)
    assert precision >= 0.995


def test_pairs_carry_evidence_and_explain_themselves() -> None:
    records = [
        person("p1", "Jürgen", "Schröder", email="j.schroeder@example.de"),
        person("p2", "Juergen", "Schroeder", email="J.Schroeder@Example.de", birth_date=""),
    ]
    result = find_duplicates(records + crowd())
    pair = result.pair("p1", "p2")
    assert pair is not None
    assert result.pair("p2", "p1") is pair
    assert 0.5 <= pair.score <= 1.0
    by_field = {item.field: item for item in pair.evidence}
    assert by_field["given_name"].level == "exact"  # umlaut folding
    assert by_field["email"].level == "exact"
    assert by_field["birth_date"].level == "missing"
    assert by_field["birth_date"].weight == 0.0
    assert by_field["email"].weight > 0
    assert pair.weight == pytest.approx(sum(item.weight for item in pair.evidence), abs=0.01)
    text = pair.explain()
    assert text.startswith(f"score {pair.score:.3f}")
    assert "email exact +" in text


def test_contacts_and_full_names_and_field_maps() -> None:
    contacts = [
        om.Contact(
            id="k1",
            given_name="Sabine",
            family_name="Krüger",
            birth_date=date(1981, 9, 9),
            identities=om.Identities(emails=["sabine@krueger.example"]),
            address=om.PostalAddress(street="Ringstr. 3", postcode="10115", city="Berlin"),
        ),
        om.Contact(
            id="k2",
            given_name="Sabine",
            family_name="Krueger",
            birth_date=date(1981, 9, 9),
            identities=om.Identities(emails=["Sabine@Krueger.example"]),
            address=om.PostalAddress(street="Ringstraße", house_number="3", postcode="10115"),
        ),
    ]
    assert find_duplicates(contacts).cluster_of("k1") == {"k1", "k2"}
    rows = [
        {"key": "r1", "name": "Dr. Sabine Krüger", "born": "09.09.1981", "zip": "10115"},
        {"key": "r2", "name": "Krueger, Sabine", "born": "1981-09-09", "zip": "10115"},
        {"key": "r3", "name": "Otto Normal", "born": "1950-01-01", "zip": "80331"},
    ]
    result = find_duplicates(
        rows,
        id_field="key",
        fields={"full_name": "name", "birth_date": "born", "postcode": "zip"},
    )
    assert result.cluster_of("r1") == {"r1", "r2"}
    assert result.cluster_of("r3") == {"r3"}


def test_results_are_reproducible() -> None:
    records = synthetic_contacts(800, random.Random(5)).records
    first = find_duplicates(records, rng=random.Random(1))
    second = find_duplicates(records, rng=random.Random(1))
    assert first.clusters == second.clusters
    assert first.pairs == second.pairs


def test_progress_is_reported() -> None:
    stages: list[str] = []
    find_duplicates(crowd(100), progress=lambda stage, done, total: stages.append(stage))
    assert {"read", "compare", "model", "cluster"} <= set(stages)


def test_tiny_inputs() -> None:
    assert find_duplicates([]).clusters == []
    one = find_duplicates([person("x", "A", "B")])
    assert one.pairs == []
    assert one.cluster_of("x") == {"x"}


@pytest.mark.parametrize(
    ("records", "kwargs", "location"),
    [
        ([{"name": "no id"}], {}, "0.id"),
        ([{"id": "a"}, {"id": "a"}], {}, "1.id"),
        ([{"id": "a"}, {"id": ""}], {}, "1.id"),
        ([{"ref": "a"}], {"id_field": "ref", "fields": {"surname": "x"}}, "fields.surname"),
        ([{"id": "a"}], {"threshold": 1.5}, "threshold"),
        ([{"id": "a"}], {"window": 1}, "window"),
        ([{"id": "a"}], {"max_block_size": 0}, "max_block_size"),
        ([{"id": "a"}], {"default_region": "XX"}, "default_region"),
    ],
)
def test_bad_input_is_refused(records: list[dict[str, str]], kwargs: dict, location: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(om.ValidationError) as info:
        find_duplicates(records, **kwargs)
    assert location in info.value.fields


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1970-03-14", "19700314"),
        ("14.03.1970", "19700314"),
        ("4.3.1970", "19700304"),
        ("19700314", "19700314"),
        ("14031970", "19700314"),
        ("1970/3/4", "19700304"),
        ("14.03.70", "19700314"),  # two-digit years: 30 and above are 19xx
        ("3.11.07", "20071103"),  # below 30: 20xx
        ("unknown", None),
    ],
)
def test_birth_date_key(text: str, key: str | None) -> None:
    assert birth_date_key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0221 1234567", "492211234567"),
        ("+49 (0)221 1234567", "492211234567"),
        ("0049-221-1234567", "492211234567"),
        ("+44 20 7946 0958", "442079460958"),
        ("12", None),
    ],
)
def test_phone_key(text: str, key: str | None) -> None:
    assert phone_key(text, "49") == key


@settings(max_examples=500, deadline=None)
@given(st.text("abc", max_size=6), st.text("abc", max_size=6))
def test_within_one_edit_is_damerau_at_most_one(a: str, b: str) -> None:
    assert within_one_edit(a, b) == (jellyfish.damerau_levenshtein_distance(a, b) <= 1)


def test_comparators() -> None:
    assert compare_birth_date("19700304", "19700403") == 1
    assert compare_birth_date("19700314", "19700315") == 2
    assert compare_birth_date("19700314", "19850101") == 3
    # Names of the other sex: by ending, and by the list of given names.
    assert compare_given_name("michael", "michaela") == OTHER_SEX
    assert compare_given_name("christian", "christiane") == OTHER_SEX
    assert compare_given_name("udo", "ute") == OTHER_SEX
    assert compare_given_name("anna", "emma") == DIFFERENT
    assert compare_given_name("hans", "hans peter") == SIMILAR
    assert compare_given_name("h", "hans") == ALIKE
    assert compare_given_name("anna", "zoe") == DIFFERENT
    assert compare_email("a.b@x.de", "a.b@x.dd") == 1
    assert compare_email("a.b@x.de", "a.b@y.com") == 2
    assert compare_email("a.b@x.de", "c.d@x.de") == 3


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(0, 120))
def test_result_invariants(seed: int, size: int) -> None:
    records = synthetic_contacts(size, random.Random(seed)).records
    result = find_duplicates(records, rng=random.Random(seed))
    ids = {record["id"] for record in records}
    seen: set[str] = set()
    for cluster in result.clusters:
        assert len(cluster) >= 2
        assert cluster <= ids
        assert not cluster & seen
        seen |= cluster
    weights = [pair.weight for pair in result.pairs]
    assert weights == sorted(weights, reverse=True)
    for pair in result.pairs:
        assert 0.5 <= pair.score <= 1.0
        assert pair.id_a != pair.id_b
        assert {pair.id_a, pair.id_b} <= ids
    assert result.stats.records == len(records)
    assert result.stats.compared_pairs == sum(result.stats.pairs_per_pass.values())


@settings(max_examples=2000, deadline=None)
@given(st.text("0129", min_size=6, max_size=9), st.text("0129", min_size=6, max_size=9))
def test_birth_date_comparator_fast_path_agrees_with_damerau(a: str, b: str) -> None:
    if a == b:
        return
    swapped = a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]
    one_edit = jellyfish.damerau_levenshtein_distance(a, b) <= 1
    assert compare_birth_date(a, b) == (1 if swapped else 2 if one_edit else 3)


def test_pair_lookup_is_symmetric_and_complete() -> None:
    result = find_duplicates(synthetic_contacts(600, random.Random(8)).records)
    assert result.pairs
    for pair in result.pairs:
        assert result.pair(pair.id_a, pair.id_b) is pair
        assert result.pair(pair.id_b, pair.id_a) is pair
    assert result.pair("no such id", result.pairs[0].id_a) is None
