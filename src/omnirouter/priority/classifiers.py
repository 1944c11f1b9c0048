"""Keyword classifiers: the simple, replaceable default for sentiment and reasons.

A keyword matches at the start of a word, case-insensitively: ``enttäusch`` finds
"enttäuscht" and "Enttäuschung". Lists are kept per language; ``*`` applies to all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from omnirouter.errors import ErrorDetail, ValidationError

__all__ = ["NEGATIVE_KEYWORDS", "KeywordClassifier"]

#: The built-in negative-sentiment keywords (R-MO3), per language. Replace them with
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


class _Matcher:
    """The keywords of one label and language: a fast substring pre-check, then a regex
    that confirms a keyword starts a word."""

    __slots__ = ("keywords", "pattern")

    def __init__(self, keywords: Sequence[str]) -> None:
        words = sorted({word.strip().lower() for word in keywords if word.strip()})
        self.keywords = tuple(words)
        alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})")

    def __bool__(self) -> bool:
        return bool(self.keywords)

    def matches(self, lowered: str) -> bool:
        # str "in" runs in C at memory speed; the regex runs only on a likely hit.
        for word in self.keywords:
            if word in lowered:
                return self.pattern.search(lowered) is not None
        return False


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
        lowered = text.lower()
        primary = language.lower().partition("-")[0] if language else None
        for label, per_language, everything in self._matchers:
            matcher = everything if primary is None else per_language.get(primary, everything)
            if matcher.matches(lowered):
                return label
        return None
