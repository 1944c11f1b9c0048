"""The tokenizer of the expression language: text in, a list of :class:`Token` out.

Columns are 1-based offsets into the text. Every lexical problem (an unknown
character, an unterminated string, a malformed number) is an ``ExpressionError``
that points at the offending column.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from omnirouter.errors import ExpressionError

KEYWORDS = frozenset({"AND", "OR", "NOT", "IN", "HAS", "TRUE", "FALSE", "NULL"})

_TWO_CHAR_OPERATORS = frozenset({"==", "!=", "<=", ">="})
_ONE_CHAR_OPERATORS = frozenset("<>+-*/()[],=")
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_HINTS = {
    "!": "unexpected '!'; write '!=' to compare or NOT to negate",
    "&": "unexpected '&'; write AND",
    "|": "unexpected '|'; write OR",
}


class Token(NamedTuple):
    """One token: its kind, its source text, where it starts, and its value.

    ``kind`` is one of ``number``, ``string``, ``path``, ``keyword``, ``op``, ``end``.
    ``value`` is the number, the decoded string, the tuple of path segments, or the
    upper-cased keyword; for operators and the end it is the text itself.
    """

    kind: str
    text: str
    column: int
    value: Any

    def describe(self) -> str:
        """The token as an error message names it."""
        if self.kind == "end":
            return "the end of the expression"
        shown = self.text if len(self.text) <= 24 else self.text[:21] + "..."
        if self.kind == "keyword":
            return f"keyword {shown!r}"
        return repr(shown)


def _is_name_start(char: str) -> bool:
    return char == "_" or char.isalpha()


def _is_name_char(char: str) -> bool:
    return char == "_" or char.isalnum()


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


class _Scanner:
    """Walks the text once, left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)
        self.position = 0

    def fail(self, message: str, position: int) -> ExpressionError:
        return ExpressionError(message, self.text, position + 1)

    def tokens(self) -> list[Token]:
        text = self.text
        found: list[Token] = []
        while True:
            while self.position < self.length and text[self.position].isspace():
                self.position += 1
            if self.position >= self.length:
                column = len(text.rstrip()) + 1
                found.append(Token("end", "", column, ""))
                return found
            found.append(self._token())

    def _token(self) -> Token:
        text = self.text
        start = self.position
        char = text[start]
        if _is_digit(char):
            return self._number()
        if char in "\"'":
            value = self._string()
            return Token("string", text[start : self.position], start + 1, value)
        if _is_name_start(char):
            return self._word()
        pair = text[start : start + 2]
        if pair in _TWO_CHAR_OPERATORS:
            self.position += 2
            return Token("op", pair, start + 1, pair)
        if char in _ONE_CHAR_OPERATORS:
            self.position += 1
            return Token("op", char, start + 1, char)
        if char == "." and start + 1 < self.length and _is_digit(text[start + 1]):
            raise self.fail("a number needs a digit before '.'; write 0.5, not .5", start)
        if char in _HINTS:
            raise self.fail(_HINTS[char], start)
        raise self.fail(f"unexpected character {char!r}", start)

    def _digits(self) -> None:
        while self.position < self.length and _is_digit(self.text[self.position]):
            self.position += 1

    def _number(self) -> Token:
        text = self.text
        start = self.position
        self._digits()
        is_float = False
        if (
            self.position + 1 < self.length
            and text[self.position] == "."
            and _is_digit(text[self.position + 1])
        ):
            self.position += 1
            self._digits()
            is_float = True
        if self.position < self.length and text[self.position] in "eE":
            mark = self.position + 1
            if mark < self.length and text[mark] in "+-":
                mark += 1
            if mark < self.length and _is_digit(text[mark]):
                self.position = mark
                self._digits()
                is_float = True
        if self.position < self.length and (
            _is_name_char(text[self.position]) or text[self.position] == "."
        ):
            end = self.position
            while end < self.length and (_is_name_char(text[end]) or text[end] == "."):
                end += 1
            raise self.fail(f"invalid number {text[start:end]!r}", start)
        literal = text[start : self.position]
        if is_float:
            return Token("number", literal, start + 1, float(literal))
        try:
            return Token("number", literal, start + 1, int(literal))
        except ValueError:  # more digits than Python converts
            raise self.fail(f"number too long ({len(literal)} digits)", start) from None

    def _string(self) -> str:
        text = self.text
        start = self.position
        quote = text[start]
        self.position += 1
        pieces: list[str] = []
        while True:
            stop = self.position
            while stop < self.length and text[stop] not in (quote, "\\"):
                stop += 1
            pieces.append(text[self.position : stop])
            if stop >= self.length:
                raise self.fail(f"unterminated string; expected a closing {quote}", start)
            if text[stop] == quote:
                self.position = stop + 1
                return "".join(pieces)
            pieces.append(self._escape(stop, start, quote))

    def _escape(self, backslash: int, start: int, quote: str) -> str:
        text = self.text
        if backslash + 1 >= self.length:
            raise self.fail(f"unterminated string; expected a closing {quote}", start)
        code = text[backslash + 1]
        if code in _ESCAPES:
            self.position = backslash + 2
            return _ESCAPES[code]
        if code == "u":
            digits = text[backslash + 2 : backslash + 6]
            if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                self.position = backslash + 6
                return chr(int(digits, 16))
            raise self.fail("expected four hex digits after '\\u'", backslash)
        raise self.fail(f"unknown escape '\\{code}'", backslash)

    def _name(self) -> str:
        start = self.position
        while self.position < self.length and _is_name_char(self.text[self.position]):
            self.position += 1
        return self.text[start : self.position]

    def _word(self) -> Token:
        start = self.position
        first = self._name()
        if first.upper() in KEYWORDS:
            return Token("keyword", first, start + 1, first.upper())
        segments = [first]
        text = self.text
        while self.position < self.length:
            char = text[self.position]
            if char == ".":
                after = self.position + 1
                if after < self.length and _is_name_char(text[after]):
                    self.position = after
                    segments.append(self._name())
                    continue
                raise self.fail("expected a name after '.'", after)
            if char == "[":
                segments.append(self._subscript())
                continue
            break
        return Token("path", text[start : self.position], start + 1, tuple(segments))

    def _subscript(self) -> str:
        """``["key"]`` or ``[0]`` written right after a path: one more segment."""
        text = self.text
        opening = self.position
        self.position += 1
        self._skip_spaces()
        if self.position < self.length and text[self.position] in "\"'":
            key = self._string()
        elif self.position < self.length and _is_digit(text[self.position]):
            begin = self.position
            self._digits()
            key = text[begin : self.position]
        else:
            raise self.fail("expected a quoted key or an index after '['", self.position)
        self._skip_spaces()
        if self.position >= self.length or text[self.position] != "]":
            raise self.fail(
                f"expected ']' to close the '[' from column {opening + 1}", self.position
            )
        self.position += 1
        return key

    def _skip_spaces(self) -> None:
        while self.position < self.length and self.text[self.position].isspace():
            self.position += 1


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with one ``end`` token."""
    return _Scanner(text).tokens()
