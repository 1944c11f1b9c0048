from __future__ import annotations

import pytest

import omnirouter as om


def test_capacity_shorthand() -> None:
    agent = om.Agent(id="anna", capacity={"voice": 1, "chat": 4, "email": 5})
    assert agent.capacity == om.CapacityProfile(per_channel={"voice": 1, "chat": 4, "email": 5})


def test_default_capacity_is_empty_profile() -> None:
    assert om.Agent(id="a").capacity == om.CapacityProfile()


def test_budget_profile() -> None:
    profile = om.CapacityProfile(
        budget=100, units={"voice": 100, "chat": 25}, exclusive=["voice"], total=4
    )
    assert profile.units["chat"] == 25
    with pytest.raises(om.ValidationError, match="budget needs units"):
        om.CapacityProfile(budget=100)
    with pytest.raises(om.ValidationError, match="without a budget"):
        om.CapacityProfile(units={"voice": 100})
    with pytest.raises(om.ValidationError) as caught:
        om.CapacityProfile(budget=100, units={"voice": 0})
    assert caught.value.fields == ["units"]


def test_acceptance_proficiency_nine_is_named() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Agent.model_validate(
            {"id": "anna", "skills": {"billing": 9}, "channel_skills": {"email": {"tech": 0}}}
        )
    assert set(caught.value.fields) == {"skills.billing", "channel_skills.email.tech"}


def test_capacity_errors_name_channel() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Agent.model_validate({"id": "a", "capacity": {"voice": -1, "pigeon": 2}})
    fields = caught.value.fields
    assert any(field.startswith("capacity.per_channel") for field in fields)
    assert "pigeon" in str(caught.value)


def test_skill_level_per_channel_override() -> None:
    agent = om.Agent(
        id="anna",
        skills={"billing": 4, "tech": 2},
        channel_skills={"voice": {"billing": 2}, "messenger": {"tech": 5}},
    )
    assert agent.skill_level("billing") == 4
    assert agent.skill_level("billing", "email") == 4
    assert agent.skill_level("billing", "voice") == 2
    assert agent.skill_level("tech", "whatsapp", family="messenger") == 5
    assert agent.skill_level("sales") == 0


def test_agent_cannot_back_up_themselves() -> None:
    with pytest.raises(om.ValidationError, match="own backup"):
        om.Agent(id="anna", backup_advisor_id="anna")


def test_languages_normalised() -> None:
    assert om.Agent(id="a", languages=["DE", "en-GB"]).languages == ["de", "en-gb"]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"per_channel": {"chat": 2**63}}, "per_channel"),
        ({"total": 10**6 + 1}, "total"),
        ({"budget": 2**70, "units": {"chat": 1}}, "budget"),
        ({"budget": 10, "units": {"chat": 10**6 + 1}}, "units"),
    ],
)
def test_capacity_numbers_beyond_a_million_are_refused(fields: dict, where: str) -> None:
    with pytest.raises(om.ValidationError, match=where):
        om.CapacityProfile(**fields)
    assert om.CapacityProfile(per_channel={"chat": 10**6}, total=10**6).total == 10**6
