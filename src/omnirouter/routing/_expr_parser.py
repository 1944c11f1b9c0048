"""The parser of the expression language: tokens in, one compiled closure out.

A Pratt parser (precedence climbing) that compiles while it parses: each construct
becomes a small closure over the closures of its operands, with constant operands
folded away and the common shapes (a path compared with a literal) specialised. No
tree is kept, and nothing is interpreted per call.

Precedence, loosest first: ``OR``; ``AND``; ``NOT``; comparisons (``== != < <= > >=
IN NOT IN HAS NOT HAS``, not chainable); ``+ -``; ``* /``; unary ``-``; values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from omnirouter.errors import ExpressionError
from omnirouter.routing import _expr_runtime as rt
from omnirouter.routing._expr_tokens import Token, tokenize

MAX_DEPTH = 100
"""How deeply parentheses, lists, calls, NOT and unary minus may nest."""

_OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY = 1, 2, 3, 4, 5, 6, 7
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_ARITHMETIC = {"+": rt.add, "-": rt.subtract, "*": rt.multiply, "/": rt.divide}

Getter = Callable[[Any], Any]
Predicate = Callable[[Any], bool]


class Node(NamedTuple):
    """A compiled piece: its closure, and what is known about it at compile time."""

    fn: Getter
    constant: bool = False
    value: Any = None
    boolean: bool = False


def constant(value: Any) -> Node:
    """A node that always yields ``value``."""

    def fixed(env: Any) -> Any:
        return value

    return Node(fixed, True, value, type(value) is bool)


def predicate(node: Node) -> Predicate:
    """The node as a closure returning a real ``bool`` (null and other falsy → False)."""
    if node.boolean:
        return node.fn
    fn = node.fn
    truthy = rt.truthy

    def test(env: Any) -> bool:
        return truthy(fn(env))

    return test


# ---------------------------------------------------------------------------------------
# Comparisons


def _member(item: Any, container: Any) -> bool:
    return rt.contains(container, item)


_GENERIC: dict[str, Callable[[Any, Any], bool]] = {
    "==": rt.equal,
    "!=": lambda left, right: not rt.equal(left, right),
    "<": rt.less,
    "<=": rt.less_equal,
    ">": rt.greater,
    ">=": rt.greater_equal,
    "IN": _member,
    "HAS": rt.contains,
}


def _ordering_fast(symbol: str, read: Getter, bound: Any, number: bool) -> Predicate:
    """``path <op> literal`` where the literal is a number or a string."""
    slow = _GENERIC[symbol]
    if number:

        def fits(value: Any) -> bool:
            kind = type(value)
            return kind is int or kind is float

    else:

        def fits(value: Any) -> bool:
            return type(value) is str

    if symbol == "<":

        def less(env: Any) -> bool:
            value = read(env)
            return bool(value < bound) if fits(value) else slow(value, bound)

        return less
    if symbol == "<=":

        def less_equal(env: Any) -> bool:
            value = read(env)
            return bool(value <= bound) if fits(value) else slow(value, bound)

        return less_equal
    if symbol == ">":

        def greater(env: Any) -> bool:
            value = read(env)
            return bool(value > bound) if fits(value) else slow(value, bound)

        return greater

    def greater_equal(env: Any) -> bool:
        value = read(env)
        return bool(value >= bound) if fits(value) else slow(value, bound)

    return greater_equal


def _equality_fast(read: Getter, literal: Any) -> Predicate:
    """``path == literal`` for a string or number literal."""
    equal = rt.equal
    if isinstance(literal, str):

        def equals_string(env: Any) -> bool:
            value = read(env)
            if type(value) is str:
                return bool(value == literal)
            return equal(value, literal)

        return equals_string

    def equals_number(env: Any) -> bool:
        value = read(env)
        kind = type(value)
        if kind is int or kind is float:
            return bool(value == literal)
        return equal(value, literal)

    return equals_number


def _specialised(symbol: str, left: Node, right: Node) -> Predicate | None:
    """A faster closure for common shapes, or None for the generic one."""
    if left.constant and not right.constant and symbol == "==":
        left, right = right, left  # equality is symmetric: put the literal on the right
    if not right.constant or left.constant:
        return None
    literal = right.value
    literal_is_number = type(literal) is int or type(literal) is float
    literal_is_string = type(literal) is str
    if symbol == "==" and (literal_is_number or literal_is_string):
        return _equality_fast(left.fn, literal)
    if symbol in ("<", "<=", ">", ">=") and (literal_is_number or literal_is_string):
        return _ordering_fast(symbol, left.fn, literal, literal_is_number)
    read = left.fn
    if symbol == "IN" and type(literal) is tuple and all(type(x) is str for x in literal):
        choices = frozenset(literal)
        contains = rt.contains

        def is_one_of(env: Any) -> bool:
            value = read(env)
            if type(value) is str:
                return value in choices
            return contains(literal, value)

        return is_one_of
    if symbol == "HAS" and literal_is_string:
        contains = rt.contains

        def has(env: Any) -> bool:
            value = read(env)
            if type(value) is list:
                return literal in value
            return contains(value, literal)

        return has
    return None


def compare(symbol: str, left: Node, right: Node) -> Node:
    """``left <symbol> right`` for a comparison or membership operator."""
    negated = symbol in ("!=", "NOT IN", "NOT HAS")
    positive = {"!=": "==", "NOT IN": "IN", "NOT HAS": "HAS"}.get(symbol, symbol)
    operation = _GENERIC[positive]
    if left.constant and right.constant:
        result = operation(left.value, right.value)
        return constant(not result if negated else result)
    test = _specialised(positive, left, right)
    if test is None:
        read_left, read_right = left.fn, right.fn

        def generic(env: Any) -> bool:
            return operation(read_left(env), read_right(env))

        test = generic
    if not negated:
        return Node(test, boolean=True)
    affirm = test

    def deny(env: Any) -> bool:
        return not affirm(env)

    return Node(deny, boolean=True)


# ---------------------------------------------------------------------------------------
# Logic and arithmetic


def negation(operand: Node) -> Node:
    """``NOT operand``."""
    if operand.constant:
        return constant(not rt.truthy(operand.value))
    test = predicate(operand)

    def deny(env: Any) -> bool:
        return not test(env)

    return Node(deny, boolean=True)


def conjunction(operands: Sequence[Node]) -> Node:
    """``a AND b AND …``, short-circuit, left to right."""
    if all(node.constant for node in operands):
        return constant(all(rt.truthy(node.value) for node in operands))
    tests = tuple(predicate(node) for node in operands)
    if len(tests) == 2:
        first, second = tests

        def both(env: Any) -> bool:
            return first(env) and second(env)

        return Node(both, boolean=True)

    def every(env: Any) -> bool:
        # A plain loop: all() over a generator costs a frame per call on the hot path.
        for test in tests:  # noqa: SIM110
            if not test(env):
                return False
        return True

    return Node(every, boolean=True)


def disjunction(operands: Sequence[Node]) -> Node:
    """``a OR b OR …``, short-circuit, left to right."""
    if all(node.constant for node in operands):
        return constant(any(rt.truthy(node.value) for node in operands))
    tests = tuple(predicate(node) for node in operands)
    if len(tests) == 2:
        first, second = tests

        def either(env: Any) -> bool:
            return first(env) or second(env)

        return Node(either, boolean=True)

    def some(env: Any) -> bool:
        for test in tests:  # noqa: SIM110 - see every()
            if test(env):
                return True
        return False

    return Node(some, boolean=True)


def arithmetic(first: Node, rest: Sequence[tuple[str, Node]]) -> Node:
    """``first op1 x1 op2 x2 …``, evaluated left to right, one loop (no deep nesting)."""
    if first.constant and all(node.constant for _, node in rest):
        value = first.value
        for symbol, node in rest:
            value = _ARITHMETIC[symbol](value, node.value)
        return constant(value)
    start = first.fn
    if len(rest) == 1:
        operation = _ARITHMETIC[rest[0][0]]
        other = rest[0][1].fn

        def pair(env: Any) -> Any:
            return operation(start(env), other(env))

        return Node(pair)
    steps = tuple((_ARITHMETIC[symbol], node.fn) for symbol, node in rest)

    def chain(env: Any) -> Any:
        value = start(env)
        for operation, operand in steps:
            value = operation(value, operand(env))
        return value

    return Node(chain)


def minus(operand: Node) -> Node:
    """Unary ``-``."""
    if operand.constant:
        return constant(rt.negate(operand.value))
    read = operand.fn
    negate = rt.negate

    def negative(env: Any) -> Any:
        return negate(read(env))

    return Node(negative)


def sequence(items: Sequence[Node]) -> Node:
    """A list literal; it evaluates to a tuple so that no caller can change it."""
    if all(node.constant for node in items):
        return constant(tuple(node.value for node in items))
    reads = tuple(node.fn for node in items)

    def build(env: Any) -> tuple[Any, ...]:
        return tuple([read(env) for read in reads])

    return Node(build)


def call(function: Callable[..., Any], args: Sequence[Node], kwargs: Mapping[str, Node]) -> Node:
    """A call of a host function with evaluated arguments (never folded: it may be live)."""
    positional = tuple(node.fn for node in args)
    named = tuple((name, node.fn) for name, node in kwargs.items())
    if not named and not positional:

        def call_none(env: Any) -> Any:
            return function()

        return Node(call_none)
    if not named and len(positional) == 1:
        (only,) = positional

        def call_one(env: Any) -> Any:
            return function(only(env))

        return Node(call_one)

    def call_many(env: Any) -> Any:
        return function(
            *[read(env) for read in positional], **{name: read(env) for name, read in named}
        )

    return Node(call_many)


# ---------------------------------------------------------------------------------------
# The parser


class Compiled(NamedTuple):
    """The result of compiling one expression."""

    node: Node
    paths: frozenset[tuple[str, ...]]
    calls: frozenset[str]


class _Parser:
    def __init__(self, text: str, functions: Mapping[str, Callable[..., Any]]) -> None:
        self.text = text
        self.functions = functions
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.paths: set[tuple[str, ...]] = set()
        self.calls: set[str] = set()

    # -- helpers ---------------------------------------------------------------------

    def fail(self, message: str, column: int) -> ExpressionError:
        return ExpressionError(message, self.text, column)

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def previous(self) -> Token | None:
        return self.tokens[self.index - 1] if self.index > 0 else None

    def is_op(self, symbol: str) -> bool:
        token = self.tokens[self.index]
        return token.kind == "op" and token.value == symbol

    def is_keyword(self, word: str) -> bool:
        token = self.tokens[self.index]
        return token.kind == "keyword" and token.value == word

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                f"expression nested too deeply (more than {MAX_DEPTH} levels)", token.column
            )

    def leave(self) -> None:
        self.depth -= 1

    # -- grammar ---------------------------------------------------------------------

    def parse(self) -> Compiled:
        node = self.expression(0)
        token = self.token
        if token.kind != "end":
            raise self.unexpected_after_value(token, closing=None)
        return Compiled(node, frozenset(self.paths), frozenset(self.calls))

    def unexpected_after_value(
        self, token: Token, closing: Token | None, separated: bool = False
    ) -> ExpressionError:
        """The error for a token that cannot follow a complete value.

        ``closing`` is the bracket still open, if any; ``separated`` tells that its
        contents are comma-separated (a list or a call), not a group.
        """
        if token.kind == "op" and token.value in (")", "]") and closing is None:
            return self.fail(f"unmatched {token.text!r}", token.column)
        if token.kind == "op" and token.value == "=":
            return self.fail("unexpected '='; write '==' to compare", token.column)
        if closing is None:
            expected = "an operator or the end of the expression"
        elif not separated:
            expected = "')' or an operator"
        else:
            expected = f"',' or {_CLOSERS[closing.value]!r} or an operator"
        if token.kind == "end" and closing is not None:
            closer = _CLOSERS[closing.value]
            return self.fail(
                f"expected {closer!r} to close the {closing.text!r} from column {closing.column}",
                token.column,
            )
        return self.fail(f"expected {expected}, found {token.describe()}", token.column)

    def expected_value(self, token: Token) -> ExpressionError:
        """The error for a token where a value should start."""
        before = self.previous()
        after = f" after {before.text!r}" if before is not None else ""
        if token.kind == "end":
            return self.fail(f"expected a value{after}", token.column)
        return self.fail(f"expected a value{after}, found {token.describe()}", token.column)

    def expression(self, floor: int) -> Node:
        left = self.prefix(floor)
        while True:
            token = self.token
            if token.kind == "keyword":
                word = token.value
                if word == "OR" and floor <= _OR:
                    left = disjunction(self.operands(left, "OR", _OR))
                    continue
                if word == "AND" and floor <= _AND:
                    left = conjunction(self.operands(left, "AND", _AND))
                    continue
                if word in ("IN", "HAS", "NOT") and floor <= _COMPARE:
                    left = self.comparison(left)
                    continue
                return left
            if token.kind == "op":
                symbol = token.value
                if symbol in _COMPARISONS and floor <= _COMPARE:
                    left = self.comparison(left)
                    continue
                if symbol in ("+", "-") and floor <= _SUM:
                    left = arithmetic(left, self.terms(("+", "-"), _SUM))
                    continue
                if symbol in ("*", "/") and floor <= _PRODUCT:
                    left = arithmetic(left, self.terms(("*", "/"), _PRODUCT))
                    continue
            return left

    def operands(self, first: Node, word: str, power: int) -> list[Node]:
        nodes = [first]
        while self.is_keyword(word):
            self.advance()
            nodes.append(self.expression(power + 1))
        return nodes

    def terms(self, symbols: tuple[str, str], power: int) -> list[tuple[str, Node]]:
        rest: list[tuple[str, Node]] = []
        while self.token.kind == "op" and self.token.value in symbols:
            symbol = self.advance().value
            rest.append((symbol, self.expression(power + 1)))
        return rest

    def comparison_symbol(self) -> str | None:
        """The comparison operator at the cursor (consumed), or None if there is none."""
        token = self.token
        if token.kind == "op" and token.value in _COMPARISONS:
            self.advance()
            return str(token.value)
        if token.kind == "keyword" and token.value in ("IN", "HAS"):
            self.advance()
            return str(token.value)
        if token.kind == "keyword" and token.value == "NOT":
            following = self.peek()
            if following.kind == "keyword" and following.value in ("IN", "HAS"):
                self.advance()
                self.advance()
                return f"NOT {following.value}"
            raise self.fail(
                f"expected IN or HAS after 'NOT', found {following.describe()}",
                following.column,
            )
        return None

    def comparison(self, left: Node) -> Node:
        symbol = self.comparison_symbol()
        assert symbol is not None  # the caller saw a comparison operator
        right = self.expression(_COMPARE + 1)
        token = self.token
        if (token.kind == "op" and token.value in _COMPARISONS) or (
            token.kind == "keyword"
            and (
                token.value in ("IN", "HAS")
                or (token.value == "NOT" and _is_membership(self.peek()))
            )
        ):
            raise self.fail(
                f"comparisons cannot be chained; combine them with AND (found {token.text!r})",
                token.column,
            )
        return compare(symbol, left, right)

    def prefix(self, floor: int) -> Node:
        token = self.token
        kind = token.kind
        if kind == "number" or kind == "string":
            self.advance()
            return constant(token.value)
        if kind == "path":
            self.advance()
            if self.is_op("("):
                return self.call(token)
            self.paths.add(token.value)
            return Node(rt.compile_path(token.value))
        if kind == "keyword":
            word = token.value
            if word in _LITERALS:
                self.advance()
                return constant(_LITERALS[word])
            if word == "NOT" and floor <= _NOT:
                self.advance()
                self.enter(token)
                operand = self.expression(_NOT)
                self.leave()
                return negation(operand)
            raise self.expected_value(token)
        if kind == "op":
            symbol = token.value
            if symbol == "-":
                self.advance()
                self.enter(token)
                operand = self.expression(_UNARY)
                self.leave()
                return minus(operand)
            if symbol == "(":
                return self.group()
            if symbol == "[":
                return self.list_literal()
        raise self.expected_value(token)

    def group(self) -> Node:
        opening = self.advance()
        self.enter(opening)
        if self.is_op(")"):
            raise self.fail("empty parentheses", opening.column)
        inner = self.expression(0)
        if not self.is_op(")"):
            raise self.unexpected_after_value(self.token, closing=opening)
        self.advance()
        self.leave()
        return inner

    def items(self, opening: Token, closer: str) -> tuple[list[Node], dict[str, Node]]:
        """Comma-separated values up to ``closer``; ``name=value`` only inside calls."""
        args: list[Node] = []
        kwargs: dict[str, Node] = {}
        allow_names = opening.value == "("
        while not self.is_op(closer):
            token = self.token
            if token.kind == "end":
                raise self.unexpected_after_value(token, closing=opening, separated=True)
            following = self.peek()
            if following.kind == "op" and following.value == "=" and allow_names:
                if token.kind != "path" or len(token.value) != 1:
                    raise self.fail(
                        f"a keyword argument needs a plain name, found {token.describe()}",
                        token.column,
                    )
                name = token.value[0]
                if name in kwargs:
                    raise self.fail(f"keyword argument {name!r} given twice", token.column)
                self.advance()
                self.advance()
                kwargs[name] = self.expression(0)
            else:
                if kwargs:
                    raise self.fail("positional argument after keyword argument", token.column)
                args.append(self.expression(0))
            if self.is_op(","):
                self.advance()
                continue
            if not self.is_op(closer):
                raise self.unexpected_after_value(self.token, closing=opening, separated=True)
        self.advance()
        return args, kwargs

    def list_literal(self) -> Node:
        opening = self.advance()
        self.enter(opening)
        values, _ = self.items(opening, "]")
        self.leave()
        return sequence(values)

    def call(self, name_token: Token) -> Node:
        opening = self.token
        segments = name_token.value
        if len(segments) != 1 or name_token.text != segments[0]:
            raise self.fail(
                f"only functions can be called, and {name_token.text!r} is a path",
                opening.column,
            )
        name = segments[0]
        if name not in self.functions:
            known = ", ".join(sorted(self.functions))
            listing = f"known functions: {known}" if known else "no functions were given"
            raise self.fail(f"unknown function {name!r}; {listing}", name_token.column)
        function = self.functions[name]
        if not callable(function):
            raise self.fail(f"function {name!r} is not callable", name_token.column)
        self.advance()
        self.enter(opening)
        args, kwargs = self.items(opening, ")")
        self.leave()
        self.calls.add(name)
        return call(function, args, kwargs)


def _is_membership(token: Token) -> bool:
    return token.kind == "keyword" and token.value in ("IN", "HAS")


_LITERALS: dict[str, Any] = {"TRUE": True, "FALSE": False, "NULL": None}
_CLOSERS = {"(": ")", "[": "]"}


def compile_text(text: str, functions: Mapping[str, Callable[..., Any]]) -> Compiled:
    """Tokenize, parse and compile ``text``; raise ``ExpressionError`` on any mistake."""
    return _Parser(text, functions).parse()
