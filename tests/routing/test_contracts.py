"""Rules of the house the code itself must keep, read from the source (AST):

- nothing outside the routing core touches a router's private attributes;
- ``omnirouter.routing`` never imports ``omnirouter.ops`` (dependencies point down).

Each rule keeps a list of the known exceptions still to be removed; the list may only
shrink: an exception that no longer occurs fails the test until it is struck off.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import omnirouter as om

SRC = Path(om.__file__).resolve().parent
ROUTING = SRC / "routing"


def _python_files(root: Path) -> Iterator[Path]:
    yield from sorted(root.rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _router_private_names() -> frozenset[str]:
    router = om.Router()
    names = {name for name in vars(router) if name.startswith("_") and not name.startswith("__")}
    for cls in type(router).__mro__:
        names.update(
            name for name in vars(cls) if name.startswith("_") and not name.startswith("__")
        )
    return frozenset(names)


def _reach_ins() -> set[tuple[str, str]]:
    """(file, attribute) of every ``x._name`` outside routing/ where ``_name`` is one of
    the router's private attributes and ``x`` is not ``self``/``cls``."""
    private = _router_private_names()
    found: set[tuple[str, str]] = set()
    for path in _python_files(SRC):
        if path.is_relative_to(ROUTING):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in private
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                found.add((_relative(path), node.attr))
    return found


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


#: Reach-ins still to be removed (may only shrink).
KNOWN_REACH_INS: set[tuple[str, str]] = set()

#: routing/ modules that still import ops (may only shrink).
KNOWN_OPS_IMPORTS: set[tuple[str, str]] = set()


def test_the_rules_hold_without_exceptions() -> None:
    """Both lists have shrunk to nothing: keep them so."""
    assert set() == KNOWN_REACH_INS
    assert set() == KNOWN_OPS_IMPORTS


def test_the_private_names_are_found() -> None:
    """The rule below is only as good as this list: it must know the router's state."""
    assert {"_work", "_agents", "_lock", "_clock", "_emit"} <= _router_private_names()


def test_nothing_outside_routing_reaches_into_a_router() -> None:
    found = _reach_ins()
    assert found - KNOWN_REACH_INS == set(), "new reach-ins into a router's private state"
    assert KNOWN_REACH_INS - found == set(), "strike these off KNOWN_REACH_INS: they are gone"


def test_routing_never_imports_ops() -> None:
    found = {
        (_relative(path), module)
        for path in _python_files(ROUTING)
        for module in _imports(path)
        if module == "omnirouter.ops" or module.startswith("omnirouter.ops.")
    }
    assert found - KNOWN_OPS_IMPORTS == set(), "routing/ must not import ops/"
    assert KNOWN_OPS_IMPORTS - found == set(), "strike these off KNOWN_OPS_IMPORTS: they are gone"


def _state_writers() -> set[str]:
    """Files that assign ``<something>.state = ...`` other than ``self.state``."""
    found: set[str] = set()
    for path in _python_files(SRC):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign | ast.AugAssign):
                targets = [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "state"
                    and not (isinstance(target.value, ast.Name) and target.value.id == "self")
                ):
                    found.add(_relative(path))
    return found


def test_only_the_transition_table_writes_an_interactions_state() -> None:
    assert _state_writers() == {"dispatch/states.py"}


def _tuple_builds() -> set[str]:
    """Files that build a tuple subclass through ``tuple.__new__`` (an Event without its
    arity checked)."""
    found = set()
    for path in _python_files(SRC):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "__new__"
                and isinstance(node.value, ast.Name)
                and node.value.id == "tuple"
            ):
                found.add(_relative(path))
    return found


def test_events_are_built_in_one_place() -> None:
    assert _tuple_builds() == {"routing/events.py"}


def test_only_the_model_touches_pydantic_internals() -> None:
    """Trusted copies are built by the model (InteractionTemplate), nowhere else."""
    found = set()
    for path in _python_files(SRC):
        if "__pydantic_" in path.read_text(encoding="utf-8"):
            found.add(_relative(path).split("/")[0])
    assert found <= {"model"}
