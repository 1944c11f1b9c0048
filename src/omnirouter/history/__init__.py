"""Contact history: normalisation, phonetic keys and duplicate finding.

Use it as ``om.history`` after ``import omnirouter as om``.
"""

from omnirouter.history.duplicates import (
    BIRTH_YEAR_PIVOT,
    DEDUPE_FIELDS,
    MIN_RECORDS_FOR_EM,
    PRIOR_DUPLICATE_SHARE,
    PRIOR_PROBABILITIES,
    BlockTooLargeError,
    DedupeStats,
    DuplicatePair,
    DuplicateResult,
    FellegiSunterModel,
    FieldEvidence,
    UnknownColumnError,
    find_duplicates,
)
from omnirouter.history.erasure import KEEPABLE, ErasureReport
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
from omnirouter.history.store import AnonymousIdentity, ContactHistory
from omnirouter.history.timeline import PlannedActivity, Quote, Timeline, TimelineEntry

__all__ = [
    "BIRTH_YEAR_PIVOT",
    "DEDUPE_FIELDS",
    "KEEPABLE",
    "MIN_RECORDS_FOR_EM",
    "PHONETIC_METHODS",
    "PRIOR_DUPLICATE_SHARE",
    "PRIOR_PROBABILITIES",
    "AnonymousIdentity",
    "BlockTooLargeError",
    "ContactHistory",
    "DedupeStats",
    "DuplicatePair",
    "DuplicateResult",
    "ErasureReport",
    "FellegiSunterModel",
    "FieldEvidence",
    "FieldProvenance",
    "GoldenContact",
    "IdentityGraph",
    "IdentityKey",
    "IdentityKind",
    "IdentityLink",
    "MergeResult",
    "NameParts",
    "PhoneticMethod",
    "PlannedActivity",
    "Quote",
    "SurvivorshipRule",
    "SurvivorshipRules",
    "Timeline",
    "TimelineEntry",
    "UnknownColumnError",
    "cologne_phonetics",
    "cologne_phonetics_many",
    "find_duplicates",
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
