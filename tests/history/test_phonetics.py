"""Kölner Phonetik and the selectable jellyfish keys."""

from __future__ import annotations

import unicodedata

import jellyfish
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.history import (
    PHONETIC_METHODS,
    cologne_phonetics,
    cologne_phonetics_many,
    fold_text,
    phonetic_key,
)


def reference_cologne(name: str) -> str:
    """Kölner Phonetik letter by letter, straight from the published rules (slow, obvious)."""
    # þ counts as T (fold_text would spell it "th").
    folded = fold_text(name.replace("þ", "t").replace("Þ", "T")).upper()
    word = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if "A" <= ch <= "Z")
    codes = []
    for index, letter in enumerate(word):
        before = word[index - 1] if index > 0 else ""
        after = word[index + 1] if index + 1 < len(word) else ""
        if letter in "AEIJOUY":
            code = "0"
        elif letter == "H":
            code = ""
        elif letter == "B":
            code = "1"
        elif letter == "P":
            code = "3" if after == "H" else "1"
        elif letter in "DT":
            code = "8" if after and after in "CSZ" else "2"
        elif letter in "FVW":
            code = "3"
        elif letter in "GKQ":
            code = "4"
        elif letter == "C":
            if index == 0:
                code = "4" if after and after in "AHKLOQRUX" else "8"
            elif before in "SZ":
                code = "8"
            else:
                code = "4" if after and after in "AHKOQUX" else "8"
        elif letter == "X":
            code = "8" if before and before in "CKQ" else "48"
        elif letter == "L":
            code = "5"
        elif letter in "MN":
            code = "6"
        elif letter == "R":
            code = "7"
        else:  # S, Z
            code = "8"
        codes.append(code)
    digits = "".join(codes)
    collapsed = "".join(d for i, d in enumerate(digits) if i == 0 or d != digits[i - 1])
    return collapsed[:1] + collapsed[1:].replace("0", "")


# Each group: spellings of one surname that must share one Kölner code.
SAME_CODE_GROUPS = [
    ["Meyer", "Meier", "Maier", "Mayer", "Mair", "Mayr", "Meir", "Majer"],
    ["Schmidt", "Schmitt", "Schmid", "Schmit", "Schmied"],
    ["Müller", "Mueller", "Möller", "Miller", "Muller"],
    ["Schneider", "Schnieder", "Schnaider", "Schneyder"],
    ["Fischer", "Fisher", "Vischer", "Fischer-"],
    ["Weber", "Wéber", "Webber", "Weeber"],
    ["Wagner", "Waggner", "Wagener", "Wegner"],
    ["Becker", "Bäcker", "Beker", "Böcker"],
    ["Schulz", "Schultz", "Schulze", "Schultze"],
    ["Hoffmann", "Hofmann", "Hoffman", "Hofman"],
    ["Koch", "Kock", "Kog", "Kogh"],
    ["Richter", "Richtar", "Riechter"],
    ["Klein", "Kleine", "Kline", "Klain"],
    ["Wolf", "Wolff", "Wulf", "Volf"],
    ["Schröder", "Schroeder", "Schröter", "Schroeter"],
    ["Neumann", "Naumann", "Neuman", "Nauman"],
    ["Schwarz", "Schwartz", "Schwarze"],
    ["Zimmermann", "Zimmerman", "Zimermann"],
    ["Braun", "Brauhn", "Bruhn"],
    ["Krüger", "Krueger", "Kröger", "Krieger"],
    ["Hartmann", "Hartman", "Hardmann"],
    ["Lange", "Lang", "Langa"],
    ["Schmitt", "Schmied", "Schmiedt"],
    ["Werner", "Verner", "Woerner"],
    ["Krause", "Kraus", "Krauss", "Krauß"],
    ["Lehmann", "Lemann", "Leman", "Lehman"],
    ["Köhler", "Koehler", "Kohler", "Kähler"],
    ["Herrmann", "Hermann", "Herman"],
    ["König", "Koenig", "Könik"],
    ["Walter", "Walther", "Walder"],
    ["Peters", "Peeters", "Petters"],
    ["Fuchs", "Fux", "Fucks"],
    ["Vogel", "Fogel", "Vogl"],
    ["Friedrich", "Friderich", "Friedrick"],
    ["Günther", "Guenther", "Günter", "Gunter"],
    ["Jäger", "Jaeger", "Jeger"],
    ["Keller", "Köller", "Kaller"],
    ["Haas", "Haase", "Hase", "Hasse"],
    ["Graf", "Graaf", "Graff", "Graw"],
    ["Seidel", "Seidl", "Seidle", "Zeidel"],
    ["Sommer", "Somer", "Zommer"],
    ["Philipp", "Filipp", "Filip"],
]

