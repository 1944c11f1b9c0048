"""Unit tests of the expression language: operators, paths, semantics and the Expression API."""

from __future__ import annotations

import pickle
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Any

import attrs
import pytest

import omnirouter as om
from omnirouter.routing.expressions import Expression, compile_expression


def ev(text: str, env: Any = None, **functions: Any) -> Any:
    return compile_expression(text, functions=functions).evaluate(env)


def ok(text: str, env: Any = None, **functions: Any) -> bool:
    return compile_expression(text, functions=functions).matches(env)


# --------------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("0", 0),
        ("007", 7),
        ("3.25", 3.25),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
        ("true", True),
        ("TRUE", True),
        ("False", False),
        ("null", None),
        ("NULL", None),
        ('"chat"', "chat"),
        ("'chat'", "chat"),
        ('"it\'s"', "it's"),
        (r"'it\'s'", "it's"),
        (r'"a\"b"', 'a"b'),
        (r'"tab\there"', "tab\there"),
        (r'"line\nbreak"', "line\nbreak"),
        (r'"back\\slash"', "back\\slash"),
        (r'"\u00fcber"', "über"),
        ('""', ""),
        ("[]", ()),
        ('[1, "a", null, true]', (1, "a", None, True)),
        ("[1, 2,]", (1, 2)),
        ("[[1], [2, 3]]", ((1,), (2, 3))),
    ],
)
def test_literals(text: str, value: Any) -> None:
    result = ev(text)
    assert result == value
    assert type(result) is type(value)


def test_list_literal_with_paths_is_a_fresh_tuple() -> None:
    assert ev("[a, b + 1]", {"a": "x", "b": 1}) == ("x", 2)


# --------------------------------------------------------------------------- paths


@dataclass
class Customer:
    tier: str = "gold"
    tags: list[str] = field(default_factory=lambda: ["vip", "b2b"])


@attrs.frozen
class Visitor:
    page: str
    seconds: float


class Raising:
    @property
    def broken(self) -> str:
        raise RuntimeError("no")

    def __bool__(self) -> bool:
        raise RuntimeError("no truth")


def test_paths_read_mappings_objects_attrs_and_pydantic() -> None:
    env = {
        "customer": Customer(),
        "visitor": Visitor(page="/loan", seconds=130.0),
        "interaction": om.Interaction(id="i1", channel="chat", reason="billing"),
        "agent": om.Agent(id="a1", skills={"billing": 4}, languages=["de"]),
        "proxy": MappingProxyType({"x": 1}),
        "ordered": OrderedDict(y=2),
    }
    assert ev("customer.tier", env) == "gold"
    assert ev("customer.tags.1", env) == "b2b"
    assert ev("visitor.seconds", env) == 130.0
    assert ev("interaction.reason", env) == "billing"
    assert ev("interaction.channel", env) == "chat"
    assert ev("agent.skills.billing", env) == 4
    assert ev("agent.languages.0", env) == "de"
    assert ev("proxy.x", env) == 1
    assert ev("ordered.y", env) == 2


@pytest.mark.parametrize(
    "text",
    [
        "missing",
        "customer.missing",
        "customer.tier.deeper.still",
        "customer.tags.9",
        "customer.tags.x",
        "nothing.at.all",
        "broken.broken",
        "customer.__class__",
        "customer._private",
        "customer.tier.0",
    ],
)
def test_missing_paths_are_null(text: str) -> None:
    env = {"customer": Customer(), "nothing": None, "broken": Raising()}
    assert ev(text, env) is None


def test_private_names_are_read_from_mappings_only() -> None:
    assert ev("_id", {"_id": 7}) == 7
    assert ev("a._id", {"a": {"_id": 7}}) == 7


def test_subscripts_reach_keys_that_are_not_names() -> None:
    env = {"skills": {"billing-de": 5, "tier.1": 2}, "tags": ["a", "b"]}
    assert ok('skills["billing-de"] >= 4', env)
    assert ev("skills['tier.1']", env) == 2
    assert ev("tags[1]", env) == "b"
    assert ev("tags[ 0 ].x", {"tags": [{"x": 3}]}) == 3
    expression = compile_expression('skills["tier.1"] > 1')
    assert expression.path_segments == frozenset({("skills", "tier.1")})


def test_the_environment_itself_may_be_any_object() -> None:
    assert ev("tier", Customer()) == "gold"
    assert ev("page", Visitor(page="/", seconds=1)) == "/"
    assert ev("anything", None) is None
    assert ev("anything", 42) is None


