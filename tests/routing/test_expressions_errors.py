"""Every compile error says what was expected, at which column, with a caret line."""

from __future__ import annotations

import sys
from typing import Any

import pytest

import omnirouter as om
from omnirouter.routing._expr_parser import MAX_DEPTH
from omnirouter.routing.expressions import MAX_LENGTH, compile_expression


def error_of(text: Any, **functions: Any) -> om.ExpressionError:
    with pytest.raises(om.ExpressionError) as caught:
        compile_expression(text, functions=functions)
    return caught.value


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        # values missing
        ('reason == "x" AND tier ==', "expected a value after '=='", 26),
        ("reason ==   ", "expected a value after '=='", 10),
        ("a == AND b", "expected a value after '==', found keyword 'AND'", 6),
        ("AND b", "expected a value, found keyword 'AND'", 1),
        ("a OR", "expected a value after 'OR'", 5),
        ("a == NOT b", "expected a value after '==', found keyword 'NOT'", 6),
        ("a IN IN b", "expected a value after 'IN', found keyword 'IN'", 6),
        ("NOT", "expected a value after 'NOT'", 4),
        ("-", "expected a value after '-'", 2),
        ("1 + * 2", "expected a value after '+', found '*'", 5),
        ("[1, , 2]", "expected a value after ',', found ','", 5),
        ("x == )", "expected a value after '==', found ')'", 6),
        # parentheses and brackets
        ("(a == 1", "expected ')' to close the '(' from column 1", 8),
        ("((a) == 1", "expected ')' to close the '(' from column 1", 10),
        ("(a b)", "expected ')' or an operator, found 'b'", 4),
        ("a == 1)", "unmatched ')'", 7),
        ("a]", "unmatched ']'", 2),
        ("()", "empty parentheses", 1),
        ("a AND ( )", "empty parentheses", 7),
        ("[1, 2", "expected ']' to close the '[' from column 1", 6),
        ("[1, 2,", "expected ']' to close the '[' from column 1", 7),
        ("x IN [", "expected ']' to close the '[' from column 6", 7),
        ("f(", "expected ')' to close the '(' from column 2", 3),
        ("[1 2]", "expected ',' or ']' or an operator, found '2'", 4),
        # trailing tokens
        ("a b", "expected an operator or the end of the expression, found 'b'", 3),
        ('a == 1 "x"', "expected an operator or the end of the expression, found '\"x\"'", 8),
        (
            "a == 1 true",
            "expected an operator or the end of the expression, found keyword 'true'",
            8,
        ),
        ("a [1]", "expected an operator or the end of the expression, found '['", 3),
        ("a, b", "expected an operator or the end of the expression, found ','", 2),
        # operators that do not exist
        ("a = 1", "unexpected '='; write '==' to compare", 3),
        ("a && b", "unexpected '&'; write AND", 3),
        ("a || b", "unexpected '|'; write OR", 3),
        ("!a", "unexpected '!'; write '!=' to compare or NOT to negate", 1),
        ("a NOT b", "expected IN or HAS after 'NOT', found 'b'", 7),
        ("a NOT", "expected IN or HAS after 'NOT', found the end of the expression", 6),
        ("a == b == c", "comparisons cannot be chained; combine them with AND (found '==')", 8),
        ("1 < x <= 5", "comparisons cannot be chained; combine them with AND (found '<=')", 7),
        ("a IN b HAS c", "comparisons cannot be chained; combine them with AND (found 'HAS')", 8),
        (
            "a == b NOT IN c",
            "comparisons cannot be chained; combine them with AND (found 'NOT')",
            8,
        ),
        # characters, strings and numbers
        ("a # b", "unexpected character '#'", 3),
        ("a == 1 ; b", "unexpected character ';'", 8),
        ("a == {}", "unexpected character '{'", 6),
        ('reason == "billing', 'unterminated string; expected a closing "', 11),
        ("reason == 'billing", "unterminated string; expected a closing '", 11),
        ('x == "ends with backslash\\', 'unterminated string; expected a closing "', 6),
        ('x == "\\q"', "unknown escape '\\q'", 7),
        ('x == "\\u12"', "expected four hex digits after '\\u'", 7),
        ("x > .5", "a number needs a digit before '.'; write 0.5, not .5", 5),
        ("x > 3abc", "invalid number '3abc'", 5),
        ("x > 1.2.3", "invalid number '1.2.3'", 5),
        # paths
        ("a.", "expected a name after '.'", 3),
        ("a..b", "expected a name after '.'", 3),
        ("a. b", "expected a name after '.'", 3),
        ("a[b]", "expected a quoted key or an index after '['", 3),
        ('a["b"', "expected ']' to close the '[' from column 2", 6),
        # calls
        ("nope(1)", "unknown function 'nope'; known functions: f", 1),
        ("a.b(1)", "only functions can be called, and 'a.b' is a path", 4),
        ("f(1 2)", "expected ',' or ')' or an operator, found '2'", 5),
        ("f(1", "expected ')' to close the '(' from column 2", 4),
        ("f(a=1, 2)", "positional argument after keyword argument", 8),
        ("f(a=1, a=2)", "keyword argument 'a' given twice", 8),
        ("f(a.b=1)", "a keyword argument needs a plain name, found 'a.b'", 3),
        ("f(1=1)", "a keyword argument needs a plain name, found '1'", 3),
        ("f(=1)", "expected a value after '(', found '='", 3),
    ],
)
def test_error_messages(text: str, reason: str, column: int) -> None:
    error = error_of(text, f=lambda *a, **k: 0)
    assert (error.reason, error.column) == (reason, column)
    assert error.expression == text
    lines = str(error).splitlines()
    assert lines[0] == f"{reason} at column {column}"
    assert lines[1] == f"  {text}"
    assert lines[2] == "  " + " " * (column - 1) + "^"


