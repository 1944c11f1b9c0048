"""Importing what an optional extra provides, with one clear error when it is missing."""

from __future__ import annotations

import importlib
from typing import Any

from omnirouter.errors import OmnirouterError

__all__ = ["import_optional"]


def import_optional(module: str, extra: str = "notebook") -> Any:
    """``module``, imported; :class:`OmnirouterError` naming the extra to install if absent."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise OmnirouterError(
            f"{module.split('.')[0]} is needed for this; install it with "
            f"pip install 'omnirouter[{extra}]'"
        ) from error
