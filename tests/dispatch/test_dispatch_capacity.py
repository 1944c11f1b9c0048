"""The capacity rule on plain data: one check that says why not, or None."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from omnirouter.dispatch.capacity import Load, Profile

FAMILIES = {"voice": "voice", "chat": "chat", "whatsapp": "messenger", "messenger": "messenger"}


def load(**profile: object) -> Load:
    return Load(Profile(**profile), FAMILIES.get)  # type: ignore[arg-type]


def test_per_channel_caps_and_families() -> None:
    agent = load(per_channel={"chat": 2, "messenger": 1})
    assert agent.reason("chat") is None
    agent.add("chat")
    agent.add("chat")
    assert agent.reason("chat") == "at capacity on chat (2)"
    assert not agent.can_take("chat")
    assert agent.reason("whatsapp") is None  # counted as its family, messenger
    agent.add("whatsapp")
    assert agent.reason("messenger") == "at capacity on messenger (1)"
    agent.remove("chat")
    assert agent.can_take("chat")
    assert agent.occupancy() == 1.0  # messenger is full


def test_total_budget_and_exclusive_channels() -> None:
    agent = load(per_channel={"chat": 3, "voice": 1}, total=2, exclusive=frozenset({"voice"}))
    agent.add("chat")
    assert agent.reason("voice") == "voice is exclusive and the agent holds other work"
    agent.add("chat")
    assert agent.reason("chat") == "at capacity in total (2)"
    budget = load(budget=10, units={"chat": 4, "voice": 10})
    budget.add("chat")
    budget.add("chat")
    assert budget.reason("chat") == "budget 8+4 > 10"
    assert budget.reason("voice") == "budget 8+10 > 10"


def test_what_a_profile_does_not_allow() -> None:
    assert load(per_channel={"chat": 1}).reason("voice") == (
        "channel voice not in the agent's capacity profile"
    )
    assert not load().allows("pigeon")  # an unknown channel
    assert not load(channels=frozenset({"chat"})).allows("voice")
    assert load().allows("voice")  # an empty profile: one item at a time
    with pytest.raises(ValueError, match="not allowed"):
        load(per_channel={"chat": 1}).add("voice")


def test_the_core_imports_no_pydantic_and_nothing_of_the_router() -> None:
    import omnirouter.dispatch as dispatch

    allowed = ("omnirouter.dispatch", "omnirouter.errors")
    for path in sorted(Path(dispatch.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root != "pydantic", path.name
                if root == "omnirouter":
                    assert name.startswith(allowed), (path.name, name)
