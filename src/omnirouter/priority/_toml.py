"""A small TOML writer for strategy documents (the standard library only reads TOML).

It writes what strategies hold: scalars, lists of scalars, tables of those, and
arrays of such tables, each as its own ``[[name]]`` block.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes once non-ASCII stays raw;
    # JSON leaves DEL unescaped, which TOML forbids.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007F")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("TOML documents here hold finite numbers only")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_table(item) for item in value)


def _table(lines: list[str], path: str, table: Mapping[str, Any]) -> None:
    """Write the scalar keys of ``table``, then its sub-tables as ``[path.key]``."""
    for key, value in table.items():
        if not _is_table(value) and not _is_table_array(value):
            lines.append(f"{_key(key)} = {_scalar(value)}")
    for key, value in table.items():
        sub = f"{path}.{_key(key)}" if path else _key(key)
        if _is_table(value):
            lines.append("")
            lines.append(f"[{sub}]")
            _table(lines, sub, value)
        elif _is_table_array(value):
            for item in value:
                lines.append("")
                lines.append(f"[[{sub}]]")
                _table(lines, sub, item)


def dumps_toml(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML document."""
    lines: list[str] = []
    _table(lines, "", data)
    return "\n".join(lines).lstrip("\n") + "\n"