def test_path_steps_remember_types_without_mixing_them() -> None:
    expression = compile_expression("a.b")
    assert expression.evaluate({"a": {"b": 1}}) == 1
    assert expression.evaluate({"a": MappingProxyType({"b": 2})}) == 2
    assert expression.evaluate({"a": Customer()}) is None
    assert expression.evaluate({"a": MappingProxyType({"b": 3})}) == 3


# --------------------------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 == 1", True),
        ("1 == 1.0", True),
        ("1 != 1.0", False),
        ('"a" == "a"', True),
        ('"a" == "A"', False),
        ("null == null", True),
        ("null == 0", False),
        ("null != 0", True),
        ("true == 1", False),
        ("false == 0", False),
        ("true == true", True),
        ("[1, 2] == [1, 2.0]", True),
        ("[1, 2] == [1, 2, 3]", False),
        ("[true] == [1]", False),
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 2.5", True),
        ("2 >= 3", False),
        ('"abc" < "abd"', True),
        ('"b" >= "a"', True),
        ('1 < "2"', False),
        ('"1" > 0', False),
        ("null < 1", False),
        ("null >= null", False),
        ("1 > null", False),
        ("true > false", False),
        ("[1] < [2]", True),
    ],
)
def test_comparisons_of_literals(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize("operator", ["==", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize(
    ("left", "right"),
    [
        (1, 2),
        (2, 2),
        (2.5, 2),
        ("a", "b"),
        ("b", "b"),
        (None, 1),
        ("1", 1),
        (True, 1),
        (None, None),
    ],
)
def test_path_against_literal_agrees_with_literal_against_literal(
    operator: str, left: Any, right: Any
) -> None:
    def literal(value: Any) -> str:
        return "null" if value is None else ("true" if value is True else repr(value))

    folded = ev(f"{literal(left)} {operator} {literal(right)}")
    via_path = ev(f"x {operator} {literal(right)}", {"x": left})
    via_both_paths = ev(f"x {operator} y", {"x": left, "y": right})
    swapped = ev(f"{literal(left)} {operator} y", {"y": right})
    assert folded is via_path is via_both_paths is swapped


def test_string_enums_compare_as_their_value() -> None:
    class Tier(StrEnum):
        GOLD = "gold"

    class Level(IntEnum):
        HIGH = 3

    assert ok('tier == "gold"', {"tier": Tier.GOLD})
    assert ok('tier IN ["gold", "silver"]', {"tier": Tier.GOLD})
    assert ok("level >= 3", {"level": Level.HIGH})
    assert ok("level + 1 == 4", {"level": Level.HIGH})
    assert ok('direction == "inbound"', om.Interaction(id="i", channel="email"))


def test_host_values_of_one_type_are_ordered() -> None:
    early = datetime(2024, 1, 1, tzinfo=UTC)
    late = datetime(2024, 6, 1, tzinfo=UTC)
    assert ok("a < b", {"a": early, "b": late})
    assert not ok("a > b", {"a": early, "b": late})
    naive = datetime(2024, 1, 1)
    assert not ok("a < b", {"a": naive, "b": late})  # Python refuses: so do we, quietly


def test_nan_is_never_equal_or_ordered() -> None:
    env = {"x": float("nan")}
    assert not ok("x == x", env)
    assert not ok("x < 1", env)
    assert not ok("x >= 1", env)


def test_comparing_objects_with_hostile_eq_is_false() -> None:
    class Hostile:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no")

        __hash__ = object.__hash__

        def __lt__(self, other: object) -> bool:
            raise RuntimeError("no")

    env = {"a": Hostile(), "b": Hostile()}
    assert not ok("a == b", env)
    assert ok("a != b", env)
    assert not ok("a < b", env)
    assert not ok('a == "x"', env)


def test_self_containing_lists_do_not_crash() -> None:
    loop: list[Any] = []
    loop.append(loop)
    other: list[Any] = []
    other.append(other)
    assert ev("a == b", {"a": loop, "b": other}) in (True, False)


# --------------------------------------------------------------------------- IN and HAS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"loan" IN ["loan", "mortgage"]', True),
        ('"car" IN ["loan", "mortgage"]', False),
        ('"car" NOT IN ["loan", "mortgage"]', True),
        ("1 IN [1.0, 2]", True),
        ("true IN [1]", False),
        ("1 IN [true]", False),
        ("null IN [null]", True),
        ("null IN [1]", False),
        ("[1] IN [[1], [2]]", True),
        ('"ill" IN "billing"', True),
        ('"billing" HAS "ill"', True),
        ('"billing" NOT HAS "x"', True),
        ('1 IN "123"', False),
        ("[1, 2] HAS 2", True),
        ("[1, 2] HAS 3", False),
        ("1 IN 1", False),
        ("1 IN null", False),
        ("null HAS 1", False),
        ("1 NOT IN null", True),
    ],
)
def test_membership_of_literals(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_membership_in_host_containers() -> None:
    env = {
        "languages": ["de", "en"],
        "tags": {"vip", "b2b"},
        "frozen": frozenset({1, 2}),
        "attributes": {"tier": "gold"},
        "pair": ("x", 3),
        "language": "de",
        "number": 5,
    }
    assert ok('languages HAS "de"', env)
    assert ok("languages HAS language", env)
    assert ok('"en" IN languages', env)
    assert ok('tags HAS "vip"', env)
    assert ok("frozen HAS 2", env)
    assert ok('attributes HAS "tier"', env)
    assert not ok('attributes HAS "gold"', env)  # keys, not values
    assert ok("pair HAS 3", env)
    assert not ok("tags HAS [1]", env)  # unhashable item: simply not there
    assert not ok("number HAS 5", env)
    assert not ok('missing HAS "de"', env)
    assert ok('language IN ["de", "fr"]', env)
    assert not ok('number IN ["5"]', env)
    assert ok("number IN [5, 6]", env)


def test_membership_with_paths_in_list_literals() -> None:
    env = {"product": "loan", "a": "loan", "b": "car"}
    assert ok("product IN [a, b]", env)
    assert not ok("product NOT IN [a, b]", env)


# --------------------------------------------------------------------------- logic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true AND true", True),
        ("true AND false", False),
        ("false OR true", True),
        ("false OR false", False),
        ("NOT true", False),
        ("NOT null", True),
        ("NOT NOT 1", True),
        ("not 0", True),
        ("1 and 2", True),
        ("true Or false", True),
        ("true OR true AND false", True),  # AND binds tighter
        ("(true OR true) AND false", False),
        ("NOT false AND false", False),  # NOT binds tighter than AND
        ("NOT 1 == 2", True),  # ... and looser than comparisons
        ("true AND true AND true AND false", False),
        ("false OR false OR false OR true", True),
        ('"" OR []', False),
        ('"x" AND [0]', True),
    ],
)
def test_logic(text: str, expected: bool) -> None:
    assert ev(text) is expected


