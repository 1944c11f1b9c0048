"""Keyword classifiers: the simple, replaceable default for sentiment and reasons.

A keyword matches at the start of a word, case-insensitively: ``enttäusch`` finds
"enttäuscht" and "Enttäuschung". Lists are kept per language; ``*`` applies to all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = ["NEGATIVE_KEYWORDS", "KeywordClassifier"]

#: The built-in negative-sentiment keywords, per language. Replace them with
#: your own list, or the whole classifier with a model of your own.
NEGATIVE_KEYWORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "de": (
        "ärger",
        "verärgert",
        "enttäusch",
        "unverschämt",
        "frechheit",
        "katastroph",
        "miserabel",
        "beschwerde",
        "beschwere",
        "unzumutbar",
        "skandal",
        "betrug",
        "anwalt",
        "kündig",
        "nie wieder",
        "sauer",
        "wütend",
        "inakzeptabel",
        "schon wieder",
        "zum wiederholten",
        "reklamation",
        "lächerlich",
        "abzocke",
    ),
    "en": (
        "angry",
        "annoyed",
        "disappoint",
        "terrible",
        "awful",
        "worst",
        "unacceptable",
        "complain",
        "furious",
        "outrageous",
        "useless",
        "never again",
        "scam",
        "fraud",
        "lawyer",
        "ridiculous",
        "frustrat",
        "disgust",
        "horrible",
        "rip-off",
        "yet again",
        "cancel my",
    ),
}

ANY_LANGUAGE: Final = "*"


#: Each Latin-1 byte mapped to the Latin-1 byte of ``chr(byte).lower()``; every Latin-1
#: character lowers to exactly one Latin-1 character, so this equals ``str.lower``.
_LATIN1_LOWER: Final = bytes(ord(chr(byte).lower()) for byte in range(256))

#: The Latin-1 characters ``re`` counts as ``\w`` in a ``str`` pattern.
_LATIN1_WORD: Final = "".join(chr(byte) for byte in range(256) if re.match(r"\w", chr(byte)))


def _trie_pattern(words: Sequence[str]) -> str:
    """One regex alternative per distinct first character, nested: ``re`` then rejects
    most positions after one comparison instead of one per keyword."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def alternatives(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + alternatives(rest) for char, rest in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        group = (
            branches[0] if len(branches) == 1 and "" not in node else f"(?:{'|'.join(branches)})"
        )
        return f"{group}?" if "" in node else group

    return alternatives(trie)


def _latin1_lowered(text: str) -> bytes | None:
    """``text.lower()`` as Latin-1 bytes, or None when ``text`` is not Latin-1.

    Lowering in one ``bytes.translate`` pass is several times cheaper than
    ``str.lower`` on text with umlauts, which takes the slow Unicode path.
    """
    try:
        return text.encode("latin-1").translate(_LATIN1_LOWER)
    except UnicodeEncodeError:
        return None


class _Matcher:
    """The keywords of one label and language, each to match at the start of a word.

    Latin-1 text (after a newline prepended, so the text's start is a word start) is
    scanned once by a bytes regex: a non-word byte followed by a keyword trie.
    Other text takes the general ``str`` regex on ``text.lower()``.
    """

    __slots__ = ("keywords", "latin1", "pattern")

    def __init__(self, keywords: Sequence[str]) -> None:
        words = sorted({word.strip().lower() for word in keywords if word.strip()})
        self.keywords = tuple(words)
        alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})")
        # A keyword outside Latin-1 cannot occur in lowered Latin-1 text.
        latin1 = [word for word in words if max(word) <= "\xff"]
        self.latin1 = (
            re.compile(f"[^{re.escape(_LATIN1_WORD)}]{_trie_pattern(latin1)}".encode("latin-1"))
            if latin1
            else None
        )

    def __bool__(self) -> bool:
        return bool(self.keywords)

    def matches(self, lowered: str) -> bool:
        """Whether a keyword starts a word of ``lowered`` (lower-cased text)."""
        return self.pattern.search(lowered) is not None

    def matches_latin1(self, data: bytes) -> bool:
        """Whether a keyword starts a word of ``data``: lowered Latin-1 text after ``\n``."""
        return self.latin1 is not None and self.latin1.search(data) is not None


class KeywordClassifier:
    """Labels a text by keyword lists: ``{label: {language: [keywords]}}``.

    Labels are tried in the given order; the first with a matching keyword wins. A
    text in a language without a list is checked against every list.

    >>> sentiment = KeywordClassifier.negative_sentiment()
    >>> sentiment.classify("Ich bin sehr enttäuscht!", "de")
    'negative'
    >>> KeywordClassifier({"billing": {"*": ["invoice", "rechnung"]}}).classify(
    ...     "Frage zur Rechnung", None)
    'billing'
    """

    def __init__(self, labels: Mapping[str, Mapping[str, Sequence[str]] | Sequence[str]]) -> None:
        self._matchers: list[tuple[str, dict[str, _Matcher], _Matcher]] = []
        for label, lists in labels.items():
            if isinstance(lists, str):
                raise ValidationError(
                    "KeywordClassifier",
                    [ErrorDetail([label], "give a list of keywords, not one string")],
                )
            per_language = dict(lists) if isinstance(lists, Mapping) else {ANY_LANGUAGE: lists}
            shared = list(per_language.get(ANY_LANGUAGE, ()))
            compiled = {
                language.lower(): matcher
                for language, words in per_language.items()
                if language != ANY_LANGUAGE and (matcher := _Matcher([*words, *shared]))
            }
            everything = _Matcher([word for words in per_language.values() for word in words])
            if everything:
                self._matchers.append((label, compiled, everything))
        # The matchers to try, per language tag as it usually comes (``de``, or None).
        self._plans: dict[str | None, tuple[tuple[str, _Matcher], ...]] = {
            tag: self._plan(tag)
            for tag in {None, *(language for _, lists, _ in self._matchers for language in lists)}
        }

    def _plan(self, language: str | None) -> tuple[tuple[str, _Matcher], ...]:
        primary = language.lower().partition("-")[0] if language else None
        return tuple(
            (label, everything if primary is None else per_language.get(primary, everything))
            for label, per_language, everything in self._matchers
        )

    @classmethod
    def negative_sentiment(
        cls, keywords: Mapping[str, Sequence[str]] | None = None, label: str = "negative"
    ) -> KeywordClassifier:
        """A sentiment classifier labelling ``negative`` (built-in lists by default)."""
        return cls({label: keywords if keywords is not None else NEGATIVE_KEYWORDS})

    def classify(self, text: str, language: str | None) -> str | None:
        """The first label with a keyword in ``text``, or None."""
        if not text:
            return None
        plan = self._plans.get(language) or self._plan(language)
        data = _latin1_lowered("\n" + text)
        if data is not None:
            for label, matcher in plan:
                if matcher.matches_latin1(data):
                    return label
            return None
        lowered = text.lower()
        for label, matcher in plan:
            if matcher.matches(lowered):
                return label
        return None
