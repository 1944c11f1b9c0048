"""Phonetic keys: Kölner Phonetik (implemented here) and jellyfish's Soundex, Metaphone, NYSIIS.

Phonetic keys are for *blocking* — deciding which records are worth comparing — never
for the final decision: Müller and Möller share a Kölner code and are different people.

:func:`cologne_phonetics` folds the name to upper-case ASCII letters with one byte
table, then codes it in one pass: a table look-up per letter, the neighbours read only
for the context-dependent ``C``, ``D``/``T``, ``P`` and ``X``, repeats and zeros dropped
on the way. :func:`cologne_phonetics_many` codes a whole batch with byte tables and
precompiled expressions whose look-arounds see the original letters (no per-letter
Python loop), which is cheaper per name once the batch is long.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Literal

import jellyfish

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.history.normalize import fold_text

__all__ = [
    "PHONETIC_METHODS",
    "PhoneticMethod",
    "cologne_phonetics",
    "cologne_phonetics_many",
    "phonetic_key",
]


# Latin-1 letters without a Unicode decomposition, by the letter that codes like them.
_LATIN1_SPECIAL = MappingProxyType({"ß": "S", "æ": "A", "ø": "O", "ð": "D", "þ": "T"})


def _fold_table() -> tuple[bytes, bytes]:
    """Latin-1 byte → upper-case ASCII letter, plus the bytes to delete (non-letters)."""
    table = bytearray(range(256))
    keep = set()
    for code in range(256):
        char = chr(code)
        special = _LATIN1_SPECIAL.get(char.lower())
        if special is not None:
            table[code] = ord(special)
            keep.add(code)
            continue
        base = unicodedata.normalize("NFKD", char)[:1].upper()
        if len(base) == 1 and "A" <= base <= "Z":
            table[code] = ord(base)
            keep.add(code)
    keep.add(_SEPARATOR)
    delete = bytes(code for code in range(256) if code not in keep)
    return bytes(table), delete


# Joins the names of a batch; it survives folding, and no letter maps to it.
_SEPARATOR = 0
_FOLD, _NON_LETTERS = _fold_table()
_NON_LETTERS_OF_ONE = _NON_LETTERS + bytes([_SEPARATOR])

# Letters whose code is 8 only in context; the look-arounds run on the original
# letters because re.sub finds every match in the unmodified input. Every branch
# starts with a literal letter so that the engine can skip straight to D, T, X or C.
_CONTEXT_EIGHT = re.compile(
    rb"D(?=[CSZ])"  # D before C, S, Z
    rb"|T(?=[CSZ])"  # T before C, S, Z
    rb"|X(?<=[CKQ]X)"  # X after C, K, Q
    rb"|C(?:(?<![A-Z]C)(?<=C)(?![AHKLOQRUX])"  # initial C not before A H K L O Q R U X
    rb"|(?<=[SZ]C)"  # C after S, Z
    rb"|(?<=[A-Z]C)(?![AHKOQUX]))"  # inner C not before A H K O Q U X
)
_DOUBLE_DIGITS = tuple((digit * 2, digit) for digit in (b"%d" % value for value in range(9)))
_HASH_TO_ZERO = bytes.maketrans(b"#", b"0")


def _code_table() -> bytes:
    table = bytearray(range(256))
    for letters, digit in (
        ("AEIJOUY", "0"),
        ("BP", "1"),
        ("DT", "2"),
        ("FVW", "3"),
        ("CGKQ", "4"),
        ("L", "5"),
        ("MN", "6"),
        ("R", "7"),
        ("SZ", "8"),
    ):
        for letter in letters:
            table[ord(letter)] = ord(digit)
    return bytes(table)


_CODES = _code_table()


def _letter_codes() -> tuple[int, ...]:
    """Byte → ASCII code digit of the letters coded without context; -1 for the others."""
    table = [-1] * 256
    for letters, digit in (
        ("AEIJOUY", "0"),
        ("B", "1"),
        ("FVW", "3"),
        ("GKQ", "4"),
        ("L", "5"),
        ("MN", "6"),
        ("R", "7"),
        ("SZ", "8"),
    ):
        for letter in letters:
            table[ord(letter)] = ord(digit)
    return tuple(table)


_LETTER_CODES = _letter_codes()
_ZERO, _ONE, _TWO, _THREE, _FOUR, _EIGHT = b"012348"
_H, _C, _D, _T, _P = b"HCDTP"
_AFTER_S_OR_Z = frozenset(b"SZ")
_AFTER_C_K_Q = frozenset(b"CKQ")
_BEFORE_C_S_Z = frozenset(b"CSZ")
_HARD_INITIAL_C = frozenset(b"AHKLOQRUX")  # an initial C before these is 4
_HARD_INNER_C = frozenset(b"AHKOQUX")  # an inner C before these is 4
_VOWELS = frozenset(bytes([letter]) for letter in b"AEIJOUY")


def cologne_phonetics(name: str) -> str:
    """The Kölner Phonetik code of ``name``: ``"Meyer"``, ``"Maier"``, ``"Mayr"`` → ``"67"``.

    Umlauts count as their vowel, ``ß`` as ``S``, ``þ`` as ``T``, other diacritics are
    stripped and
    anything that is not a letter is ignored (so ``"Müller-Lüdenscheidt"`` is one
    code, ``"65752682"``). An empty or letter-free name gives ``""``.
    """
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        raw = _beyond_latin1(name)
    letters = raw.translate(_FOLD, _NON_LETTERS_OF_ONE)
    if not letters:
        return ""
    # One pass: most letters are a table look-up; C, D, T, P and X read their
    # neighbours; a code equal to the one before is dropped, and so is every 0 (the
    # leading one is put back below). H has no code and does not separate repeats.
    codes = _LETTER_CODES
    out = bytearray()
    previous = 0
    before = 0
    last = len(letters) - 1
    for position, letter in enumerate(letters):
        code = codes[letter]
        if code < 0:
            if letter == _H:
                before = letter
                continue
            after = letters[position + 1] if position < last else 0
            if letter == _C:
                if before in _AFTER_S_OR_Z:
                    code = _EIGHT
                elif before:
                    code = _FOUR if after in _HARD_INNER_C else _EIGHT
                else:
                    code = _FOUR if after in _HARD_INITIAL_C else _EIGHT
            elif letter in (_D, _T):
                code = _EIGHT if after in _BEFORE_C_S_Z else _TWO
            elif letter == _P:
                code = _THREE if after == _H else _ONE
            else:  # X: 48, or 8 after C, K or Q
                if before not in _AFTER_C_K_Q:
                    if previous != _FOUR:
                        out.append(_FOUR)
                    previous = _FOUR
                code = _EIGHT
        if code != previous:
            if code != _ZERO:
                out.append(code)
            previous = code
        before = letter
    first = letters[0]
    if codes[first] == _ZERO or (first == _H and letters.lstrip(b"H")[:1] in _VOWELS):
        return "0" + out.decode("ascii")
    return out.decode("ascii")


def _beyond_latin1(name: str) -> bytes:
    # fold_text spells þ "th"; within Latin-1 it codes as T, so keep that here too.
    return fold_text(name.replace("þ", "t").replace("Þ", "T")).encode("ascii", "ignore")


def _encode_batch(text: str) -> bytes:
    """Latin-1 bytes of NUL-separated names; only names beyond Latin-1 are folded."""
    chunks = []
    position = 0
    while True:
        try:
            chunks.append(text[position:].encode("latin-1"))
            return b"".join(chunks)
        except UnicodeEncodeError as error:
            bad = position + error.start
            start = text.rfind("\0", 0, bad) + 1
            end = text.find("\0", bad)
            end = len(text) if end < 0 else end
            chunks.append(text[position:start].encode("latin-1"))
            chunks.append(_beyond_latin1(text[start:end]))
            position = end


def cologne_phonetics_many(names: Sequence[str]) -> list[str]:
    """:func:`cologne_phonetics` of every name, in order, several times faster per name.

    The names are joined and coded in one pass of byte tables and expressions, so the
    per-call overhead is paid once per batch rather than once per name.
    """
    if not names:
        return []
    # A leading separator makes every code, the first one too, start after a NUL byte.
    text = "\0" + "\0".join(names)
    if text.count("\0") != len(names):
        # A name contains the separator itself: code them one by one.
        return [cologne_phonetics(name) for name in names]
    letters = _encode_batch(text).translate(_FOLD, _NON_LETTERS)
    if b"PH" in letters:
        letters = letters.replace(b"PH", b"F")
    digits = _CONTEXT_EIGHT.sub(b"8", letters)
    if b"X" in digits:
        digits = digits.replace(b"X", b"48")
    digits = digits.translate(_CODES, b"H")
    # Over a long batch, plain replaces beat a back-referencing expression several fold.
    for pair, single in _DOUBLE_DIGITS:
        while pair in digits:
            digits = digits.replace(pair, single)
    # Keep the zero that starts a code (marked "#"), drop every other zero.
    digits = digits.replace(b"\x000", b"\x00#").translate(_HASH_TO_ZERO, b"0")
    return digits.decode("ascii").split("\0")[1:]


#: The name of a phonetic method, one of the keys of :data:`PHONETIC_METHODS`.
PhoneticMethod = Literal["cologne", "soundex", "metaphone", "nysiis", "match_rating"]


def _jellyfish(function: Callable[[str], str]) -> Callable[[str], str]:
    def key(name: str) -> str:
        folded = " ".join(fold_text(name).encode("ascii", "ignore").decode().split())
        return function(folded) if folded else ""

    key.__doc__ = f"jellyfish.{function.__name__} of the folded name."
    return key


#: Every selectable phonetic key by name.
PHONETIC_METHODS: Mapping[str, Callable[[str], str]] = MappingProxyType(
    {
        "cologne": cologne_phonetics,
        "soundex": _jellyfish(jellyfish.soundex),
        "metaphone": _jellyfish(jellyfish.metaphone),
        "nysiis": _jellyfish(jellyfish.nysiis),
        "match_rating": _jellyfish(jellyfish.match_rating_codex),
    }
)


def phonetic_key(name: str, method: PhoneticMethod | str = "cologne") -> str:
    """The phonetic key of ``name`` by ``method`` (see :data:`PHONETIC_METHODS`).

    ``"cologne"`` is Kölner Phonetik (best for German names); ``"soundex"``,
    ``"metaphone"``, ``"nysiis"`` and ``"match_rating"`` are jellyfish's, applied to the
    folded name (``"Müller"`` → ``"mueller"``). Raises :class:`ValidationError` for an
    unknown method.
    """
    try:
        function = PHONETIC_METHODS[method]
    except KeyError:
        known = ", ".join(sorted(PHONETIC_METHODS))
        raise ValidationError(
            "phonetic key",
            [ErrorDetail(["method"], f"unknown method {method!r}; known: {known}", input=method)],
        ) from None
    return function(name)