def test_and_or_short_circuit_left_to_right() -> None:
    calls: list[str] = []

    def note(name: str) -> bool:
        calls.append(name)
        return name == "yes"

    assert not ok('note("no") AND note("never")', note=note)
    assert ok('note("yes") OR note("never")', note=note)
    assert ok('note("no") OR note("no") OR note("yes") OR note("never")', note=note)
    assert calls == ["no", "yes", "no", "no", "yes"]


def test_truthiness_of_host_values() -> None:
    assert ok("x", {"x": [1]})
    assert not ok("x", {"x": []})
    assert not ok("x", {"x": Raising()})
    assert not ok("x", {})
    assert ok("NOT x", {"x": Raising()})


# --------------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 4 - 3", 3),
        ("12 / 4 / 3", 1.0),
        ("7 / 2", 3.5),
        ("2 * 3 / 4", 1.5),
        ("-3", -3),
        ("--3", 3),
        ("-(1 + 2)", -3),
        ("-2 * 3", -6),
        ("2 * -3", -6),
        ("1 - -1", 2),
        ("0.5 + 1", 1.5),
        ("1 / 0", None),
        ("1.5 / 0.0", None),
        ("null + 1", None),
        ('"a" + "b"', None),
        ("true + 1", None),
        ("-null", None),
        ('-"x"', None),
        ("[1] * 2", None),
        ("1e308 * 10", float("inf")),
    ],
)
def test_arithmetic(text: str, value: Any) -> None:
    assert ev(text) == value


def test_arithmetic_overflow_is_null() -> None:
    huge = 10**400
    assert ev("a / 3", {"a": huge}) is None
    assert ev("a + 0.5", {"a": huge}) is None
    assert ev("a * 2", {"a": huge}) == huge * 2


def test_arithmetic_on_paths_and_comparisons() -> None:
    env = {"waiting": {"voice": 4, "chat": 1}, "agents": 2}
    assert ok("waiting.voice > 3", env)
    assert ok("waiting.voice + waiting.chat >= 5", env)
    assert ok("waiting.voice / agents == 2", env)
    assert ok("waiting.voice - waiting.chat * 2 == 2", env)
    assert not ok("waiting.video > 0", env)
    assert ev("waiting.video * 2", env) is None


