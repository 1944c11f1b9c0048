from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

import omnirouter as om


def test_minimal_interaction_defaults() -> None:
    interaction = om.Interaction(id="i-1", channel="email")
    assert interaction.direction is om.Direction.INBOUND
    assert interaction.state is om.InteractionState.NEW
    assert interaction.customer_id is None
    assert interaction.attributes == {}


def test_acceptance_bad_channel_naive_datetime_named() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Interaction.model_validate(
            {"id": "i-1", "channel": "pigeon", "created_at": datetime(2026, 1, 1, 9, 0)}
        )
    error = caught.value
    assert set(error.fields) == {"channel", "created_at"}
    assert "pigeon" in str(error)
    assert "naive datetime" in str(error)
    assert isinstance(error, om.OmnirouterError)


def test_naive_datetime_string_refused() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Interaction.model_validate_json(
            '{"id": "i-1", "channel": "chat", "created_at": "2026-01-01T09:00:00"}'
        )
    assert caught.value.fields == ["created_at"]


def test_aware_datetimes_kept() -> None:
    berlin = timezone(timedelta(hours=1))
    at = datetime(2026, 1, 1, 9, 0, tzinfo=berlin)
    assert om.Interaction(id="i", channel="chat", created_at=at).created_at == at


def test_manual_priority_shorthand_and_audit() -> None:
    assert om.Interaction(id="i", channel="email", manual_priority=3).manual_priority == (
        om.ManualPriority(value=3)
    )
    audited = om.Interaction.model_validate(
        {
            "id": "i",
            "channel": "email",
            "manual_priority": {
                "value": 8,
                "set_by": "anna",
                "set_at": "2026-01-01T09:00:00+01:00",
                "reason": "customer threatens to cancel",
            },
        }
    )
    assert audited.manual_priority is not None
    assert audited.manual_priority.set_by == "anna"
    with pytest.raises(om.ValidationError):
        om.Interaction(id="i", channel="email", manual_priority=True)


def test_unknown_field_refused() -> None:
    with pytest.raises(om.ValidationError) as caught:
        om.Interaction.model_validate({"id": "i", "channel": "email", "chanel": "x"})
    assert caught.value.fields == ["chanel"]


def test_identity_hints_and_handle_without_customer() -> None:
    post = om.Interaction(
        id="p-1", channel="social_public", identity=om.IdentityHints(handle="@Hasei4711")
    )
    assert post.customer_id is None
    assert post.identity.handle == "@Hasei4711"
    with pytest.raises(om.ValidationError) as caught:
        om.Interaction.model_validate({"id": "m", "channel": "email", "identity": {"email": "x"}})
    assert caught.value.fields == ["identity.email"]


def test_assignment_is_validated_and_leaves_object_intact() -> None:
    interaction = om.Interaction(id="i", channel="email")
    with pytest.raises(om.ValidationError):
        interaction.channel = "pigeon"
    assert interaction.channel == "email"
    interaction.state = om.InteractionState.QUEUED
    assert interaction.state is om.InteractionState.QUEUED


def test_terminal_states() -> None:
    assert {s for s in om.InteractionState if s.terminal} == {
        om.InteractionState.COMPLETED,
        om.InteractionState.ABANDONED,
        om.InteractionState.CANCELLED,
        om.InteractionState.TRANSFERRED_OUT,
    }


def test_language_lowercased_and_checked() -> None:
    assert om.Interaction(id="i", channel="chat", language="DE-at").language == "de-at"
    with pytest.raises(om.ValidationError):
        om.Interaction(id="i", channel="chat", language="german!")


def test_bot_handover_carried() -> None:
    interaction = om.Interaction(
        id="i",
        channel="chat",
        handover=om.BotHandover(
            bot="faq-bot", transcript=["Hi", "My card is blocked"], extracted={"card": "1234"}
        ),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    again = om.Interaction.model_validate_json(interaction.model_dump_json())
    assert again == interaction
