from __future__ import annotations

from datetime import timedelta

import pytest

import omnirouter as om

BUILTIN = {
    "voice", "callback", "video", "chat", "messenger", "whatsapp", "facebook_messenger",
    "telegram", "apple_business_chat", "rcs", "sms", "email", "web_form", "letter", "fax",
    "social_public", "social_private", "review", "business_event",
}  # fmt: skip


def test_registry_holds_every_builtin_channel() -> None:
    assert set(om.ChannelRegistry().names()) == BUILTIN


def test_messenger_family_members() -> None:
    registry = om.ChannelRegistry()
    assert set(registry.members("messenger")) == {
        "messenger", "whatsapp", "facebook_messenger", "telegram", "apple_business_chat", "rcs",
    }  # fmt: skip
    assert registry.family_of("whatsapp") == "messenger"
    assert registry.family_of("email") == "email"


@pytest.mark.parametrize(
    ("name", "synchronous", "public", "interruptible"),
    [
        ("voice", True, False, False),
        ("chat", True, False, False),
        ("email", False, False, True),
        ("fax", False, False, True),
        ("social_public", False, True, False),
        ("review", False, True, False),
    ],
)
def test_builtin_traits(name: str, synchronous: bool, public: bool, interruptible: bool) -> None:
    traits = om.ChannelRegistry()[name]
    assert (traits.synchronous, traits.public, traits.interruptible) == (
        synchronous,
        public,
        interruptible,
    )


def test_seed_service_levels_are_the_defaults() -> None:
    registry = om.ChannelRegistry()
    assert registry["email"].service_level_target == timedelta(hours=24)
    assert registry["email"].service_level_goal == pytest.approx(0.8)
    assert registry["whatsapp"].service_level_target == timedelta(hours=1)
    assert registry["whatsapp"].service_level_goal == pytest.approx(0.64)
    assert registry["social_public"].service_level_target == timedelta(minutes=60)
    assert registry["sms"].max_length == 160


def test_unknown_channel_lists_known_ones() -> None:
    with pytest.raises(om.UnknownChannelError) as caught:
        om.ChannelRegistry()["pigeon"]
    message = str(caught.value)
    assert "pigeon" in message
    assert "email" in message
    assert "voice" in message
    assert isinstance(caught.value, om.OmnirouterError)


def test_registered_channel_is_usable_at_once() -> None:
    registry = om.ChannelRegistry()
    traits = om.ChannelTraits(
        name="apple_business_chat_v2",
        synchronous=True,
        service_level_target=timedelta(minutes=2),
        family="messenger",
    )
    registry.register(traits)
    assert registry["apple_business_chat_v2"] is traits
    interaction = registry.validate(
        om.Interaction, {"id": "i-1", "channel": "apple_business_chat_v2"}
    )
    assert interaction.channel == "apple_business_chat_v2"
    agent = registry.validate(om.Agent, {"id": "a", "capacity": {"apple_business_chat_v2": 3}})
    assert agent.capacity.per_channel == {"apple_business_chat_v2": 3}


def test_registered_channel_is_unknown_to_other_registries() -> None:
    mine, other = om.ChannelRegistry(), om.ChannelRegistry()
    mine.register(om.ChannelTraits(name="pager", synchronous=False, service_level_target=60))
    with pytest.raises(om.ValidationError) as caught:
        other.validate(om.Interaction, {"id": "i", "channel": "pager"})
    assert caught.value.fields == ["channel"]


def test_register_refuses_duplicates_and_unknown_family() -> None:
    registry = om.ChannelRegistry()
    before = registry.names()
    with pytest.raises(om.ValidationError, match="already registered"):
        registry.register(om.ChannelTraits(name="email", synchronous=True, service_level_target=10))
    with pytest.raises(om.ValidationError, match="family"):
        registry.register(
            om.ChannelTraits(name="x", synchronous=True, service_level_target=10, family="nope")
        )
    assert registry.names() == before
    assert registry["email"].synchronous is False


def test_replace_swaps_traits() -> None:
    registry = om.ChannelRegistry()
    faster = om.ChannelTraits(
        name="email", synchronous=False, service_level_target=timedelta(hours=4)
    )
    registry.register(faster, replace=True)
    assert registry["email"].service_level_target == timedelta(hours=4)


def test_traits_validation_names_each_bad_field() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.ChannelTraits.model_validate(
            {"name": "Bad Name", "synchronous": "maybe", "service_level_target": -5,
             "service_level_goal": 1.5, "max_length": 0}
        )  # fmt: skip
    assert set(caught.value.fields) == {
        "name", "synchronous", "service_level_target", "service_level_goal", "max_length",
    }  # fmt: skip


def test_traits_are_immutable_and_labelled() -> None:
    traits = om.ChannelRegistry()["sms"]
    assert traits.label == "SMS"
    assert om.ChannelTraits(name="web_radar", synchronous=True, service_level_target=5).label == (
        "Web Radar"
    )
    with pytest.raises(om.ValidationError):
        traits.max_length = 200


def test_registry_json_round_trip() -> None:
    registry = om.ChannelRegistry()
    registry.register(om.ChannelTraits(name="pager", synchronous=False, service_level_target=90))
    again = om.ChannelRegistry.from_json(registry.to_json())
    assert list(again) == list(registry)


def test_register_rejects_non_traits() -> None:
    with pytest.raises(TypeError):
        om.ChannelRegistry().register({"name": "x"})  # type: ignore[arg-type]
