"""The value semantics of the expression language: comparisons, membership, arithmetic, paths.

Every function here is total: whatever values a host puts into an environment, these
functions return a value (often ``None`` or ``False``) instead of raising. That is what
lets a compiled expression run on the router's hot path without a ``try`` around it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from typing import Any

Getter = Callable[[Any], Any]


def is_number(value: object) -> bool:
    """True for ints and floats (and their subclasses), but not for booleans."""
    kind = type(value)
    if kind is int or kind is float:
        return True
    return isinstance(value, int | float) and not isinstance(value, bool)


def truthy(value: object) -> bool:
    """Python truthiness, with ``None`` and values whose ``__bool__`` fails counted as false."""
    if value is None:
        return False
    try:
        return bool(value)
    except Exception:  # a host object whose truth value is undefined
        return False


def equal(left: object, right: object) -> bool:
    """``==`` of the language: null equals only null, booleans equal only booleans.

    Ints and floats compare by value; lists and tuples compare element by element
    with these same rules; everything else uses Python's ``==``.
    """
    if left is None or right is None:
        return left is right
    left_kind = type(left)
    right_kind = type(right)
    if left_kind is bool or right_kind is bool:
        return left_kind is right_kind and left is right
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        if len(left) != len(right):
            return False
        try:
            return all(equal(a, b) for a, b in zip(left, right, strict=True))
        except RecursionError:  # a list that contains itself
            return False
    try:
        return bool(left == right)
    except Exception:  # host objects with an unusual __eq__
        return False


def _comparable(left: object, right: object) -> bool:
    if left is None or right is None:
        return False
    if is_number(left):
        return is_number(right)
    if isinstance(left, str):
        return isinstance(right, str)
    # Host values of one type (dates, say) may have an order; booleans have none here.
    return type(left) is type(right) and type(left) is not bool


def less(left: Any, right: Any) -> bool:
    """``<``: false for null, for mixed types and for values without an order."""
    if not _comparable(left, right):
        return False
    try:
        return bool(left < right)
    except Exception:
        return False


def less_equal(left: Any, right: Any) -> bool:
    """``<=``: false for null, for mixed types and for values without an order."""
    if not _comparable(left, right):
        return False
    try:
        return bool(left <= right)
    except Exception:
        return False


def greater(left: Any, right: Any) -> bool:
    """``>``: false for null, for mixed types and for values without an order."""
    return less(right, left)


def greater_equal(left: Any, right: Any) -> bool:
    """``>=``: false for null, for mixed types and for values without an order."""
    return less_equal(right, left)


def contains(container: Any, item: Any) -> bool:
    """``container HAS item`` (and ``item IN container``).

    Lists and tuples: an element equal to ``item`` by :func:`equal`. Sets and
    mappings (their keys): Python membership. Two strings: substring. Anything
    else is not a container, so the answer is false.
    """
    if type(container) is list and type(item) is str:  # the common case, first
        return item in container
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list | tuple):
        if type(item) is str:  # Python's `in` agrees with `equal` for plain strings
            return item in container
        return any(equal(element, item) for element in container)
    if isinstance(container, Mapping | Set):
        try:
            return item in container
        except Exception:  # unhashable item
            return False
    if isinstance(container, Sequence) and not isinstance(container, bytes | bytearray):
        try:
            return any(equal(element, item) for element in container)
        except Exception:
            return False
    return False


def add(left: Any, right: Any) -> Any:
    """``+`` of two numbers, else null."""
    if not (is_number(left) and is_number(right)):
        return None
    try:
        return left + right
    except OverflowError:
        return None


def subtract(left: Any, right: Any) -> Any:
    """``-`` of two numbers, else null."""
    if not (is_number(left) and is_number(right)):
        return None
    try:
        return left - right
    except OverflowError:
        return None


def multiply(left: Any, right: Any) -> Any:
    """``*`` of two numbers, else null."""
    if not (is_number(left) and is_number(right)):
        return None
    try:
        return left * right
    except OverflowError:
        return None


def divide(left: Any, right: Any) -> Any:
    """``/`` (true division) of two numbers; null for non-numbers and division by zero."""
    if not (is_number(left) and is_number(right)) or right == 0:
        return None
    try:
        return left / right
    except (OverflowError, ZeroDivisionError):
        return None


def negate(value: Any) -> Any:
    """Unary ``-`` of a number, else null."""
    if not is_number(value):
        return None
    return -value


# ---------------------------------------------------------------------------------------
# Paths

_NOTHING, _MAPPING, _SEQUENCE, _OBJECT = range(4)


def _classify(kind: type) -> int:
    """How a path step reads from instances of ``kind``."""
    if kind is type(None):
        return _NOTHING
    try:
        if issubclass(kind, Mapping):
            return _MAPPING
        if issubclass(kind, Sequence) and not issubclass(kind, str | bytes | bytearray):
            return _SEQUENCE
    except TypeError:  # a type that refuses subclass checks
        pass
    return _OBJECT


def _step(segment: str) -> Getter:
    """A reader for one path segment: a mapping's ``.get``, a sequence index, or an attribute.

    Names starting with ``_`` are read only from mappings, never as attributes, so an
    expression cannot reach into an object's internals (``__class__`` and friends).
    The kind of each type met is remembered by this closure, because the abstract
    ``Mapping`` check costs more than the read itself.
    """
    index = int(segment) if segment.isascii() and segment.isdigit() else None
    as_attribute = index is None and not segment.startswith("_")
    kinds: dict[type, int] = {}

    def step(obj: Any) -> Any:
        kind = type(obj)
        if kind is dict:
            return obj.get(segment)
        how = kinds.get(kind)
        if how is None:
            how = kinds[kind] = _classify(kind)
        if how == _OBJECT or (how == _SEQUENCE and index is None):
            if not as_attribute:
                return None
            try:
                return getattr(obj, segment, None)
            except Exception:  # a property that raises
                return None
        if how == _MAPPING:
            try:
                return obj.get(segment)
            except Exception:
                return None
        if how == _SEQUENCE:
            try:
                return obj[index] if index < len(obj) else None  # type: ignore[operator]
            except Exception:
                return None
        return None

    return step


def read_segment(obj: Any, segment: str) -> Any:
    """One step of a path, uncompiled (for tests and one-off reads)."""
    return _step(segment)(obj)


def compile_path(segments: Sequence[str]) -> Getter:
    """A chain of small closures that reads ``segments`` from an environment.

    The first two steps inline the plain-``dict`` case, which is the most common
    environment; a missing piece anywhere makes the whole path null.
    """
    if not segments:
        raise ValueError("a path needs at least one segment")
    steps = tuple(_step(segment) for segment in segments)
    if len(steps) == 1:
        return steps[0]
    first, second = segments[0], segments[1]
    first_step, second_step = steps[0], steps[1]
    if len(steps) == 2:

        def read_two(env: Any) -> Any:
            obj = env.get(first) if type(env) is dict else first_step(env)
            return obj.get(second) if type(obj) is dict else second_step(obj)

        return read_two
    rest = steps[2:]

    def read_many(env: Any) -> Any:
        obj = env.get(first) if type(env) is dict else first_step(env)
        obj = obj.get(second) if type(obj) is dict else second_step(obj)
        for step in rest:
            if obj is None:
                return None
            obj = step(obj)
        return obj

    return read_many
