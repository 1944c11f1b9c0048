"""``omnirouter schema``: write the JSON Schema of every boundary model."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from omnirouter.model import SCHEMA_MODELS

NAME = "schema"
HELP = "Write the JSON Schema of every boundary model (to a folder, or stdout as one document)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write one <Model>.schema.json per model into (default: print to stdout)",
    )


def all_schemas() -> dict[str, object]:
    """Model name → JSON Schema, for every boundary model."""
    return {model.__name__: model.model_json_schema() for model in SCHEMA_MODELS}


def run(args: argparse.Namespace) -> int:
    schemas = all_schemas()
    out: Path | None = args.out
    if out is None:
        json.dump(schemas, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(path)
    return 0