def test_long_flat_chains_do_not_nest() -> None:
    text = "+".join(["x"] * 4000)
    assert ev(text, {"x": 1}) == 4000
    text = " OR ".join([f"x=={i}" for i in range(1000)])
    assert ok(text, {"x": 999})
    assert not ok(text, {"x": -1})


# --------------------------------------------------------------------------- functions


def test_function_calls_receive_evaluated_arguments() -> None:
    seen: list[tuple[Any, ...]] = []

    def available(channel: str, target: str = "", minimum: int = 0) -> int:
        seen.append((channel, target, minimum))
        return 3

    expression = compile_expression(
        'available(channel, target="skills.sales >= 1", minimum=1 + 1) > 0',
        functions={"available": available},
    )
    assert expression.matches({"channel": "chat"})
    assert seen == [("chat", "skills.sales >= 1", 2)]
    assert expression.calls == frozenset({"available"})
    assert expression.paths == frozenset({"channel"})


def test_function_calls_of_every_arity() -> None:
    functions = {
        "zero": lambda: 0,
        "one": lambda a: a,
        "two": lambda a, b: a + b,
        "total": lambda *values: sum(values),
    }
    assert ev("zero()", **functions) == 0
    assert ev("one(x)", {"x": 5}, **functions) == 5
    assert ev("two(1, 2)", **functions) == 3
    assert ev("total(1, 2, 3, 4,)", **functions) == 10
    assert ev("one([1, x])", {"x": 2}, **functions) == (1, 2)


def test_function_calls_are_evaluated_every_time() -> None:
    counter = iter(range(100))
    expression = compile_expression("tick() >= 2", functions={"tick": lambda: next(counter)})
    assert [expression.matches(None) for _ in range(4)] == [False, False, True, True]


def test_exceptions_of_host_functions_propagate() -> None:
    def fails() -> None:
        raise LookupError("host says no")

    expression = compile_expression("fails() == 1", functions={"fails": fails})
    with pytest.raises(LookupError, match="host says no"):
        expression.matches({})


# --------------------------------------------------------------------------- Expression API


def test_blank_text_is_always_true() -> None:
    for text in ("", "   ", "\n\t "):
        expression = compile_expression(text)
        assert expression.matches(None) is True
        assert expression.evaluate({"anything": 1}) is True
        assert expression.paths == frozenset()
        assert expression.roots == frozenset()


def test_paths_and_roots() -> None:
    expression = compile_expression(
        "languages HAS interaction.language AND skills.billing >= 3 AND f(queue.size)",
        functions={"f": len},
    )
    assert expression.paths == frozenset(
        {"languages", "interaction.language", "skills.billing", "queue.size"}
    )
    assert expression.roots == frozenset({"languages", "interaction", "skills", "queue"})
    assert "interaction" in expression.roots
    assert compile_expression("1 + 2 == 3").paths == frozenset()


def test_matches_returns_real_booleans() -> None:
    env = {"x": [1], "n": 0, "s": "text"}
    for text in ("x", "n", "s", "missing", "n + 1", "[1]", "1 == 1", "x AND s", "NOT n"):
        assert type(compile_expression(text).matches(env)) is bool


def test_expressions_are_immutable_hashable_and_picklable() -> None:
    expression = compile_expression('reason == "billing"')
    with pytest.raises(AttributeError):
        expression.source = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del expression.paths
    same = compile_expression('reason == "billing"')
    assert expression == same
    assert hash(expression) == hash(same)
    assert len({expression, same}) == 1
    assert expression != compile_expression('reason == "loan"')
    clone = pickle.loads(pickle.dumps(expression))
    assert clone == expression
    assert clone.matches({"reason": "billing"})
    assert Expression(expression.source) == expression
    assert repr(expression) == "Expression('reason == \"billing\"')"


def test_expressions_with_functions_pickle_when_the_functions_do() -> None:
    expression = compile_expression("len(tags) > 1", functions={"len": len})
    clone = pickle.loads(pickle.dumps(expression))
    assert clone.matches({"tags": ["a", "b"]})
    assert clone == expression
    assert expression != compile_expression("len(tags) > 1", functions={"len": max})


def test_the_function_table_is_copied_at_compile_time() -> None:
    table: dict[str, Any] = {"f": lambda: 1}
    expression = compile_expression("f()", functions=table)
    table["f"] = lambda: 2
    assert expression.evaluate(None) == 1
    with pytest.raises(TypeError):
        expression.functions["g"] = len  # type: ignore[index]


def test_facade_exports() -> None:
    assert om.compile_expression is compile_expression
    assert om.Expression is Expression
    assert om.ExpressionError.__module__ == "omnirouter.errors"
