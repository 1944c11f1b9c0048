"""Property tests of the expression language.

* Fuzz: any text compiles or raises ``ExpressionError``, nothing else; whatever compiles
  evaluates on any environment without raising.
* Well-formed expressions are generated as small trees, rendered with the fewest
  parentheses the documented precedence allows, compiled, and checked against a
  reference interpreter of the tree: this pins down precedence, associativity,
  constant folding and the specialised fast paths at once.
* Equivalences (De Morgan, IN/HAS duality, mirrored comparisons) on random environments.
* A state machine feeds one compiled path environments of changing types, since each
  path step remembers how to read each type it has met.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import MappingProxyType, SimpleNamespace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import omnirouter as om
from omnirouter.routing import _expr_runtime as rt
from omnirouter.routing.expressions import Expression, compile_expression

FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ("a", "b", "c", "d", "n", "s", "l")

# ------------------------------------------------------------------------------- values

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "de", "en", "billing", "gold", "a", "b"]),
    st.text(max_size=4),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(NAMES), inner, max_size=4),
        st.frozensets(st.one_of(st.integers(-3, 3), st.sampled_from(["de", "a"])), max_size=3),
    ),
    max_leaves=8,
)
environments = st.dictionaries(st.sampled_from(NAMES), values, max_size=len(NAMES))

# ------------------------------------------------------------------------------- trees

Tree = tuple[Any, ...]

finite_numbers = st.one_of(
    st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False, width=32)
)
literals = st.one_of(
    st.none(),
    st.booleans(),
    finite_numbers,
    st.sampled_from(["de", "en", "billing", "gold", "", "a"]),
    st.text(max_size=5),
).map(lambda value: ("lit", value))
paths = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map(
    lambda segments: ("path", tuple(segments))
)
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "HAS", "NOT HAS")


def _extend(inner: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.just("not"), inner),
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("and"), st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.tuples(st.just("or"), st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.tuples(st.just("cmp"), st.sampled_from(COMPARISONS), inner, inner),
        st.tuples(st.just("arith"), st.sampled_from("+-*/"), inner, inner),
        st.tuples(st.just("list"), st.lists(inner, max_size=3).map(tuple)),
    )


trees = st.recursive(st.one_of(literals, paths), _extend, max_leaves=10)

# Binding power of the construct at the top of a tree (higher binds tighter).
_POWER = {"or": 1, "and": 2, "not": 3, "cmp": 4, "neg": 7, "lit": 9, "path": 9, "list": 9}
_ARITH_POWER = {"+": 5, "-": 5, "*": 6, "/": 6}


def power(tree: Tree) -> int:
    if tree[0] == "arith":
        return _ARITH_POWER[tree[1]]
    return _POWER[tree[0]]


def render_literal(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def render(tree: Tree) -> str:
    """Source text with only the parentheses that the precedence rules need."""
    kind = tree[0]

    def operand(sub: Tree, floor: int) -> str:
        text = render(sub)
        return text if power(sub) >= floor else f"({text})"

    if kind == "lit":
        # A negative number renders as "-3", a unary minus, which binds tighter than any
        # binary operator: it never needs parentheses.
        return render_literal(tree[1])
    if kind == "path":
        return ".".join(tree[1])
    if kind == "not":
        return "NOT " + operand(tree[1], 3)
    if kind == "neg":
        return "-" + operand(tree[1], 7)
    if kind in ("and", "or"):
        floor = _POWER[kind] + 1
        return f" {kind.upper()} ".join(operand(sub, floor) for sub in tree[1])
    if kind == "cmp":
        return f"{operand(tree[2], 5)} {tree[1]} {operand(tree[3], 5)}"
    if kind == "arith":
        mine = _ARITH_POWER[tree[1]]
        return f"{operand(tree[2], mine)} {tree[1]} {operand(tree[3], mine + 1)}"
    if kind == "list":
        return "[" + ", ".join(render(sub) for sub in tree[1]) + "]"
    raise AssertionError(kind)


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "==": rt.equal,
    "!=": lambda a, b: not rt.equal(a, b),
    "<": rt.less,
    "<=": rt.less_equal,
    ">": rt.greater,
    ">=": rt.greater_equal,
    "IN": lambda a, b: rt.contains(b, a),
    "NOT IN": lambda a, b: not rt.contains(b, a),
    "HAS": rt.contains,
    "NOT HAS": lambda a, b: not rt.contains(a, b),
}
_ARITH = {"+": rt.add, "-": rt.subtract, "*": rt.multiply, "/": rt.divide}


def reference(tree: Tree, env: dict[str, Any]) -> Any:
    """A plain tree-walking interpreter of the documented semantics."""
    kind = tree[0]
    if kind == "lit":
        return tree[1]
    if kind == "path":
        obj: Any = env
        for segment in tree[1]:
            obj = obj.get(segment) if isinstance(obj, dict) else None
        return obj
    if kind == "not":
        return not rt.truthy(reference(tree[1], env))
    if kind == "neg":
        return rt.negate(reference(tree[1], env))
    if kind == "and":
        return all(rt.truthy(reference(sub, env)) for sub in tree[1])
    if kind == "or":
        return any(rt.truthy(reference(sub, env)) for sub in tree[1])
    if kind == "cmp":
        return _CMP[tree[1]](reference(tree[2], env), reference(tree[3], env))
    if kind == "arith":
        return _ARITH[tree[1]](reference(tree[2], env), reference(tree[3], env))
    if kind == "list":
        return tuple(reference(sub, env) for sub in tree[1])
    raise AssertionError(kind)


def same(left: Any, right: Any) -> bool:
    """Equal values of equal types, with NaN equal to NaN."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or repr(left) == repr(right)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(same, left, right))
    return type(left) is type(right) and left == right


