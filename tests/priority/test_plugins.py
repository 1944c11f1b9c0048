"""The ready plug-ins: keyword classifier, in-memory contact history, agent portfolios."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.priority import (
    AgentPortfolios,
    ContactHistory,
    KeywordClassifier,
    PortfolioLookup,
    RecentContacts,
    TextClassifier,
)


def test_keyword_classifier_matches_word_starts_per_language() -> None:
    sentiment = KeywordClassifier.negative_sentiment()
    assert sentiment.classify("Eine ENTTÄUSCHUNG!", "de") == "negative"
    assert sentiment.classify("Eine Enttäuschung", "de-AT") == "negative"
    assert sentiment.classify("unenttäuscht", "de") is None  # not at a word start
    assert sentiment.classify("I am angry", "de") is None  # German list only
    assert sentiment.classify("I am angry", None) == "negative"  # unknown: every list
    assert sentiment.classify("I am angry", "fr") == "negative"
    assert sentiment.classify("", "en") is None
    assert sentiment.classify("Das war nie wieder gut", "de") == "negative"


def test_first_label_wins_and_shared_lists_apply_everywhere() -> None:
    reasons = KeywordClassifier(
        {"cancellation": {"de": ["kündig"], "*": ["cancel"]}, "billing": ["rechnung", "invoice"]}
    )
    assert reasons.classify("Rechnung und Kündigung", "de") == "cancellation"
    assert reasons.classify("please cancel", "de") == "cancellation"
    assert reasons.classify("Invoice 4711", "en") == "billing"
    with pytest.raises(om.ValidationError):
        KeywordClassifier({"billing": "rechnung"})  # type: ignore[dict-item]


def test_the_ready_plugins_satisfy_the_protocols() -> None:
    assert isinstance(KeywordClassifier({}), TextClassifier)
    assert isinstance(RecentContacts(), ContactHistory)
    assert isinstance(AgentPortfolios([]), PortfolioLookup)


def test_portfolios_first_listing_agent_wins() -> None:
    portfolios = AgentPortfolios(
        [om.Agent(id="anna", portfolio=["k-1"]), om.Agent(id="ben", portfolio=["k-1", "k-2"])]
    )
    assert portfolios.advisor_of("k-1") == "anna"
    assert portfolios.advisor_of("k-2") == "ben"
    assert portfolios.advisor_of("k-3") is None


def test_recent_contacts_refuses_naive_datetimes() -> None:
    with pytest.raises(om.ValidationError, match="naive"):
        RecentContacts().add("k", datetime(2024, 1, 1))


@settings(max_examples=80, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 60 * 24 * 30), max_size=40),
    window=st.integers(0, 60 * 24 * 30),
)
def test_recent_contacts_counts_like_a_filter(offsets: list[int], window: int) -> None:
    base = datetime(2024, 5, 1, tzinfo=UTC)
    history = RecentContacts(("k", base + timedelta(minutes=m)) for m in offsets)
    since = base + timedelta(minutes=window)
    assert history.count_recent("k", since) == sum(1 for m in offsets if m >= window)
    assert history.count_recent("nobody", since) == 0
