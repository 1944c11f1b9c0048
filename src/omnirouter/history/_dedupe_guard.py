"""The household and neighbour guard: people who share a home are not one person.

Household members share a family name, an address and often the landline; neighbours
in an apartment block share the address. Those fields then add a lot of weight that
says nothing about whether two records are one *person*. For a pair that shares a
home (address ``same`` or ``same building``) the guard therefore looks only at the
personal fields — given name, birth date, e-mail and a mobile number — and vetoes the
pair unless they speak for one person:

* same or no family name (a household): another given name — also one that only
  *sounds* alike (Anna/Emma) — is vetoed unless the birth date agrees and neither
  e-mail address nor mobile number differs (twins); another birth date (father and son
  of one name) unless the mobile number agrees; otherwise the personal fields' weights
  must add up to more than zero;
* another family name (neighbours, or a marriage): the given name must agree and so
  must the birth date, the e-mail address or the mobile number — a woman who took her
  husband's name keeps her given name and birth date, a neighbour does not.

Pairs whose given names are of another sex, or whose given names and birth dates
both clearly differ, are vetoed earlier, while comparing (``PairComparer.hard_veto``).
A pair that does not share a home is left to the model. On data without households
(Febrl) the guard changes little: a duplicate there shares its home and keeps either
its given name or its birth date.
"""

from __future__ import annotations

from omnirouter.history._dedupe_compare import (
    COMMON,
    DIFFERENT,
    EXACT,
    SAME,
    SAME_BUILDING,
    SIMILAR,
    SOUNDS_ALIKE,
    PatternCodec,
)
from omnirouter.history._dedupe_em import FellegiSunterModel

__all__ = ["guard_vetoes"]

_GIVEN_AGREES = (EXACT, COMMON, SIMILAR)
_SHARED_HOME = (SAME, SAME_BUILDING)
# Levels of the personal contact fields that count: agreeing e-mail (exact, one typo),
# birth date (exact, day/month swapped, one typo) and an exact mobile number.
_BIRTH_AGREES = (0, 1, 2)
_EMAIL_AGREES = (0, 1)  # exact, one typo
_EMAIL_DIFFERENT = 3
_MOBILE_EXACT = 0
_BIRTH_DIFFERENT = 3
_PHONE_MOBILES = 4


def guard_vetoes(codec: PatternCodec, model: FellegiSunterModel, pattern: int) -> bool:
    """Whether the guard vetoes the pairs of one comparison pattern."""
    fields = model.fields
    levels = dict(zip(fields, codec.decode(pattern), strict=True))
    if levels.get("address") not in _SHARED_HOME:
        return False
    given = levels.get("given_name")
    birth = levels.get("birth_date")
    email = levels.get("email")
    phone = levels.get("phone")
    contact = email in _EMAIL_AGREES or phone == _MOBILE_EXACT
    if levels.get("family_name") == DIFFERENT:
        # Neighbours, unless the given name agrees and so does a personal contact.
        return not (given in _GIVEN_AGREES and contact)
    if given in (SOUNDS_ALIKE, DIFFERENT):
        # Another household member (a twin, if the birth date agrees), unless the birth
        # date agrees and no personal contact disagrees.
        return birth not in _BIRTH_AGREES or email == _EMAIL_DIFFERENT or phone == _PHONE_MOBILES
    if birth == _BIRTH_DIFFERENT:
        # Father and son of one name (who may share the family's e-mail address),
        # unless the mobile number agrees.
        return not (given in _GIVEN_AGREES and phone == _MOBILE_EXACT)
    weight_of = {
        field: model.level_weight(index, levels[field]) for index, field in enumerate(fields)
    }
    personal = sum(weight_of.get(field, 0.0) for field in ("given_name", "birth_date", "email"))
    if phone in (_MOBILE_EXACT, _PHONE_MOBILES):
        personal += weight_of["phone"]
    return personal <= 0.0
