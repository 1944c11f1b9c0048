"""The scoring fast paths give the same answers as the plain ways they replace."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.priority import KeywordClassifier, PriorityScorer, RecentContacts
from omnirouter.priority.classifiers import NEGATIVE_KEYWORDS, _latin1_lowered
from omnirouter.sla import ServiceLevelPolicy

T0 = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)
NOW = (T0 + timedelta(minutes=30)).timestamp()

KEYWORDS = ("ärger", "enttäusch", "nie wieder", "rip-off", "straße", "€uro", "ολα", "x")


def reference(keywords: tuple[str, ...], text: str) -> bool:
    """The plain definition: a keyword starts a word of ``text.lower()``."""
    alternatives = "|".join(re.escape(word) for word in keywords)
    return re.search(rf"(?<!\w)(?:{alternatives})", text.lower()) is not None


def test_latin1_lowering_equals_str_lower_for_every_latin1_character() -> None:
    every = "".join(chr(code) for code in range(256))
    assert _latin1_lowered(every) == every.lower().encode("latin-1")
    assert _latin1_lowered("Preis: 5 €") is None  # not Latin-1: the str path decides


fragments = st.sampled_from(
    [
        *KEYWORDS,
        *(word.upper() for word in KEYWORDS),
        "ÄRGER",
        "Enttäuscht",
        " ",
        "\n",
        ".",
        "-",
        "_",
        "ß",
        "é",
        "µ",
        "İ",
        "€",
        "🙂",
        "un",
        "Ver",
        "1",
    ]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(fragments | st.text(max_size=3), max_size=12))
def test_keyword_matching_equals_the_plain_regex_on_lowered_text(parts: list[str]) -> None:
    text = "".join(parts)
    classifier = KeywordClassifier({"hit": list(KEYWORDS)})
    expected = "hit" if text and reference(KEYWORDS, text) else None
    assert classifier.classify(text, None) == expected
    assert classifier.classify(text, "de-AT") == expected


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("abcdeginrstuwäöüÄÖÜßKLMNSTW .,!-\n€"), max_size=60))
def test_builtin_lists_match_like_the_plain_regex_per_language(text: str) -> None:
    sentiment = KeywordClassifier.negative_sentiment()
    for language in ("de", "en"):
        keywords = tuple(word.lower() for word in NEGATIVE_KEYWORDS[language])
        expected = "negative" if text and reference(keywords, text) else None
        assert sentiment.classify(text, language) == expected


def test_recent_contacts_counts_from_epoch_seconds_like_from_datetimes() -> None:
    history = RecentContacts([("k", T0 - timedelta(days=d)) for d in (0.5, 2, 3, 9)])
    for days in (0, 1, 2.5, 7, 10):
        since = T0 - timedelta(days=days)
        assert history.count_recent_epoch("k", since.timestamp()) == history.count_recent(
            "k", since
        )
    assert history.count_recent_epoch("nobody", 0.0) == 0


class EpochHistory:
    """A history with both ways of counting, recording which one the scorer used."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def count_recent(self, customer_id: str, since: datetime) -> int:
        self.calls.append(("datetime", since))
        return 2

    def count_recent_epoch(self, customer_id: str, since: float) -> int:
        self.calls.append(("epoch", since))
        return 2


def test_scorer_counts_repeat_contacts_from_epoch_seconds_when_the_history_can() -> None:
    strategy = {"name": "r", "factors": [{"kind": "repeat_contacts", "weight": 10}]}
    history = EpochHistory()
    item = om.Interaction(id="i", channel="chat", customer_id="k", created_at=T0)
    assert PriorityScorer(strategy, history=history)(item, NOW) == 20.0
    assert history.calls == [("epoch", NOW - 7 * 86_400.0)]


def test_sla_factor_gives_the_same_deadline_with_a_subclassed_policy() -> None:
    class Shifted(ServiceLevelPolicy):
        def deadline(self, interaction, traits, submitted_at):  # type: ignore[no-untyped-def]
            due = super().deadline(interaction, traits, submitted_at)
            return None if due is None else due - 600.0

    factor = {"kind": "sla_deadline", "weight": 100, "horizon_minutes": 100_000}
    strategy = {"name": "s", "factors": [factor]}
    item = om.Interaction(id="i", channel="email", created_at=T0)
    plain = PriorityScorer(strategy).explain(item, T0).score
    shifted = PriorityScorer(strategy, sla=Shifted()).explain(item, T0).score
    assert shifted > plain  # the subclass's own deadline is honoured, not bypassed
