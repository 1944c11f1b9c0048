"""How the duplicate finder weighs real lives: movers, marriages, households, neighbours.

Each test is one failure seen on German customer data: a mover never linked, a married
couple whose given names share a Kölner code merged, neighbours merged, weights that
point the wrong way on small files, three identical records not found.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.history import UnknownColumnError, find_duplicates
from omnirouter.history._dedupe_em import MIN_RECORDS_FOR_EM, bounded_weights
from omnirouter.history._synthetic import synthetic_contacts
from omnirouter.history.duplicates import DuplicateResult


def crowd(size: int, seed: int = 5, household_rate: float = 0.1) -> list[dict[str, str]]:
    """Unrelated people (and their own duplicates), so that the model has data to learn."""
    return synthetic_contacts(size, random.Random(seed), household_rate=household_rate).records


# A file large enough for EM, shared by the tests that need the learned model.
CROWD = crowd(1500)


def home(record_id: str, given_name: str, family_name: str, **extra: str) -> dict[str, str]:
    row = {
        "id": record_id,
        "given_name": given_name,
        "family_name": family_name,
        "street": "Lindenallee",
        "house_number": "12",
        "postcode": "50668",
        "city": "Köln",
        "phone": "0221 7364512",  # the household's landline
    }
    row.update(extra)
    return row


def linked(result: DuplicateResult, a: str, b: str) -> bool:
    return b in result.cluster_of(a)


def evidence(result: DuplicateResult, a: str, b: str) -> dict[str, tuple[str, float]]:
    pair = result.pair(a, b)
    assert pair is not None, f"{a} and {b} are not a pair"
    return {item.field: (item.level, item.weight) for item in pair.evidence}


def test_a_mover_with_everything_else_equal_is_linked() -> None:
    records = [
        home(
            "old",
            "Wiebke",
            "Lindqvist",
            birth_date="1983-06-17",
            email="wiebke.lindqvist@posteo.de",
            phone="0171 2839471",
        ),
        {
            "id": "new",
            "given_name": "Wiebke",
            "family_name": "Lindqvist",
            "birth_date": "17.06.1983",
            "email": "wiebke.lindqvist@posteo.de",
            "phone": "+49 171 2839471",
            "street": "Bergstraße",
            "house_number": "3",
            "postcode": "80331",
            "city": "München",
        },
    ]
    result = find_duplicates(records + CROWD)
    assert result.model.source == "em"
    assert linked(result, "old", "new")
    level, weight = evidence(result, "old", "new")["address"]
    assert level == "moved"
    assert -7.0 <= weight <= 0.0  # moving costs little, and never counts for a match


def test_a_married_woman_is_linked_by_given_name_birth_date_and_contacts() -> None:
    records = [
        home("before", "Svenja", "Hollmann", birth_date="1990-02-11", email="svenja.h@gmx.de"),
        {
            "id": "after",
            "given_name": "Svenja",
            "family_name": "Brückner",
            "birth_date": "11.02.1990",
            "email": "svenja.h@gmx.de",
            "street": "Am Weiher",
            "house_number": "8",
            "postcode": "53111",
            "city": "Bonn",
        },
    ]
    result = find_duplicates(records + CROWD)
    assert linked(result, "before", "after")
    assert evidence(result, "before", "after")["family_name"][0] == "changed"


@pytest.mark.parametrize(
    ("husband", "wife"),
    [("Udo", "Ute"), ("Michael", "Nicole"), ("Noah", "Mia")],
)
def test_a_couple_whose_names_share_a_koelner_code_is_not_merged(husband: str, wife: str) -> None:
    records = [
        home("he", husband, "Brandauer", birth_date="1961-03-03"),
        home("she", wife, "Brandauer"),  # her birth date is missing
    ]
    for crowd_records in ([], CROWD):
        result = find_duplicates(records + crowd_records)
        assert not linked(result, "he", "she"), result.model.source


def test_sisters_with_similar_sounding_names_are_not_merged() -> None:
    records = [
        home("anna", "Anna", "Kowalczyk", birth_date="1999-09-09"),
        home("emma", "Emma", "Kowalczyk"),
        home("johanna", "Johanna", "Kowalczyk", email=""),
    ]
    result = find_duplicates(records + CROWD)
    assert result.stats.household_guard
    for a, b in (("anna", "emma"), ("anna", "johanna"), ("emma", "johanna")):
        assert not linked(result, a, b)


def test_two_families_in_one_building_are_not_merged() -> None:
    records = [
        home("a1", "Jan", "Petersen", birth_date="1975-01-20", phone="0171 1112223"),
        home("b1", "Jan", "Oberländer", phone="0160 9998887"),
        home("a2", "Karin", "Petersen", birth_date="1977-05-05"),
        home("b2", "Karin", "Oberländer"),
        home("b3", "", "Oberländer", phone=""),
    ]
    result = find_duplicates(records + CROWD)
    for a in ("a1", "a2"):
        for b in ("b1", "b2", "b3"):
            assert not linked(result, a, b)


def test_a_ten_row_file_gives_no_inverted_weight() -> None:
    rows = [
        home("1", "Hans", "Meyer", birth_date="1970-03-14", email="hans.meyer@example.de"),
        home("2", "Hans", "Maier", birth_date="14.03.1970", email="Hans.Meyer@example.de"),
        home("3", "Anna", "Meyer", birth_date="1972-08-01"),
        home("4", "Jürgen", "Schröder", email="js@example.org", house_number="1"),
        home("5", "Juergen", "Schroeder", email="JS@example.org", house_number="1"),
        home("6", "Otto", "Normal", birth_date="1950-01-01", city="Hamburg", postcode="20095"),
        home("7", "Lena", "Vogt", birth_date="1988-08-08", city="Bonn", postcode="53111"),
        home("8", "Lena", "Vogt", birth_date="1988-08-08", email="lena@vogt.de"),
        home("9", "Paul", "Weiß", birth_date="1991-01-09", street="Ring"),
        home("10", "Ida", "Klee", birth_date="1940-04-04", street="Markt"),
    ]
    result = find_duplicates(rows)
    model = result.model
    assert model.source == "prior weights"
    assert "too few" in model.reason
    for levels, weights in zip(model.levels, model.weights, strict=True):
        assert weights[0] >= 0.0
        assert weights[0] == max(weights)
        if "different" in levels:
            assert weights[levels.index("different")] <= 0.0
    for pair in result.pairs:
        for item in pair.evidence:
            if item.level == "exact":
                assert item.weight >= 0.0
            if item.level in ("different", "moved", "other sex"):
                assert item.weight <= 0.0
    assert linked(result, "1", "2")
    assert linked(result, "4", "5")
    assert not linked(result, "1", "3")


@pytest.mark.parametrize("copies", [2, 3, 5])
def test_identical_records_are_one_person(copies: int) -> None:
    row = home("x", "Grete", "Zellweger", birth_date="1933-12-01", email="grete@zell.de")
    rows = [{**row, "id": f"x{n}"} for n in range(copies)]
    result = find_duplicates(rows)
    assert result.clusters == [frozenset(f"x{n}" for n in range(copies))]


def test_a_low_variety_file_without_duplicates_gets_no_false_clusters() -> None:
    rng = random.Random(4)
    given_names = ["Lars", "Mette", "Ole", "Sina", "Timo", "Wanda", "Gero", "Ilka", "Rune"]
    syllables = ["brand", "holm", "kette", "lind", "mor", "quist", "rau", "sen", "tof", "wig"]
    family_names = sorted(
        {(a + b + c).title() for a in syllables for b in syllables for c in "aeiou"}
    )
    rows = []
    people = set()
    while len(rows) < 1500:
        person = (rng.choice(given_names), rng.choice(family_names), rng.randint(0, 21900))
        if person in people:
            continue
        people.add(person)
        given, family, day = person
        rows.append(
            {
                "id": f"r{len(rows)}",
                "given_name": given,
                "family_name": family,
                "birth_date": (date(1940, 1, 1) + timedelta(days=day)).isoformat(),
                "street": rng.choice(["Dorfstraße", "Kirchweg", "Am Bach"]),
                "house_number": str(rng.randint(1, 30)),
                "postcode": rng.choice(["24837", "24839"]),
                "city": "Kropp",
            }
        )
    result = find_duplicates(rows)
    assert len(result.clusters) <= 3
    for levels, weights in zip(result.model.levels, result.model.weights, strict=True):
        assert weights[0] >= max(weights)
        if "different" in levels:
            assert weights[levels.index("different")] <= 0.0


def test_a_common_family_name_agreeing_counts_less_than_a_rare_one() -> None:
    extra = [
        home(f"m{n}", given, "Müller", birth_date=f"19{50 + n % 40}-0{1 + n % 9}-1{n % 9}")
        for n, given in enumerate(["Karl", "Lea", "Ben", "Uwe", "Ida", "Tom", "Eva"] * 3)
    ]
    records = [
        home("w1", "Rolf", "Wunderlich", birth_date="1966-06-06", email="rw@example.de"),
        home("w2", "Rolf", "Wunderlich", birth_date="1966-06-06", email="rw@example.de"),
        home("c1", "Rolf", "Müller", birth_date="1967-07-07", email="rm@example.de"),
        home("c2", "Rolf", "Müller", birth_date="1967-07-07", email="rm@example.de"),
    ]
    result = find_duplicates(records + extra + CROWD)
    rare = evidence(result, "w1", "w2")["family_name"]
    common = evidence(result, "c1", "c2")["family_name"]
    assert rare[0] == "exact"
    assert common[0] == "exact, common name"
    assert 0.0 < common[1] < rare[1]


def test_the_guard_stands_aside_on_data_without_households() -> None:
    without = find_duplicates(crowd(1500, household_rate=0.0))
    assert not without.stats.household_guard
    with_households = find_duplicates(CROWD)
    assert with_households.stats.household_guard
    assert with_households.stats.household_pairs >= 15  # 1 % of 1,500 records


def test_two_digit_birth_years_are_read_with_the_pivot() -> None:
    rows = [
        home("a", "Edith", "Quandt", birth_date="21.04.52", email="eq@example.de"),
        home("b", "Edith", "Quandt", birth_date="1952-04-21", email="eq@example.de"),
        home("c", "Finn", "Quandt", birth_date="03.11.07"),
    ]
    result = find_duplicates(rows)
    assert evidence(result, "a", "b")["birth_date"][0] == "exact"
    assert not linked(result, "a", "c")


def test_a_mapping_to_an_unknown_column_lists_the_columns_found() -> None:
    rows = [{"Kundennr": "1", "Vorname": "Heike", "Nachname": "Brand"}]
    with pytest.raises(UnknownColumnError) as caught:
        find_duplicates(
            rows, id_field="Kundennr", fields={"given_name": "Vorname", "family_name": "Name"}
        )
    error = caught.value
    assert error.missing == {"family_name": "Name"}
    assert error.found == ["Kundennr", "Nachname", "Vorname"]
    assert error.fields == ["fields.family_name"]
    assert "Kundennr, Nachname, Vorname" in str(error)
    assert "Heike" not in str(error)  # no personal data in the message
    assert "Brand" not in str(error)


def test_small_files_say_that_they_use_prior_weights() -> None:
    small = find_duplicates(CROWD[: MIN_RECORDS_FOR_EM - 1])
    assert small.model.source == "prior weights"
    assert f"{MIN_RECORDS_FOR_EM:,}" in small.model.reason
    large = find_duplicates(CROWD)
    assert large.model.source == "em"
    assert large.model.reason == ""


probabilities = st.lists(st.floats(min_value=1e-6, max_value=1.0), min_size=4, max_size=4)


@settings(max_examples=300, deadline=None)
@given(probabilities, probabilities)
def test_bounded_weights_point_the_right_way(m: list[float], u: list[float]) -> None:
    levels = ("exact", "similar", "alike", "different")
    weights = bounded_weights(m, u, levels)
    assert weights[0] == max(weights) >= 0.0
    assert weights[3] == min(weights) <= 0.0
    assert list(weights) == sorted(weights, reverse=True)
    assert all(abs(weight) <= 20.0 for weight in weights)
