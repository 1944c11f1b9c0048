"""The safe expression language of queues (``accepts``), targets and blending rules.

``compile_expression(text)`` tokenizes and parses ``text`` once into a chain of small
closures; it never calls ``eval``. The result, an :class:`Expression`, reads dotted
paths from any environment (mappings, pydantic models, attrs records, plain objects)
and never raises while evaluating: a missing path is null, a comparison that makes
no sense is false, arithmetic that makes no sense is null. Only host functions,
handed in at compile time, may raise.

The full grammar and its semantics are in ``docs/expressions.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final, final

from omnirouter.errors import ExpressionError
from omnirouter.routing._expr_parser import compile_text, constant, predicate

__all__ = ["MAX_LENGTH", "Expression", "compile_expression"]

MAX_LENGTH: Final = 10_000
"""The longest expression text accepted, in characters."""

_NO_FUNCTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType({})


@final
class Expression:
    """A compiled expression: immutable, hashable by its source, picklable.

    Build one with :func:`compile_expression` (or ``Expression(text, functions)``,
    which is the same). Attributes:

    ``source``
        The text it was compiled from.
    ``matches(env) -> bool``
        Evaluates and tests the result's truth; null is false. This is the predicate
        a queue's ``accepts`` or a target uses.
    ``evaluate(env) -> Any``
        The value itself (a list literal yields a tuple).
    ``paths``
        The dotted paths it reads, e.g. ``frozenset({"skills.billing",
        "interaction.language"})``; paths inside function arguments included.
    ``roots``
        The first segment of each path, e.g. ``frozenset({"skills", "interaction"})``.
    ``calls``
        The names of the host functions it calls.
    ``functions``
        The host functions it was compiled with (read-only).

    ``matches`` and ``evaluate`` are plain closures stored on the instance, so a call
    costs no method lookup on the router's hot path.
    """

    __slots__ = (
        "calls",
        "evaluate",
        "functions",
        "matches",
        "path_segments",
        "paths",
        "roots",
        "source",
    )

    source: str
    matches: Callable[[Any], bool]
    evaluate: Callable[[Any], Any]
    paths: frozenset[str]
    path_segments: frozenset[tuple[str, ...]]
    roots: frozenset[str]
    calls: frozenset[str]
    functions: Mapping[str, Callable[..., Any]]

    def __init__(
        self, source: str, functions: Mapping[str, Callable[..., Any]] | None = None
    ) -> None:
        if not isinstance(source, str):
            raise ExpressionError(
                f"an expression must be a string, not {type(source).__name__}", repr(source), 1
            )
        if len(source) > MAX_LENGTH:
            raise ExpressionError(
                f"expression too long ({len(source)} characters; at most {MAX_LENGTH})",
                source[: MAX_LENGTH + 1],
                MAX_LENGTH + 1,
            )
        table = _NO_FUNCTIONS if not functions else MappingProxyType(dict(functions))
        if source.strip():
            try:
                compiled = compile_text(source, table)
            except RecursionError:  # only when the caller's own stack is already deep
                raise ExpressionError(
                    "expression nested too deeply for the current call stack", source, 1
                ) from None
            node, segments, calls = compiled.node, compiled.paths, compiled.calls
        else:  # blank: accepts everything
            node, segments, calls = constant(True), frozenset(), frozenset()
        assign = object.__setattr__
        assign(self, "source", source)
        assign(self, "functions", table)
        assign(self, "evaluate", node.fn)
        assign(self, "matches", predicate(node))
        assign(self, "path_segments", segments)
        assign(self, "paths", frozenset(".".join(path) for path in segments))
        assign(self, "roots", frozenset(path[0] for path in segments))
        assign(self, "calls", calls)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Expression is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Expression is immutable; cannot delete {name!r}")

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self.source == other.source and dict(self.functions) == dict(other.functions)

    def __hash__(self) -> int:
        return hash(self.source)

    def __reduce__(self) -> tuple[Any, ...]:
        functions = dict(self.functions) or None
        return (Expression, (self.source, functions))


def compile_expression(
    text: str, *, functions: Mapping[str, Callable[..., Any]] | None = None
) -> Expression:
    """Compile ``text`` into an :class:`Expression`, or raise :class:`ExpressionError`.

    Blank text compiles to an expression that is always true, so a queue without an
    ``accepts`` condition accepts everything. ``functions`` names the host functions
    the text may call, e.g. ``{"available": router_available}``; calling any other
    name is a compile-time error that lists the known ones. Host functions receive
    evaluated arguments and are called on every evaluation (never folded).
    """
    return Expression(text, functions)
