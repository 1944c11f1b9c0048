"""Contact history: normalisation, phonetic keys and duplicate finding (R-HI1…R-HI7).

Use it as ``om.history`` after ``import omnirouter as om``.
"""

from omnirouter.history.normalize import (
    NameParts,
    fold_text,
    name_parts,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_street,
)

__all__ = [
    "NameParts",
    "fold_text",
    "name_parts",
    "normalize_email",
    "normalize_name",
    "normalize_phone",
    "normalize_street",
]