# ------------------------------------------------------------------------------- fuzz

TOKENS = (
    "a", "b.c", "d.0", 'x["k"]', "1", "2.5", "-", "+", "*", "/", "(", ")", "[", "]", ",",
    "==", "!=", "<", "<=", ">", ">=", "=", "AND", "or", "NOT", "IN", "HAS", "true", "null",
    '"s"', "'t", "f(", "g", "k=", ".", "!", "#", "\\", '"', " ",
)  # fmt: skip


def compile_or_error(text: str) -> Expression | om.ExpressionError:
    """The compiled expression, or the ExpressionError; any other exception escapes."""
    try:
        return compile_expression(text, functions={"f": lambda *a, **k: len(a)})
    except om.ExpressionError as error:
        return error


def check_fuzzed(text: str, env: dict[str, Any]) -> None:
    outcome = compile_or_error(text)
    if isinstance(outcome, om.ExpressionError):
        assert 1 <= outcome.column <= len(text) + 1
        assert outcome.expression == text
        assert f"at column {outcome.column}" in str(outcome)
        return
    assert isinstance(outcome.matches(env), bool)
    outcome.evaluate(env)


@FAST
@given(st.text(max_size=60), environments)
def test_any_text_compiles_or_raises_expression_error(text: str, env: dict[str, Any]) -> None:
    check_fuzzed(text, env)


@FAST
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join), environments)
def test_any_token_soup_compiles_or_raises_expression_error(text: str, env: dict[str, Any]) -> None:
    check_fuzzed(text, env)


# ------------------------------------------------------------------------------- well-formed


@FAST
@given(trees, st.lists(environments, min_size=1, max_size=3))
def test_well_formed_expressions_agree_with_the_reference(
    tree: Tree, envs: list[dict[str, Any]]
) -> None:
    text = render(tree)
    expression = compile_expression(text)
    for env in envs:
        expected = reference(tree, env)
        assert same(expression.evaluate(env), expected), text
        assert expression.matches(env) is rt.truthy(expected)


@FAST
@given(trees)
def test_paths_lists_what_the_tree_reads(tree: Tree) -> None:
    def collect(sub: Any) -> set[str]:
        if not isinstance(sub, tuple) or not sub:
            return set()
        if sub[0] == "path":
            return {".".join(sub[1])}
        if sub[0] == "lit":
            return set()
        parts = sub[1:] if isinstance(sub[0], str) else sub  # a tree, or a tuple of trees
        return set().union(*(collect(part) for part in parts))

    expression = compile_expression(render(tree))
    # Folding removes no path: a subtree with a path is never constant.
    assert expression.paths == frozenset(collect(tree))
    assert expression.roots == frozenset(path.split(".")[0] for path in expression.paths)


# ------------------------------------------------------------------------------- equivalences

operands = trees.map(lambda tree: f"({render(tree)})")


