"""The ``omnirouter`` command line: one sub-command per module, dispatched here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from omnirouter import __version__
from omnirouter._cli import dedupe, erlang, plan, schema, simulate
from omnirouter.errors import OmnirouterError

__all__ = ["main"]

#: Sub-command modules; each has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args)``.
_COMMANDS = (schema, erlang, simulate, plan, dedupe)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="omnirouter",
        description="Simulate routing policies, size staffing, find duplicate contacts, "
        "and export the JSON Schemas of omnirouter's models.",
    )
    parser.add_argument("--version", action="version", version=f"omnirouter {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        # argparse %-formats help texts; a literal "80 %" in a HELP must not break --help.
        help_text = command.HELP.replace("%", "%%")
        sub_parser = sub.add_parser(command.NAME, help=help_text, description=help_text)
        command.add_arguments(sub_parser)
        sub_parser.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except OmnirouterError as error:
        print(f"omnirouter {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
