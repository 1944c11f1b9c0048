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


def _pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    words = {word.strip().lower() for word in keywords if word.strip()}
    if not words:
        return None
    # Group the alternatives by first character and look ahead for one of those
    # characters: the regex engine then rejects most positions at once instead of
    # trying every keyword there. Texts are lowered before searching.
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=lambda w: (-len(w), w)):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    firsts = "".join(re.escape(first) for first in sorted(groups))
    alternatives = "|".join(
        f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items())
    )
    return re.compile(rf"(?<!\w)(?=[{firsts}])(?:{alternatives})")


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
        self._patterns: list[tuple[str, dict[str, re.Pattern[str]], re.Pattern[str]]] = []
        for label, lists in labels.items():
            if isinstance(lists, str):
                raise ValidationError(
                    "KeywordClassifier",
                    [ErrorDetail([label], "give a list of keywords, not one string")],
                )
            per_language = dict(lists) if isinstance(lists, Mapping) else {ANY_LANGUAGE: lists}
            shared = list(per_language.get(ANY_LANGUAGE, ()))
            compiled = {
                language.lower(): pattern
                for language, words in per_language.items()
                if language != ANY_LANGUAGE and (pattern := _pattern([*words, *shared])) is not None
            }
            everything = _pattern([word for words in per_language.values() for word in words])
            if everything is not None:
                self._patterns.append((label, compiled, everything))

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
        text = text.lower()
        primary = language.lower().partition("-")[0] if language else None
        for label, per_language, everything in self._patterns:
            pattern = everything
            if primary is not None:
                pattern = per_language.get(primary, everything)
            if pattern.search(text) is not None:
                return label
        return None
