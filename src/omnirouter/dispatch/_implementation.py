"""Which implementation of the dispatch core runs: the compiled one, or the Python reference.

The compiled core (``omnirouter._native``, built from ``native/`` in Rust) is the one a
router uses. Setting the environment variable ``OMNIROUTER_PURE_PYTHON=1`` before
omnirouter is imported selects the pure-Python reference instead: the test suite runs
once with each, and a differential test compares them directly.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Final, Literal

__all__ = ["IMPLEMENTATION", "PURE_PYTHON_VARIABLE", "native_module"]

#: The environment variable that selects the pure-Python reference.
PURE_PYTHON_VARIABLE: Final = "OMNIROUTER_PURE_PYTHON"

_NATIVE_MISSING = (
    "omnirouter's compiled core (omnirouter._native) is not built: install omnirouter "
    "from a wheel, or build it from source with a Rust toolchain (`pip install .`, or "
    "`make` in a checkout); set {variable}=1 to run the pure-Python core instead"
)


def _pure_python_wanted() -> bool:
    value = os.environ.get(PURE_PYTHON_VARIABLE, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def native_module() -> ModuleType:
    """The compiled core module; ImportError with advice when it was never built."""
    try:
        return importlib.import_module("omnirouter._native")
    except ImportError as error:
        raise ImportError(_NATIVE_MISSING.format(variable=PURE_PYTHON_VARIABLE)) from error


def _choose() -> Literal["native", "python"]:
    if _pure_python_wanted():
        return "python"
    native_module()  # fails loudly rather than run a different core unannounced
    return "native"


#: ``"native"`` (the compiled core) or ``"python"`` (the reference), chosen at import.
IMPLEMENTATION: Final[Literal["native", "python"]] = _choose()
