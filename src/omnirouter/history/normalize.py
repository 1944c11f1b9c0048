"""Normalising what people type: names, e-mail addresses, phone numbers, streets.

Every function here is pure and cheap: no I/O, no clock, no state between calls. The
results are meant for *comparing* records (blocking keys, comparators, identity
look-ups), not for display: names come back case-folded and transliterated.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

import attrs
import phonenumbers

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = [
    "NameParts",
    "fold_text",
    "name_parts",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_street",
]

# German transliteration first (ä → ae rather than a), then letters that Unicode does
# not decompose into a base letter plus a mark.
_SPECIAL_LETTERS = MappingProxyType(
    {
        ord(source): target
        for source, target in {
            "ä": "ae",
            "ö": "oe",
            "ü": "ue",
            "ß": "ss",
            "ẞ": "ss",
            "æ": "ae",
            "œ": "oe",
            "ø": "oe",
            "å": "aa",
            "ł": "l",
            "đ": "d",
            "ð": "d",
            "þ": "th",
            "ı": "i",
            "ħ": "h",
            "ŀ": "l",
        }.items()
    }
)

# Separators between name words become spaces; marks inside a word disappear.
_SEPARATORS = MappingProxyType(
    {
        **{ord(c): " " for c in '-‐‑‒–—_/,;:&+|\t\n\r\f\v()[]{}"“”„«»'},
        **{ord(c): None for c in ".'’`´ʼ‘"},
    }
)

_WHITESPACE = re.compile(r"\s+")


def fold_text(text: str) -> str:
    """Case-fold, transliterate German umlauts and ß, and strip every other diacritic.

    ``"Müller"`` → ``"mueller"``, ``"Renée"`` → ``"renee"``, ``"Łukasz"`` → ``"lukasz"``.
    Punctuation and spacing are kept as they are; see :func:`normalize_name` for that.
    """
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SPECIAL_LETTERS)
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Compatibility forms can decompose into capitals or special letters ("㏆" → "C∕kg").
    return stripped.casefold().translate(_SPECIAL_LETTERS)


def normalize_name(text: str) -> str:
    """A name for comparison: folded (see :func:`fold_text`), punctuation-free, single-spaced.

    Hyphens and other separators become spaces and dots or apostrophes vanish, so
    ``"Hans-Peter  O'Brien"`` → ``"hans peter obrien"`` and ``"Dr. Jürgen"`` → ``"dr juergen"``.
    """
    return " ".join(fold_text(text).translate(_SEPARATORS).split())


# Academic and courtesy titles, in their folded, dot-free spelling.
_TITLES = frozenset(
    {
        "dr",
        "prof",
        "professor",
        "doktor",
        "herr",
        "frau",
        "hr",
        "fr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "sir",
        "dame",
        "lord",
        "lady",
        "dipl",
        "ing",
        "diplom",
        "mag",
        "med",
        "dent",
        "vet",
        "rer",
        "nat",
        "phil",
        "jur",
        "hc",
        "habil",
        "mba",
        "msc",
        "bsc",
        "phd",
        "md",
        "mme",
        "mlle",
        "sr",
        "sra",
        "srta",
        "dott",
        "ssa",
        "rev",
        "pfr",
    }
)

# Particles that belong to the family name but are not part of its phonetic core.
_PARTICLES = frozenset(
    {
        "von",
        "vom",
        "zu",
        "zum",
        "zur",
        "van",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "des",
        "la",
        "le",
        "ten",
        "ter",
        "op",
        "af",
        "al",
        "el",
        "bin",
        "ibn",
        "mac",
        "st",
        "y",
    }
)

_SUFFIXES = frozenset({"jr", "sr", "jun", "sen", "ii", "iii", "iv"})


@attrs.frozen(slots=True)
class NameParts:
    """A full name split into its parts, each normalised like :func:`normalize_name`.

    ``family`` holds the parts of a hyphenated or multi-part family name
    (``"Müller-Lüdenscheidt"`` → ``("mueller", "luedenscheidt")``); ``particles`` the
    ``von``/``van``/``de`` words in front of it; ``titles`` the ``Dr.``/``Prof.``/``Herr``.
    """

    titles: tuple[str, ...] = ()
    given: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    family: tuple[str, ...] = ()

    @property
    def given_name(self) -> str:
        """The given names joined by single spaces."""
        return " ".join(self.given)

    @property
    def family_name(self) -> str:
        """The family name parts joined by single spaces (particles left out)."""
        return " ".join(self.family)


def _words(text: str) -> list[list[str]]:
    """Whitespace-separated words, each split at hyphens into normalised parts."""
    words = []
    for raw in fold_text(text).replace(",", " , ").split():
        if raw == ",":
            words.append([","])
            continue
        parts = normalize_name(raw).split()
        if parts:
            words.append(parts)
    return words


def _strip_titles(words: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    titles: list[str] = []
    while words and all(part in _TITLES for part in words[0]) and len(words) > 1:
        titles.extend(words.pop(0))
    return titles, words


def name_parts(text: str) -> NameParts:
    """Split a full name into titles, given names, particles and family name parts.

    Understands ``"Dr. Hans-Peter von der Müller-Lüdenscheidt"`` as well as the
    inverted ``"Müller-Lüdenscheidt, Hans-Peter"``. A single word counts as the family
    name. Generation suffixes (``Jr.``, ``III``) are dropped.
    """
    words = _words(text)
    if any(word == [","] for word in words):
        comma = words.index([","])
        family_words = [w for w in words[:comma] if w != [","]]
        given_words = [w for w in words[comma + 1 :] if w != [","]]
        titles, given_words = _strip_titles(given_words)
        lead_titles, family_words = _strip_titles(family_words)
        titles = lead_titles + titles
    else:
        titles, words = _strip_titles(words)
        while len(words) > 1 and words[-1][0] in _SUFFIXES and len(words[-1]) == 1:
            words.pop()
        if not words:
            return NameParts(titles=tuple(titles))
        # The family name starts at the first particle after the first word, or is the
        # last word when there is no particle.
        start = len(words) - 1
        for index in range(1, len(words)):
            if all(part in _PARTICLES for part in words[index]):
                start = index
                break
        given_words, family_words = words[:start], words[start:]
    particles: list[str] = []
    while len(family_words) > 1 and all(part in _PARTICLES for part in family_words[0]):
        particles.extend(family_words.pop(0))
    return NameParts(
        titles=tuple(titles),
        given=tuple(part for word in given_words for part in word),
        particles=tuple(particles),
        family=tuple(part for word in family_words for part in word),
    )


# Providers that ignore "+tag" suffixes in the local part.
_PLUS_TAG_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "fastmail.com",
        "posteo.de",
        "mailbox.org",
    }
)
_DOT_BLIND_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
_DOMAIN_ALIASES = MappingProxyType({"googlemail.com": "gmail.com"})


def _email_error(address: str, message: str) -> ValidationError:
    return ValidationError("e-mail address", [ErrorDetail(["email"], message, input=address)])


def normalize_email(address: str, *, provider_rules: bool = False) -> str:
    """An e-mail address for comparison: trimmed, lower-cased, ``mailto:``/``<…>`` removed.

    With ``provider_rules=True`` the rules of well-known providers apply as well:
    ``+tags`` are dropped where the provider ignores them, Gmail's dots are removed
    and ``googlemail.com`` becomes ``gmail.com``. Raises :class:`ValidationError` when
    the text is not an address (no single ``@`` with text on both sides, or spaces).
    """
    text = address.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise _email_error(address, f"not an e-mail address: {address!r} (needs user@domain)")
    if len(text.split()) != 1 or "@" in local.strip('"'):
        raise _email_error(address, f"not an e-mail address: {address!r} (spaces or two '@')")
    local = local.lower()
    domain = domain.lower().rstrip(".")
    if "." not in domain.strip("."):
        raise _email_error(address, f"domain {domain!r} of {address!r} has no dot")
    if provider_rules:
        if domain in _PLUS_TAG_DOMAINS:
            local = local.split("+", 1)[0]
        if domain in _DOT_BLIND_DOMAINS:
            local = local.replace(".", "")
        domain = _DOMAIN_ALIASES.get(domain, domain)
        if not local:
            raise _email_error(address, f"nothing left of {address!r} before the '@'")
    return f"{local}@{domain}"


def normalize_phone(number: str, default_region: str = "DE") -> str | None:
    """A phone number in E.164 (``+4930123456``), or ``None`` when it cannot be parsed.

    Numbers without a ``+``/``00`` country prefix are read as numbers of
    ``default_region`` (ISO 3166 alpha-2). Extensions are dropped; fewer than five
    national digits count as unparseable. Raises
    :class:`ValidationError` only for an unknown ``default_region``.
    """
    region = default_region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            "phone number",
            [
                ErrorDetail(
                    ["default_region"],
                    f"unknown region {default_region!r}; use an ISO 3166 alpha-2 code like 'DE'",
                    input=default_region,
                )
            ],
        )
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    # Fewer than five digits after the country code are service codes or fragments,
    # never a number that identifies a person.
    if len(str(parsed.national_number)) < 5 or not phonenumbers.is_possible_number(parsed):
        return None
    e164: str = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return e164


# Street-type words, in folded dot-free spelling, mapped to their full folded form.
_STREET_WORDS = MappingProxyType(
    {
        "str": "strasse",
        "strasze": "strasse",
        "strase": "strasse",
        "pl": "platz",
        "plz": "platz",
        "allee": "allee",
        "al": "allee",
        "ch": "chaussee",
        "chaus": "chaussee",
        "ring": "ring",
        "rd": "road",
        "ave": "avenue",
        "av": "avenue",
        "blvd": "boulevard",
        "ln": "lane",
        "dr": "drive",
        "ct": "court",
        "sq": "square",
        "hwy": "highway",
        "pkwy": "parkway",
        "pk": "park",
        "ter": "terrace",
    }
)
# A German street type glued to the name: "Hauptstr.", "Marktpl.".
_GLUED_SUFFIX = re.compile(r"(?<=[a-z])(str|pl)(?=\s|\d|$)")
_NUMBER_GLUED = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z]{2})")
_HOUSE_LETTER = re.compile(r"\b(\d+)\s+([a-z])\b")


def normalize_street(text: str) -> str:
    """A street line for comparison: folded, abbreviations expanded, single-spaced.

    ``"Hauptstr. 5a"``, ``"Hauptstraße 5 a"`` and ``"HAUPTSTRASSE 5A"`` all become
    ``"hauptstrasse 5a"``; ``"Marktpl. 1"`` → ``"marktplatz 1"``; ``"12 Main St."`` →
    ``"12 main street"`` (``St.`` in front of a name is ``sankt``: ``"St.-Anna-Str."`` →
    ``"sankt anna strasse"``).
    """
    folded = fold_text(text)
    folded = folded.translate(_SEPARATORS)
    folded = _GLUED_SUFFIX.sub(lambda m: _STREET_WORDS[m.group(1)] + " ", folded)
    words = _NUMBER_GLUED.sub(" ", folded).split()
    expanded: list[str] = []
    last = len(words) - 1
    for index, word in enumerate(words):
        if word == "st":
            # "St." is "Sankt" before a name and "Street" after one.
            followed_by_name = index < last and not words[index + 1][0].isdigit()
            expanded.append("sankt" if followed_by_name else "street")
        elif word == "strasse" or word.endswith("strasse"):
            expanded.append(word)
        else:
            expanded.append(_STREET_WORDS.get(word, word))
    return _HOUSE_LETTER.sub(r"\1\2", " ".join(expanded))
