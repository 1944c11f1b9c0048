"""Property: every valid model survives a JSON round-trip unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om

CHANNELS = om.ChannelRegistry().names()
ids = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
ids = ids.map(str.strip).filter(bool)
skills = st.from_regex(r"\A[a-z_][a-z0-9_.\-]{0,10}\Z")
aware = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)
json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10)
json_values = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
languages = st.sampled_from(["de", "en", "fr", "de-at", "en-gb"])

interactions = st.builds(
    om.Interaction,
    id=ids,
    channel=st.sampled_from(CHANNELS),
    direction=st.sampled_from(list(om.Direction)),
    customer_id=st.none() | ids,
    identity=st.builds(
        om.IdentityHints,
        email=st.none() | st.just("a.b@example.org"),
        phone=st.none() | st.just("+4930123456"),
        handle=st.none() | ids,
        session_id=st.none() | ids,
    ),
    conversation_id=st.none() | ids,
    parent_id=st.none() | ids,
    reason=st.none() | skills,
    language=st.none() | languages,
    subject=st.none() | st.text(max_size=30).map(str.strip),
    created_at=st.none() | aware,
    scheduled_at=st.none() | aware,
    attributes=st.dictionaries(st.text(max_size=6), json_values, max_size=4),
    manual_priority=st.none()
    | st.builds(om.ManualPriority, value=st.integers(-1000, 1000), set_at=st.none() | aware),
    handover=st.none()
    | st.builds(om.BotHandover, transcript=st.lists(st.text(max_size=10).map(str.strip))),
    state=st.sampled_from(list(om.InteractionState)),
)

proficiency = st.integers(1, 5)
agents = st.builds(
    om.Agent,
    id=ids,
    name=st.text(max_size=12).map(str.strip),
    skills=st.dictionaries(skills, proficiency, max_size=4),
    channel_skills=st.dictionaries(
        st.sampled_from(CHANNELS), st.dictionaries(skills, proficiency, max_size=2), max_size=2
    ),
    languages=st.lists(languages, max_size=3),
    channels=st.none() | st.lists(st.sampled_from(CHANNELS), max_size=3),
    capacity=st.builds(
        om.CapacityProfile,
        per_channel=st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 6), max_size=4),
        total=st.none() | st.integers(1, 10),
    ),
    portfolio=st.lists(ids, max_size=4),
)

contacts = st.builds(
    om.Contact,
    id=ids,
    given_name=st.none() | st.text(min_size=1, max_size=10).map(str.strip),
    family_name=st.none() | st.sampled_from(["Meyer", "Meier", "Müller", "van der Berg"]),
    birth_date=st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)),
    identities=st.builds(
        om.Identities,
        emails=st.lists(st.just("x@example.org"), max_size=2),
        handles=st.lists(st.builds(om.SocialHandle, platform=ids, handle=ids), max_size=2),
        session_ids=st.lists(ids, max_size=2),
    ),
    consent=st.lists(
        st.builds(
            om.ConsentRecord,
            channel=st.sampled_from(CHANNELS),
            status=st.sampled_from(list(om.ConsentStatus)),
            at=aware,
            source=ids,
        ),
        max_size=3,
    ),
    timezone=st.none() | st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"]),
    preferred_channels=st.lists(st.sampled_from(CHANNELS), max_size=3),
)

channel_traits = st.builds(
    om.ChannelTraits,
    name=st.from_regex(r"\A[a-z][a-z0-9_]{0,20}\Z"),
    synchronous=st.booleans(),
    public=st.booleans(),
    interruptible=st.booleans(),
    service_level_target=st.timedeltas(
        min_value=timedelta(milliseconds=1), max_value=timedelta(days=30)
    ),
    service_level_goal=st.floats(0.01, 1.0),
    max_length=st.none() | st.integers(1, 5000),
)


@settings(max_examples=150, deadline=None)
@given(interactions)
def test_interaction_round_trip(interaction: om.Interaction) -> None:
    assert om.Interaction.model_validate_json(interaction.model_dump_json()) == interaction
    assert om.Interaction.model_validate(interaction.model_dump(mode="json")) == interaction


@settings(max_examples=100, deadline=None)
@given(agents)
def test_agent_round_trip(agent: om.Agent) -> None:
    assert om.Agent.model_validate_json(agent.model_dump_json()) == agent


@settings(max_examples=100, deadline=None)
@given(contacts)
def test_contact_round_trip(contact: om.Contact) -> None:
    assert om.Contact.model_validate_json(contact.model_dump_json()) == contact


@settings(max_examples=100, deadline=None)
@given(channel_traits)
def test_channel_traits_round_trip(traits: om.ChannelTraits) -> None:
    again = om.ChannelTraits.model_validate_json(traits.model_dump_json())
    assert again.model_dump() == traits.model_dump()
