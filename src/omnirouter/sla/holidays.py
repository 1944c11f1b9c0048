"""Ready holiday lists as RRULE data: Germany's nationwide public holidays and its states'.

Easter-based days use dateutil's ``BYEASTER`` (days after Easter Sunday), so the list
is right for every year without a table of dates.
"""

from __future__ import annotations

from typing import Final

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.sla.calendar import Holiday

__all__ = ["GERMAN_STATES", "german_holidays"]

_NATIONWIDE: Final = (
    ("Neujahr", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"),
    ("Karfreitag", "FREQ=YEARLY;BYEASTER=-2"),
    ("Ostermontag", "FREQ=YEARLY;BYEASTER=1"),
    ("Tag der Arbeit", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"),
    ("Christi Himmelfahrt", "FREQ=YEARLY;BYEASTER=39"),
    ("Pfingstmontag", "FREQ=YEARLY;BYEASTER=50"),
    ("Tag der Deutschen Einheit", "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3"),
    ("1. Weihnachtstag", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"),
    ("2. Weihnachtstag", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=26"),
)

_EPIPHANY = ("Heilige Drei Könige", "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=6")
_CORPUS_CHRISTI = ("Fronleichnam", "FREQ=YEARLY;BYEASTER=60")
_ASSUMPTION = ("Mariä Himmelfahrt", "FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=15")
_REFORMATION = ("Reformationstag", "FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=31")
_ALL_SAINTS = ("Allerheiligen", "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=1")
_WOMENS_DAY = ("Internationaler Frauentag", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8")
_CHILDRENS_DAY = ("Weltkindertag", "FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=20")
# Buß- und Bettag: the Wednesday before 23 November, i.e. the Wednesday in 16–22 Nov.
_REPENTANCE = ("Buß- und Bettag", "FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=16,17,18,19,20,21,22;BYDAY=WE")

#: The extra public holidays of each German state (ISO 3166-2 suffix), on top of the
#: nationwide ones. Holidays that only some municipalities keep are left out.
GERMAN_STATES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "BW": (_EPIPHANY, _CORPUS_CHRISTI, _ALL_SAINTS),
    "BY": (_EPIPHANY, _CORPUS_CHRISTI, _ALL_SAINTS),
    "BE": (_WOMENS_DAY,),
    "BB": (_REFORMATION,),
    "HB": (_REFORMATION,),
    "HH": (_REFORMATION,),
    "HE": (_CORPUS_CHRISTI,),
    "MV": (_WOMENS_DAY, _REFORMATION),
    "NI": (_REFORMATION,),
    "NW": (_CORPUS_CHRISTI, _ALL_SAINTS),
    "RP": (_CORPUS_CHRISTI, _ALL_SAINTS),
    "SL": (_CORPUS_CHRISTI, _ASSUMPTION, _ALL_SAINTS),
    "SN": (_REFORMATION, _REPENTANCE),
    "ST": (_EPIPHANY, _REFORMATION),
    "SH": (_REFORMATION,),
    "TH": (_CHILDRENS_DAY, _REFORMATION),
}


def german_holidays(state: str | None = None) -> list[Holiday]:
    """Germany's nationwide public holidays, plus those of ``state`` (e.g. ``"BY"``).

    >>> [h.name for h in german_holidays()][:3]
    ['Neujahr', 'Karfreitag', 'Ostermontag']
    """
    pairs = list(_NATIONWIDE)
    if state is not None:
        code = state.upper().removeprefix("DE-")
        if code not in GERMAN_STATES:
            raise ValidationError(
                "german_holidays",
                [
                    ErrorDetail(
                        ["state"], f"unknown state {state!r}; known: {sorted(GERMAN_STATES)}"
                    )
                ],
            )
        pairs += GERMAN_STATES[code]
    return [Holiday(name=name, rule=rule) for name, rule in pairs]
