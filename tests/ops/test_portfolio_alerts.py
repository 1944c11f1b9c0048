"""Portfolio notifications (R-MO2) and negative-post alerts (R-MO3)."""

from __future__ import annotations

import pytest
from ops_helpers import Clock

import omnirouter as om
from omnirouter.ops import NegativePostRule, PortfolioNotice, watch_negative_posts


def _router(clock: Clock) -> om.Router:
    router = om.Router(clock=clock)
    router.add_agent(
        om.Agent(id="anna", portfolio=["c1"], backup_advisor_id="ben", capacity={"email": 3})
    )
    router.add_agent(om.Agent(id="ben", portfolio=["c2"], capacity={"email": 3, "voice": 1}))
    router.set_presence("anna", "available")
    router.set_presence("ben", "available")
    return router


def test_advisor_hears_every_channel_of_their_customers_and_backup_while_away() -> None:
    clock = Clock()
    router = _router(clock)
    anna: list[PortfolioNotice] = []
    ben: list[PortfolioNotice] = []
    router.watch_portfolio("anna", anna.append)
    stop_ben = router.watch_portfolio("ben", ben.append)
    router.submit(om.Interaction(id="m1", channel="email", customer_id="c1"))
    router.submit(om.Interaction(id="p1", channel="voice", customer_id="c1"))
    router.submit(om.Interaction(id="x1", channel="email", customer_id="c9"))
    assert {(n.event.interaction_id, n.event.kind) for n in anna} >= {
        ("m1", "queued"),
        ("m1", "assigned"),
        ("p1", "queued"),
        ("p1", "assigned"),
    }
    assert all(n.customer_id == "c1" and not n.as_backup for n in anna)
    assert not ben
    router.set_presence("anna", "away")
    router.complete("m1")
    assert [(n.event.kind, n.as_backup, n.owner_id) for n in ben] == [("completed", True, "anna")]
    assert anna[-1].event.kind == "completed"
    stop_ben()
    router.submit(om.Interaction(id="m2", channel="email", customer_id="c1"))
    assert len(ben) == 1


def test_watching_an_unknown_advisor_is_refused() -> None:
    router = _router(Clock())
    with pytest.raises(om.UnknownAgentError):
        router.watch_portfolio("zoe", print)
    with pytest.raises(om.ValidationError):
        router.watch_portfolio("anna", "not callable")  # type: ignore[arg-type]


def test_negative_public_posts_raise_an_alert_event() -> None:
    clock = Clock()
    router = om.Router(clock=clock)
    alerts: list[om.Event] = []
    stop = watch_negative_posts(router, alerts.append)
    router.submit(
        om.Interaction(
            id="s1",
            channel="social_public",
            customer_id="c1",
            preview="Schon wieder keine Lieferung, ich bin echt verärgert!",
            language="de",
        )
    )
    router.submit(om.Interaction(id="s2", channel="review", preview="Great service, thanks"))
    router.submit(om.Interaction(id="s3", channel="email", preview="This is unacceptable"))
    assert [(a.kind, a.interaction_id, a.channel) for a in alerts] == [
        ("negative_post", "s1", "social_public")
    ]
    assert alerts[0].detail["customer_id"] == "c1"
    assert "verärgert" in alerts[0].detail["excerpt"]
    stop()
    router.submit(om.Interaction(id="s4", channel="review", preview="Terrible, the worst"))
    assert len(alerts) == 1


def test_the_rule_can_name_channels_and_classifier() -> None:
    router = om.Router(clock=Clock())
    alerts: list[om.Event] = []
    rule = NegativePostRule(
        classifier=om.KeywordClassifier({"angry": ["grr"]}), channels=["email"], labels={"angry"}
    )
    watch_negative_posts(router, alerts.append, rule)
    router.submit(om.Interaction(id="e1", channel="email", subject="grr!"))
    router.submit(om.Interaction(id="s1", channel="social_public", preview="grr"))
    assert [a.interaction_id for a in alerts] == ["e1"]
    assert alerts[0].detail["label"] == "angry"
