"""The ``omnirouter`` command line: one sub-command per module, dispatched here.

One error path for every command: an :class:`omnirouter.OmnirouterError` or an
operating-system error (a missing file, a full disk) ends the command with exit
code 2 and one line on standard error naming what and where; a reader that closes
the pipe early (``omnirouter schema | head -1``) ends it quietly. Warnings about
legal but suspicious input (:class:`omnirouter.OmnirouterWarning`) are printed on
standard error, one line each, and do not change the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence

from omnirouter import __version__
from omnirouter._cli import dedupe, erlang, schema, simulate
from omnirouter._cli._report import one_line
from omnirouter.errors import OmnirouterError, OmnirouterWarning

__all__ = ["main"]

#: Sub-commands modules; each has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args)``.
_COMMANDS = (schema, erlang, simulate, dedupe)

#: The exit code of refused input (argparse uses it for bad options, too).
EXIT_REFUSED = 2


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


def _silence_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stream without a descriptor (tests): nothing to do
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = build_parser().parse_args(argv)
    prefix = f"omnirouter {args.command}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OmnirouterWarning)
        try:
            code = int(args.run(args))
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
            return 0
        except OmnirouterError as error:
            code = EXIT_REFUSED
            message = one_line(error, prefix)
        except OSError as error:
            code = EXIT_REFUSED
            where = f"{error.filename}: " if error.filename else ""
            message = f"{where}{error.strerror or error}"
        except KeyboardInterrupt:
            print(f"{prefix}: interrupted", file=sys.stderr)
            return 130
        else:
            message = ""
        for warning in caught:
            if issubclass(warning.category, OmnirouterWarning):
                print(f"{prefix}: warning: {warning.message}", file=sys.stderr)
            else:
                warnings.showwarning(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
    if message:
        print(f"{prefix}: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
