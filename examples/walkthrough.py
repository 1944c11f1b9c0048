"""A walk-through of omnirouter's interaction model.

Builds interactions from several channels, validates them (showing what a bad one
looks like), registers a new channel at run time, and prints everything as JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import omnirouter as om


def main() -> None:
    registry = om.ChannelRegistry()
    print(f"omnirouter {om.__version__}: {len(registry)} built-in channels")
    for traits in registry:
        kind = "sync " if traits.synchronous else "async"
        target = traits.service_level_target
        print(
            f"  {traits.name:<20} {kind}  {traits.service_level_goal:>4.0%} within {target}"
            + ("  public" if traits.public else "")
        )

    registry.register(
        om.ChannelTraits(
            name="apple_business_chat_v2",
            synchronous=True,
            family="messenger",
            service_level_target=timedelta(minutes=2),
        )
    )

    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    payloads = [
        {
            "id": "call-1",
            "channel": "voice",
            "customer_id": "c-17",
            "reason": "billing",
            "identity": {"phone": "+49 30 1234567"},
            "created_at": at.isoformat(),
        },
        {
            "id": "mail-1",
            "channel": "email",
            "customer_id": "c-17",
            "reason": "billing",
            "subject": "Rechnung 4711",
            "language": "de",
            "created_at": at.isoformat(),
        },
        {
            "id": "post-1",
            "channel": "social_public",
            "identity": {"handle": "@Hasei4711"},
            "preview": "Seit drei Tagen keine Antwort!",
            "created_at": at.isoformat(),
        },
        {
            "id": "abc-1",
            "channel": "apple_business_chat_v2",
            "customer_id": "c-99",
            "created_at": at.isoformat(),
            "manual_priority": 5,
        },
    ]
    interactions = [registry.validate(om.Interaction, payload) for payload in payloads]

    print("\nValid interactions as JSON:")
    for interaction in interactions:
        print(" ", interaction.model_dump_json(exclude_defaults=True))

    print("\nA bad payload is refused with every problem named:")
    try:
        om.Interaction.model_validate(
            {"id": "bad-1", "channel": "pigeon", "created_at": "2026-11-23T09:30:00"}
        )
    except om.ValidationError as error:
        print(error)

    agent = om.Agent(
        id="anna",
        name="Anna Meier",
        team="billing",
        skills={"billing": 4},
        channel_skills={"voice": {"billing": 2}},
        languages=["de", "en"],
        capacity={"voice": 1, "chat": 4, "email": 5},
        portfolio=["c-17"],
        backup_advisor_id="ben",
    )
    print("\nAn agent:")
    print(json.dumps(agent.model_dump(mode="json", exclude_defaults=True), indent=2))


if __name__ == "__main__":
    main()
