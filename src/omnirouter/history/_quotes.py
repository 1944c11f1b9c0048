"""Finding prices quoted in an interaction ("Angebot: 49,90 €"), so the next agent sees them."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation

import attrs
from pydantic import JsonValue

from omnirouter.model.interaction import Interaction

__all__ = ["Quote", "find_quotes"]

_NUMBER = r"\d+(?:[.'\u00a0\u202f]\d{3})*(?:[.,]\d{1,2})?(?:,-{1,2})?"
_SYMBOL = r"€|\$|£|(?<![a-z])(?:Euro|EUR|US\$|USD|GBP|CHF|Fr\.)(?![a-z])"
_PRICE = re.compile(
    rf"(?:(?P<before>{_SYMBOL})\s?(?P<amount_after>{_NUMBER}))"
    rf"|(?:(?<![\w.,])(?P<amount_before>{_NUMBER})\s?(?P<after>{_SYMBOL}))",
    re.IGNORECASE,
)
_CURRENCIES = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "gbp": "GBP",
    "£": "GBP",
    "chf": "CHF",
    "fr.": "CHF",
}
# Attributes whose numeric value is a price when a ``currency`` attribute says in what.
_PRICE_KEYS = frozenset({"price", "quote", "offer", "amount", "angebot", "preis"})


@attrs.frozen
class Quote:
    """A price mentioned in an interaction: amount, ISO currency, the text, and where."""

    amount: Decimal
    currency: str
    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def _amount(text: str) -> Decimal | None:
    digits = text.replace("\u00a0", "").replace("\u202f", "").replace("'", "")
    digits = digits.removesuffix(",--").removesuffix(",-")
    last_comma, last_dot = digits.rfind(","), digits.rfind(".")
    decimal_at = max(last_comma, last_dot)
    # A separator followed by exactly three digits groups thousands ("1.234"); one or
    # two digits after the last separator are cents ("49,90", "49.9").
    if decimal_at >= 0 and len(digits) - decimal_at - 1 == 3:
        decimal_at = -1
    whole = digits[:decimal_at] if decimal_at >= 0 else digits
    cents = digits[decimal_at + 1 :] if decimal_at >= 0 else ""
    whole = whole.replace(".", "").replace(",", "")
    try:
        return Decimal(f"{whole}.{cents}" if cents else whole)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def _in_text(text: str, where: str) -> Iterator[Quote]:
    for match in _PRICE.finditer(text):
        symbol = match.group("before") or match.group("after")
        number = match.group("amount_after") or match.group("amount_before")
        amount = _amount(number)
        if amount is not None:
            yield Quote(amount, _CURRENCIES[symbol.casefold()], match.group(0).strip(), where)


def _in_json(value: JsonValue, where: str, siblings: Mapping[str, JsonValue]) -> Iterator[Quote]:
    if isinstance(value, str):
        yield from _in_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _in_json(item, f"{where}.{key}", value)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _in_json(item, f"{where}.{position}", {})
    elif isinstance(value, int | float) and not isinstance(value, bool):
        key = where.rsplit(".", 1)[-1].casefold()
        currency = siblings.get("currency")
        if key in _PRICE_KEYS and isinstance(currency, str):
            code = _CURRENCIES.get(currency.casefold(), currency.upper())
            yield Quote(Decimal(str(value)), code, f"{value} {currency}", where)


def find_quotes(interaction: Interaction) -> tuple[Quote, ...]:
    """Every price in the subject, the preview and the attributes of ``interaction``."""
    quotes: list[Quote] = []
    if interaction.subject:
        quotes += _in_text(interaction.subject, "subject")
    if interaction.preview:
        quotes += _in_text(interaction.preview, "preview")
    quotes += _in_json(dict(interaction.attributes), "attributes", {})
    return tuple(quotes)
