"""``omnirouter schema``: write the JSON Schema of every document a user writes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from omnirouter.documents import SCHEMA_DOCUMENTS, json_schema
from omnirouter.errors import ErrorDetail, ValidationError

NAME = "schema"
HELP = (
    "Write the JSON Schema of every document you write (scenario, strategy, service-level "
    "policy, blending and invite rules, outbound policy, channels, interactions, agents, "
    "contacts) to a folder, or to stdout as one document."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write one <Model>.schema.json per model into (default: print to stdout)",
    )


def all_schemas() -> dict[str, object]:
    """Model name → JSON Schema (with ``$schema`` and ``$id``), for every document."""
    return {model.__name__: json_schema(model) for model in SCHEMA_DOCUMENTS}


def run(args: argparse.Namespace) -> int:
    schemas = all_schemas()
    out: Path | None = args.out
    if out is None:
        json.dump(schemas, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    if out.exists() and not out.is_dir():
        raise ValidationError(
            "omnirouter schema", [ErrorDetail(["--out"], f"{str(out)!r} is a file, not a folder")]
        )
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(path)
    return 0