@FAST
@given(operands, operands, environments)
def test_de_morgan(a: str, b: str, env: dict[str, Any]) -> None:
    def check(left: str, right: str) -> None:
        assert compile_expression(left).matches(env) is compile_expression(right).matches(env)

    check(f"NOT ({a} AND {b})", f"NOT {a} OR NOT {b}")
    check(f"NOT ({a} OR {b})", f"NOT {a} AND NOT {b}")
    check(f"NOT NOT {a}", a)
    check(f"{a} AND {b}", f"{b} AND {a}")
    check(f"{a} OR {b}", f"{b} OR {a}")


@FAST
@given(operands, operands, environments)
def test_comparison_dualities(a: str, b: str, env: dict[str, Any]) -> None:
    def value(text: str) -> Any:
        return compile_expression(text).evaluate(env)

    assert value(f"{a} != {b}") is value(f"NOT {a} == {b}")
    assert value(f"{a} == {b}") is value(f"{b} == {a}")
    assert value(f"{a} < {b}") is value(f"{b} > {a}")
    assert value(f"{a} <= {b}") is value(f"{b} >= {a}")
    assert value(f"{a} IN {b}") is value(f"{b} HAS {a}")
    assert value(f"{a} NOT IN {b}") is value(f"NOT {a} IN {b}")
    assert value(f"{a} NOT HAS {b}") is value(f"NOT {a} HAS {b}")


@FAST
@given(values, values)
def test_literals_and_paths_compare_alike(left: Any, right: Any) -> None:
    """The fast paths for ``path <op> literal`` agree with the generic operators."""
    for symbol, operation in _CMP.items():
        for literal in ("de", 3, 2.5, "gold"):
            expected = operation(left, literal)
            assert (
                compile_expression(f"x {symbol} {render_literal(literal)}").evaluate({"x": left})
                is expected
            )
        expected = operation(left, right)
        assert compile_expression(f"x {symbol} y").evaluate({"x": left, "y": right}) is expected


@FAST
@given(values)
def test_membership_in_string_lists_matches_generic_membership(value: Any) -> None:
    choices = ("de", "en", "a")
    expression = compile_expression('x IN ["de", "en", "a"]')
    assert expression.evaluate({"x": value}) is rt.contains(choices, value)


# ------------------------------------------------------------------------------- state


class ChangingEnvironments(RuleBasedStateMachine):
    """One compiled path, fed environments of changing types, keeps reading correctly."""

    def __init__(self) -> None:
        super().__init__()
        self.expression = compile_expression("a.b.c == 1 OR a.b.0 == 2")
        self.reads = compile_expression("a.b")
        self.last: tuple[Any, Any, bool] | None = None

    def _check(self, env: Any, inner: Any, expected_match: bool) -> None:
        self.last = (self.reads.evaluate(env), inner, expected_match)
        assert self.expression.matches(env) is expected_match

    @rule(value=st.integers(0, 3))
    def plain_dicts(self, value: int) -> None:
        inner = {"c": value}
        self._check({"a": {"b": inner}}, inner, value == 1)

    @rule(value=st.integers(0, 3))
    def read_only_mappings(self, value: int) -> None:
        inner = MappingProxyType({"c": value})
        self._check(MappingProxyType({"a": MappingProxyType({"b": inner})}), inner, value == 1)

    @rule(value=st.integers(0, 3))
    def objects(self, value: int) -> None:
        inner = SimpleNamespace(c=value)
        self._check(SimpleNamespace(a=SimpleNamespace(b=inner)), inner, value == 1)

    @rule(value=st.integers(0, 3))
    def lists(self, value: int) -> None:
        inner = [value, value]
        self._check({"a": SimpleNamespace(b=inner)}, inner, value == 2)

    @rule()
    def nothing(self) -> None:
        self._check({"a": None}, None, False)

    @rule(value=st.integers(0, 3))
    def strings(self, value: int) -> None:
        inner = str(value)
        self._check({"a": {"b": inner}}, inner, False)

    @invariant()
    def the_path_read_what_was_put_there(self) -> None:
        if self.last is not None:
            read, inner, _ = self.last
            assert read is inner


TestChangingEnvironments = ChangingEnvironments.TestCase
TestChangingEnvironments.settings = settings(max_examples=60, deadline=None)
