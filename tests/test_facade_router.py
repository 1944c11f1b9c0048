"""``om.Router`` is the routing core's Router plus the operations conveniences."""

from __future__ import annotations

import omnirouter as om
import omnirouter.routing
import omnirouter.routing.router
from omnirouter import _facade


def test_om_router_is_the_core_router_with_the_conveniences() -> None:
    assert om.Router is _facade.Router
    assert issubclass(om.Router, omnirouter.routing.Router)
    assert omnirouter.routing.Router is omnirouter.routing.router.Router
    for name in ("recover", "stats", "watch_portfolio", "journal"):
        assert hasattr(om.Router, name)
        assert not hasattr(omnirouter.routing.Router, name), name


def test_restore_keeps_the_class_it_was_called_on() -> None:
    router = om.Router()
    assert type(om.Router.restore(router.snapshot())) is om.Router
    core = omnirouter.routing.Router.restore(router.snapshot())
    assert type(core) is omnirouter.routing.Router


def test_the_core_router_routes_on_its_own() -> None:
    router = omnirouter.routing.Router(clock=lambda: 10.0)
    router.add_agent(om.Agent(id="a", capacity={"voice": 1}))
    router.set_presence("a", "available")
    router.submit(om.Interaction(id="i1", channel="voice"))
    assert router.agent_of("i1") == "a"


def test_each_class_documents_its_own_arguments() -> None:
    assert "journal:" in (om.Router.__doc__ or "")
    assert "conveniences" in (om.Router.__doc__ or "")
    assert "journal:" not in (omnirouter.routing.Router.__doc__ or "")
