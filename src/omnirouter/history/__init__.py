"""Contact history: normalisation, phonetic keys and duplicate finding (R-HI1…R-HI7).

Use it as ``om.history`` after ``import omnirouter as om``.
"""

from omnirouter.history.identity import IdentityGraph, IdentityKey, IdentityKind, IdentityLink
from omnirouter.history.merge import (
    FieldProvenance,
    GoldenContact,
    MergeResult,
    SurvivorshipRule,
    SurvivorshipRules,
    merge,
    unmerge,
)
from omnirouter.history.normalize import (
    NameParts,
    fold_text,
    name_parts,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_street,
)
from omnirouter.history.phonetics import (
    PHONETIC_METHODS,
    PhoneticMethod,
    cologne_phonetics,
    cologne_phonetics_many,
    phonetic_key,
)

__all__ = [
    "PHONETIC_METHODS",
    "FieldProvenance",
    "GoldenContact",
    "IdentityGraph",
    "IdentityKey",
    "IdentityKind",
    "IdentityLink",
    "MergeResult",
    "NameParts",
    "PhoneticMethod",
    "SurvivorshipRule",
    "SurvivorshipRules",
    "cologne_phonetics",
    "cologne_phonetics_many",
    "fold_text",
    "merge",
    "name_parts",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_street",
    "phonetic_key",
    "unmerge",
]
