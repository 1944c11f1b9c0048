"""Normalisation of names, e-mail addresses, phone numbers and streets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.history import (
    NameParts,
    fold_text,
    name_parts,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_street,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Müller", "mueller"),
        ("MÜLLER", "mueller"),
        ("Mu\u0308ller", "mueller"),  # decomposed umlaut
        ("Größe", "groesse"),
        ("Renée", "renee"),
        ("Łukasz Żółć", "lukasz zolc"),
        ("Søren Ærø", "soeren aeroe"),
        ("  Hans-Peter   O'Brien ", "hans peter obrien"),
        ("Dr. Jürgen", "dr juergen"),
        ("François", "francois"),
        ("", ""),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_fold_text_keeps_punctuation() -> None:
    assert fold_text("Müller-Lüdenscheidt.") == "mueller-luedenscheidt."


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_normalize_name_is_idempotent_and_single_spaced(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert "  " not in once
    assert once == once.strip()
    assert once == once.casefold()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüßéèçñøåÄÖÜ -.'", max_size=30))
def test_latin_names_fold_to_ascii(text: str) -> None:
    assert normalize_name(text).isascii()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Dr. Hans-Peter von der Müller-Lüdenscheidt",
            NameParts(("dr",), ("hans", "peter"), ("von", "der"), ("mueller", "luedenscheidt")),
        ),
        (
            "Müller-Lüdenscheidt, Hans-Peter",
            NameParts((), ("hans", "peter"), (), ("mueller", "luedenscheidt")),
        ),
        ("Prof. Dr. Anna Schmidt", NameParts(("prof", "dr"), ("anna",), (), ("schmidt",))),
        ("Ludwig van Beethoven", NameParts((), ("ludwig",), ("van",), ("beethoven",))),
        ("Maria de la Cruz", NameParts((), ("maria",), ("de", "la"), ("cruz",))),
        ("Meier", NameParts((), (), (), ("meier",))),
        ("Herr Meier", NameParts(("herr",), (), (), ("meier",))),
        ("John Smith Jr.", NameParts((), ("john",), (), ("smith",))),
        ("M. Müller", NameParts((), ("m",), (), ("mueller",))),
        ("Dr. med. Karl Maier", NameParts(("dr", "med"), ("karl",), (), ("maier",))),
    ],
)
def test_name_parts(raw: str, expected: NameParts) -> None:
    assert name_parts(raw) == expected


def test_name_parts_joined_names() -> None:
    parts = name_parts("Anna-Lena van der Berg-Schulz")
    assert parts.given_name == "anna lena"
    assert parts.family_name == "berg schulz"
    assert name_parts("") == NameParts()


@pytest.mark.parametrize(
    ("raw", "rules", "expected"),
    [
        (" John.Doe@Example.COM ", False, "john.doe@example.com"),
        ("<a@b.de>", False, "a@b.de"),
        ("mailto:Info@Firma.de", False, "info@firma.de"),
        ("John.Doe+news@GoogleMail.com", False, "john.doe+news@googlemail.com"),
        ("John.Doe+news@GoogleMail.com", True, "johndoe@gmail.com"),
        ("jane+x@outlook.com", True, "jane@outlook.com"),
        ("jane.doe+x@gmx.de", True, "jane.doe+x@gmx.de"),
    ],
)
def test_normalize_email(raw: str, rules: bool, expected: str) -> None:
    assert normalize_email(raw, provider_rules=rules) == expected


@pytest.mark.parametrize("bad", ["", "no-at-sign", "@example.com", "a@", "a b@c.de", "a@localhost"])
def test_normalize_email_refuses_non_addresses(bad: str) -> None:
    with pytest.raises(om.ValidationError) as info:
        normalize_email(bad)
    assert info.value.fields == ["email"]
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (0)30 123 45 67", "DE", "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("0171/2345678", "DE", "+491712345678"),
        ("(212) 555-0123", "US", "+12125550123"),
        ("+44 20 7946 0958", "DE", "+442079460958"),
        ("not a number", "DE", None),
        ("12", "DE", None),
        ("", "DE", None),
    ],
)
def test_normalize_phone(raw: str, region: str, expected: str | None) -> None:
    assert normalize_phone(raw, region) == expected


def test_normalize_phone_unknown_region() -> None:
    with pytest.raises(om.ValidationError, match="unknown region 'XX'") as info:
        normalize_phone("030 1234567", default_region="XX")
    assert info.value.fields == ["default_region"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hauptstr. 5a", "hauptstrasse 5a"),
        ("Hauptstraße 5 a", "hauptstrasse 5a"),
        ("HAUPTSTRASSE 5A", "hauptstrasse 5a"),
        ("Hauptstr.12", "hauptstrasse 12"),
        ("Marktpl. 1", "marktplatz 1"),
        ("Goethe Str. 7", "goethe strasse 7"),
        ("12 Main St.", "12 main street"),
        ("St.-Anna-Str. 3", "sankt anna strasse 3"),
        ("Am Ring 4", "am ring 4"),
    ],
)
def test_normalize_street(raw: str, expected: str) -> None:
    assert normalize_street(raw) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_normalize_street_is_idempotent(text: str) -> None:
    once = normalize_street(text)
    assert normalize_street(once) == once


def test_facade_exposes_history() -> None:
    assert om.history.normalize_name is normalize_name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcstrplä. 0123456789-", max_size=30))
def test_street_abbreviations_are_idempotent(text: str) -> None:
    once = normalize_street(text)
    assert normalize_street(once) == once


def test_compatibility_characters_fold_to_lower_case() -> None:
    assert normalize_name("㏆") == normalize_name(normalize_name("㏆"))
    assert fold_text("㏆") == fold_text("㏆").casefold()
