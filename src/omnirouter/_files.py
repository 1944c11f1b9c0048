"""Reading the files a user names: confined, bounded, never hanging, never echoed (private).

Every file a scenario refers to (``extends``, a strategy file, an arrival log, an
empirical distribution) and every CSV the command line reads goes through here:

* a reference must stay inside the folder of the file that names it, unless the
  caller allows more;
* only regular files are read: a FIFO, ``/dev/zero`` or a folder is refused before
  it is opened, so nothing hangs or reads without end;
* a file larger than :attr:`omnirouter.Limits.file_bytes` is refused unread;
* a decoding error says where (byte offset) and what to do, never what the bytes were.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omnirouter.errors import ErrorDetail, ValidationError
from omnirouter.limits import DEFAULT_LIMITS, Limits

__all__ = ["csv_field_limit", "decode", "read_bytes", "read_text", "reference"]


def _refuse(title: str, where: tuple[str | int, ...], message: str) -> ValidationError:
    return ValidationError(title, [ErrorDetail(where, message)])


def reference(
    name: str | Path,
    base: Path | None,
    *,
    title: str,
    where: tuple[str | int, ...],
    allow_outside: bool = False,
) -> Path:
    """The path a file reference ``name`` means, relative to ``base``.

    Unless ``allow_outside``, the resolved path must lie inside ``base`` (``..`` and
    absolute paths that leave it are refused).
    """
    path = Path(name)
    if "\x00" in str(path):
        raise _refuse(title, where, "a file name cannot hold a NUL character")
    if base is not None and not path.is_absolute():
        path = base / path
    if base is not None and not allow_outside:
        folder = base.resolve()
        try:
            inside = path.resolve().is_relative_to(folder)
        except (OSError, RuntimeError):  # a symlink loop
            inside = False
        if not inside:
            raise _refuse(
                title,
                where,
                f"{str(name)!r} lies outside the folder {str(folder)!r}; file references "
                "must stay inside the scenario's folder (allow_files_outside=True, or "
                "--allow-files-outside, permits others)",
            )
    return path


def check_regular(path: Path, *, title: str, where: tuple[str | int, ...], limits: Limits) -> int:
    """The size of ``path``; refuses what is missing, not a regular file, or too large."""
    try:
        info = path.stat()
    except ValueError:  # a NUL character in the name
        raise _refuse(title, where, "a file name cannot hold a NUL character") from None
    except OSError as error:
        raise _refuse(title, where, f"cannot read {str(path)!r}: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(
            title, where, f"{str(path)!r} is not a regular file (a folder, device or pipe)"
        )
    if info.st_size > limits.file_bytes:
        raise _refuse(
            title,
            where,
            f"{str(path)!r} has {info.st_size:,} bytes, more than the limit of "
            f"{limits.file_bytes:,} (Limits.file_bytes)",
        )
    return info.st_size


def read_bytes(
    path: Path,
    *,
    title: str,
    where: tuple[str | int, ...] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """The bytes of a regular file no larger than the limit."""
    check_regular(path, title=title, where=where, limits=limits)
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, open
        # returns at once instead of waiting for a writer.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(limits.file_bytes + 1)
    except OSError as error:
        raise _refuse(title, where, f"cannot read {str(path)!r}: {error.strerror}") from None
    if len(data) > limits.file_bytes:
        raise _refuse(title, where, f"{str(path)!r} is larger than Limits.file_bytes")
    return data


def decode(
    data: bytes, *, path: Path, title: str, where: tuple[str | int, ...], encoding: str = "utf-8"
) -> str:
    """Text from bytes; a byte-order mark (UTF-8 or UTF-16) is honoured and dropped when
    ``encoding`` is UTF-8; errors give advice, not content."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise _refuse(title, where, f"unknown encoding {encoding!r}") from None
    if codecs.lookup(encoding).name == "utf-8":
        # The byte-order mark decides: UTF-8 with or without one, or UTF-16 (what Excel
        # writes as "Unicode text").
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _refuse(
            title,
            where,
            f"{str(path)!r} is not {encoding.removesuffix('-sig').upper()} text (byte "
            f"{error.start:,} cannot be decoded); save it as UTF-8, or name its encoding "
            "(e.g. --encoding cp1252 for an Excel export)",
        ) from None


def read_text(
    path: Path,
    *,
    title: str,
    where: tuple[str | int, ...] = (),
    limits: Limits = DEFAULT_LIMITS,
    encoding: str = "utf-8",
) -> str:
    """The text of a regular file no larger than the limit (see :func:`decode`)."""
    data = read_bytes(path, title=title, where=where, limits=limits)
    return decode(data, path=path, title=title, where=where, encoding=encoding)


@contextmanager
def csv_field_limit(limits: Limits) -> Iterator[None]:
    """Let the csv module accept fields up to ``limits.field_chars`` inside the block."""
    previous = csv.field_size_limit()
    csv.field_size_limit(limits.field_chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def csv_rows(
    text: str,
    *,
    path: Path,
    title: str,
    limits: Limits = DEFAULT_LIMITS,
    delimiter: str = ",",
) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV text; an over-long field or broken quoting is a typed error."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    with csv_field_limit(limits):
        try:
            header = reader.fieldnames
            rows = list(reader)
        except csv.Error as error:
            reason = (
                f"a field is longer than {limits.field_chars:,} characters (Limits.field_chars)"
                if "field larger" in str(error)
                else "it is not valid CSV"
            )
            raise _refuse(title, (path.name, reader.line_num), f"{str(path)!r}: {reason}") from None
    if header is None:
        raise _refuse(title, (path.name,), f"{str(path)!r} is empty")
    return list(header), rows
