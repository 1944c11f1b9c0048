"""``omnirouter dedupe``: find the duplicates in a CSV of contacts and write their clusters."""

from __future__ import annotations

import argparse
import codecs
import csv
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from omnirouter import _files
from omnirouter.errors import ErrorDetail, OmnirouterWarning, ValidationError
from omnirouter.history.duplicates import DEDUPE_FIELDS, DuplicateResult, find_duplicates
from omnirouter.limits import DEFAULT_LIMITS, Limits

NAME = "dedupe"
HELP = "Find duplicate contacts in a CSV file and write one row per record with its cluster."

#: Columns of the output file.
OUTPUT_COLUMNS = ("id", "cluster", "cluster_size", "best_match", "score", "explanation")

_PROGRESS_FROM = 10_000  # records; smaller files finish before a bar is worth drawing
_BAR_WIDTH = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", type=Path, help="CSV file with a header row ('-': standard input)")
    parser.add_argument(
        "--out", type=Path, default=None, help="CSV file to write (default: standard output)"
    )
    parser.add_argument("--id-column", default="id", help="column with the record id (id)")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"read FIELD from COLUMN; fields: {', '.join(DEDUPE_FIELDS)} (repeatable)",
    )
    parser.add_argument(
        "--threshold", type=float, default=0.5, help="match probability for a duplicate (0.5)"
    )
    parser.add_argument("--region", default="DE", help="default region of phone numbers (DE)")
    parser.add_argument(
        "--delimiter", default=",", help="field delimiter of the input: one character (,)"
    )
    parser.add_argument(
        "--encoding",
        default="utf-8",
        help="text encoding of the input (utf-8, a byte-order mark is recognised); "
        "e.g. cp1252 for a German Excel export",
    )
    parser.add_argument(
        "--max-field-size",
        type=int,
        default=DEFAULT_LIMITS.field_chars,
        metavar="CHARS",
        help=f"longest field accepted, in characters ({DEFAULT_LIMITS.field_chars:,})",
    )
    parser.add_argument(
        "--no-household-guard",
        action="store_true",
        help="turn off the household and neighbour guard (it keeps people who share a home "
        "apart unless given name, birth date, e-mail or mobile say they are one person)",
    )
    parser.add_argument(
        "--only-duplicates", action="store_true", help="write only records that have duplicates"
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", action="store_true", help="always show progress")
    progress.add_argument("--quiet", action="store_true", help="never show progress")


def _field_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    problems = []
    for text in pairs:
        field, equals, column = text.partition("=")
        if not equals or not field.strip() or not column.strip():
            problems.append(ErrorDetail(["map"], f"expected FIELD=COLUMN, got {text!r}"))
            continue
        mapping[field.strip()] = column.strip()
    if problems:
        raise ValidationError("omnirouter dedupe", problems)
    return mapping


class ProgressBar:
    """A one-line progress display on a text stream (stage, bar, elapsed seconds)."""

    def __init__(self, stream: TextIO, records: int) -> None:
        self.stream = stream
        self.records = records
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        if total:
            filled = round(_BAR_WIDTH * done / total)
            bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
            line = f"{stage:<8} [{bar}] {done}/{total}"
        else:
            line = f"{stage:<8} {done:,} of {self.records:,} records"
        self.stream.write(f"\r{line}  {elapsed:6.1f}s")
        self.stream.flush()

    def close(self) -> None:
        """End the progress line."""
        self.stream.write("\n")
        self.stream.flush()


#: Column headings of German exports, and the field each one holds.
_GERMAN_COLUMNS = {
    "vorname": "given_name",
    "nachname": "family_name",
    "name": "full_name",
    "geburtsdatum": "birth_date",
    "geburtstag": "birth_date",
    "telefon": "phone",
    "straße": "street",
    "strasse": "street",
    "hausnummer": "house_number",
    "plz": "postcode",
    "ort": "city",
    "e-mail": "email",
}
_NAME_FIELDS = ("given_name", "family_name", "full_name")


class DedupeWarning(OmnirouterWarning):
    """A deduplication that runs but compares less than the file holds."""


def _check_options(args: argparse.Namespace) -> None:
    problems = []
    if len(args.delimiter) != 1 or args.delimiter in ('"', "\r", "\n"):
        problems.append(
            ErrorDetail(["--delimiter"], "must be one character other than a quote or newline")
        )
    try:
        codecs.lookup(args.encoding)
    except LookupError:
        problems.append(ErrorDetail(["--encoding"], f"unknown encoding {args.encoding!r}"))
    if not 1 <= args.max_field_size <= 2**31 - 1:
        problems.append(ErrorDetail(["--max-field-size"], "must be from 1 to 2,147,483,647"))
    if not 0 < args.threshold < 1:
        problems.append(ErrorDetail(["--threshold"], "must lie strictly between 0 and 1"))
    if problems:
        raise ValidationError("omnirouter dedupe", problems)


def _rows(
    path: Path, delimiter: str, encoding: str = "utf-8", limits: Limits = DEFAULT_LIMITS
) -> tuple[list[str], list[dict[str, str]]]:
    title = "omnirouter dedupe"
    if str(path) == "-":
        data = sys.stdin.buffer.read(limits.file_bytes + 1)
        if len(data) > limits.file_bytes:
            raise ValidationError(
                title, [ErrorDetail(["input"], "standard input is larger than Limits.file_bytes")]
            )
        text = _files.decode(data, path=path, title=title, where=("input",), encoding=encoding)
    else:
        text = _files.read_text(
            path, title=title, where=("input",), limits=limits, encoding=encoding
        )
    return _files.csv_rows(
        text, path=path, title="omnirouter dedupe", limits=limits, delimiter=delimiter
    )


def _warn_unread(header: list[str], mapping: dict[str, str]) -> None:
    """Warn when no name column is read: duplicates would be found on e-mail and phone alone."""
    read = {field for field in DEDUPE_FIELDS if mapping.get(field, field) in header}
    if read & set(_NAME_FIELDS):
        return
    hints = [
        f"--map {_GERMAN_COLUMNS[column.strip().lower()]}={column}"
        for column in header
        if _GERMAN_COLUMNS.get(column.strip().lower()) not in (None, *read)
    ]
    compared = (
        f"records are compared on {', '.join(sorted(read))} only"
        if read
        else "no column is compared at all"
    )
    advice = f"; try {' '.join(hints)}" if hints else "; name the columns with --map FIELD=COLUMN"
    warnings.warn(DedupeWarning(f"no name column found, so {compared}{advice}"), stacklevel=2)


def output_rows(
    ids: list[str], result: DuplicateResult, *, only_duplicates: bool
) -> Iterator[dict[str, str]]:
    """One output row per record: its cluster and the strongest link that put it there."""
    cluster_number = {record_id: n for n, c in enumerate(result.clusters, 1) for record_id in c}
    best: dict[str, tuple[str, str, str]] = {}
    for pair in result.pairs:  # best first, so the first link seen per record wins
        if cluster_number.get(pair.id_a) != cluster_number.get(pair.id_b):
            continue
        for own, other in ((pair.id_a, pair.id_b), (pair.id_b, pair.id_a)):
            if own not in best:
                best[own] = (other, f"{pair.score:.6f}", pair.explain())
    for record_id in ids:
        number = cluster_number.get(record_id)
        if number is None and only_duplicates:
            continue
        match, score, explanation = best.get(record_id, ("", "", ""))
        yield {
            "id": record_id,
            "cluster": str(number) if number is not None else "",
            "cluster_size": str(len(result.clusters[number - 1])) if number is not None else "1",
            "best_match": match,
            "score": score,
            "explanation": explanation,
        }


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    limits = Limits(field_chars=args.max_field_size)
    header, rows = _rows(args.input, args.delimiter, args.encoding, limits)
    mapping = _field_map(args.map)
    _warn_unread(header, mapping)
    out: Path | None = args.out
    if out is not None and out.is_dir():
        raise ValidationError(
            "omnirouter dedupe", [ErrorDetail(["--out"], f"{str(out)!r} is a folder, not a file")]
        )
    # Opened before the work, so an unwritable --out is refused at once, not after it.
    handle = out.open("w", newline="", encoding="utf-8") if out is not None else sys.stdout
    try:
        result = _find(args, rows, mapping)
        ids = [str(row[args.id_column]) for row in rows]
        writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS)
        writer.writeheader()
        writer.writerows(output_rows(ids, result, only_duplicates=args.only_duplicates))
    finally:
        if out is not None:
            handle.close()
    duplicates = sum(len(cluster) for cluster in result.clusters)
    print(
        f"{len(rows)} records, {len(result.clusters)} clusters holding {duplicates} records",
        file=sys.stderr,
    )
    return 0


def _find(
    args: argparse.Namespace, rows: list[dict[str, str]], mapping: dict[str, str]
) -> DuplicateResult:
    show = args.progress or (not args.quiet and len(rows) >= _PROGRESS_FROM)
    bar = ProgressBar(sys.stderr, len(rows)) if show else None
    result = find_duplicates(
        rows,
        id_field=args.id_column,
        fields=mapping,
        threshold=args.threshold,
        default_region=args.region,
        household_guard=not args.no_household_guard,
        progress=bar,
    )
    if bar is not None:
        bar.close()
    return result