def test_unknown_function_lists_the_known_ones() -> None:
    error = error_of("avail(1)", available=len, busy=len)
    assert error.reason == "unknown function 'avail'; known functions: available, busy"
    assert error.column == 1


def test_unknown_function_without_any_functions() -> None:
    error = error_of("available()")
    assert error.reason == "unknown function 'available'; no functions were given"


def test_a_function_that_is_not_callable_is_refused() -> None:
    error = error_of("f(1)", f=42)
    assert error.reason == "function 'f' is not callable"


def test_is_a_value_error_and_an_omnirouter_error() -> None:
    error = error_of("a ==")
    assert isinstance(error, ValueError)
    assert isinstance(error, om.OmnirouterError)


def test_non_string_text_is_refused() -> None:
    for value in (None, 42, b"a == 1", ["a"]):
        error = error_of(value)
        assert error.reason.startswith("an expression must be a string, not ")
        assert error.column == 1


def test_too_long_text_is_refused() -> None:
    assert compile_expression("x+" * ((MAX_LENGTH - 1) // 2) + "1").evaluate({"x": 1}) is not None
    error = error_of("x" * (MAX_LENGTH + 1))
    assert error.reason == (
        f"expression too long ({MAX_LENGTH + 1} characters; at most {MAX_LENGTH})"
    )
    assert error.column == MAX_LENGTH + 1


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("(", ")"), ("NOT ", ""), ("-", ""), ("[", "]"), ("f(", ")"), ("(NOT -", ")")],
)
def test_deep_nesting_is_an_expression_error(opening: str, closing: str) -> None:
    fine = opening * (MAX_DEPTH // 3) + "1" + closing * (MAX_DEPTH // 3)
    compile_expression(fine, functions={"f": abs}).evaluate(None)
    repeats = (MAX_LENGTH - 1) // len(opening + closing)
    deep = opening * repeats + "1" + closing * repeats
    error = error_of(deep, f=abs)
    assert error.reason == f"expression nested too deeply (more than {MAX_DEPTH} levels)"


def test_nesting_at_the_limit_evaluates_even_from_a_deep_stack() -> None:
    text = "(" * (MAX_DEPTH - 1) + "NOT x" + ")" * (MAX_DEPTH - 1)
    expression = compile_expression(text)

    def descend(levels: int) -> bool:
        if levels:
            return descend(levels - 1)
        return expression.matches({"x": False})

    # Leave room for the expression's own frames: it must need far fewer than the limit.
    assert descend(sys.getrecursionlimit() - 2 * MAX_DEPTH - 100)


def test_a_failed_compile_changes_nothing() -> None:
    table = {"f": len}
    error_of("f(", **table)
    assert table == {"f": len}
    assert compile_expression("f(x)", functions=table).evaluate({"x": "abc"}) == 3
