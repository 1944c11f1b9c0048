"""InteractionTemplate: trusted copies equal pydantic's own copies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.model import InteractionTemplate

TEMPLATES = [
    om.Interaction(id="t", channel="voice"),
    om.Interaction(
        id="t",
        channel="email",
        reason="billing",
        language="DE",
        attributes={"tier": "gold"},
        manual_priority=2,
        customer_id="someone",
    ),
]


@given(
    template=st.sampled_from(TEMPLATES),
    interaction_id=st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True),
    channel=st.sampled_from(["voice", "chat", "whatsapp"]),
    customer_id=st.none() | st.just("k1"),
)
def test_a_made_copy_is_the_models_own_copy(
    template: om.Interaction, interaction_id: str, channel: str, customer_id: str | None
) -> None:
    made = InteractionTemplate(template).make(interaction_id, channel, customer_id)
    expected = template.model_copy(
        update={"id": interaction_id, "channel": channel, "customer_id": customer_id}
    )
    assert made == expected
    assert made.model_fields_set == expected.model_fields_set | {"customer_id"}
    assert made.model_dump() == expected.model_dump()
    assert type(made) is om.Interaction


def test_copies_do_not_share_what_they_may_change() -> None:
    maker = InteractionTemplate(TEMPLATES[1])
    first, second = maker.make("a", "voice"), maker.make("b", "chat", "k")
    assert (first.id, first.channel, first.customer_id) == ("a", "voice", None)
    assert (second.id, second.channel, second.customer_id) == ("b", "chat", "k")
    assert TEMPLATES[1].id == "t"
    assert first.model_fields_set is not second.model_fields_set


def test_only_an_interaction_is_a_template() -> None:
    with pytest.raises(TypeError):
        InteractionTemplate({"id": "t", "channel": "voice"})  # type: ignore[arg-type]