# Pairs of different surnames whose codes must differ.
DIFFERENT_CODE_PAIRS = [
    ("Meyer", "Müller"),
    ("Schmidt", "Schneider"),
    ("Fischer", "Fuchs"),
    ("Weber", "Wagner"),
    ("Becker", "Bauer"),
    ("Schulz", "Scholl"),
    ("Hoffmann", "Hartmann"),
    ("Koch", "Krause"),
    ("Richter", "Ritter"),
    ("Klein", "Kühn"),
    ("Wolf", "Walter"),
    ("Schröder", "Schuster"),
    ("Neumann", "Niemeyer"),
    ("Schwarz", "Schweitzer"),
    ("Zimmermann", "Simon"),
    ("Braun", "Brandt"),
    ("Krüger", "Kramer"),
    ("Lange", "Lorenz"),
    ("Werner", "Winter"),
    ("Lehmann", "Ludwig"),
    ("Köhler", "Kaiser"),
    ("Herrmann", "Heinrich"),
    ("König", "Kuhn"),
    ("Peters", "Pohl"),
    ("Vogel", "Vogt"),
    ("Friedrich", "Franke"),
    ("Günther", "Graf"),
    ("Jäger", "Jung"),
    ("Keller", "Kunz"),
    ("Haas", "Hahn"),
    ("Seidel", "Sauer"),
    ("Sommer", "Stein"),
    ("Engel", "Ernst"),
    ("Horn", "Huber"),
    ("Arnold", "Albrecht"),
    ("Berger", "Busch"),
    ("Dietrich", "Dittmann"),
    ("Martin", "Mayer"),
    ("Otto", "Opitz"),
    ("Schumacher", "Schubert"),
    ("Michael", "Martina"),
]


@pytest.mark.parametrize("group", SAME_CODE_GROUPS, ids=[g[0] for g in SAME_CODE_GROUPS])
def test_spellings_share_one_code(group: list[str]) -> None:
    codes = {name: cologne_phonetics(name) for name in group}
    assert len(set(codes.values())) == 1, codes


@pytest.mark.parametrize(("first", "second"), DIFFERENT_CODE_PAIRS)
def test_different_names_have_different_codes(first: str, second: str) -> None:
    assert cologne_phonetics(first) != cologne_phonetics(second)


def test_lists_are_long_enough() -> None:
    assert len(SAME_CODE_GROUPS) >= 40
    assert len(DIFFERENT_CODE_PAIRS) >= 40


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Wikipedia", "3412"),
        ("Müller-Lüdenscheidt", "65752682"),
        ("Meyer", "67"),
        ("Breschnew", "17863"),
        ("Christoph", "47823"),
        ("Xaver", "4837"),
        ("Axel", "0485"),
        ("Dachs", "248"),
        ("Celle", "85"),
        ("Cäsar", "487"),
        ("Otto", "02"),
        ("", ""),
        ("123 - !", ""),
    ],
)
def test_known_codes(name: str, code: str) -> None:
    assert cologne_phonetics(name) == code


def test_shared_code_is_not_a_decision() -> None:
    # Blocking only: these are different people with one code.
    assert cologne_phonetics("Müller") == cologne_phonetics("Möller")


NAMES = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDHKPQSTXZäöüßÄÖÜéèçñøæþðåł -'.\0"),
    max_size=20,
)


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_matches_the_reference_rules(name: str) -> None:
    assert cologne_phonetics(name) == reference_cologne(name)


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMES, max_size=30))
def test_batch_equals_one_by_one(names: list[str]) -> None:
    assert cologne_phonetics_many(names) == [cologne_phonetics(name) for name in names]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=10))
def test_batch_survives_any_text(names: list[str]) -> None:
    codes = cologne_phonetics_many(names)
    assert codes == [cologne_phonetics(name) for name in names]
    assert all(code.isdigit() or code == "" for code in codes)


@settings(max_examples=200, deadline=None)
@given(NAMES.map(lambda name: name.replace("þ", "t")))
def test_code_ignores_folding(name: str) -> None:
    assert cologne_phonetics(name) == cologne_phonetics(fold_text(name))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("soundex", jellyfish.soundex("mueller")),
        ("metaphone", jellyfish.metaphone("mueller")),
        ("nysiis", jellyfish.nysiis("mueller")),
        ("match_rating", jellyfish.match_rating_codex("mueller")),
        ("cologne", "657"),
    ],
)
def test_selectable_methods(method: str, expected: str) -> None:
    assert phonetic_key("Müller", method) == expected
    assert method in PHONETIC_METHODS


def test_jellyfish_keys_of_empty_names() -> None:
    assert phonetic_key("", "soundex") == ""
    assert phonetic_key("–", "metaphone") == ""


def test_unknown_method() -> None:
    with pytest.raises(om.ValidationError, match="unknown method 'klingon'") as info:
        phonetic_key("Meyer", "klingon")
    assert info.value.fields == ["method"]
    assert om.history.cologne_phonetics is cologne_phonetics
