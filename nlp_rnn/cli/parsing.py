"""Argument parsing that reports a bad flag as one line, like every other user error."""

from __future__ import annotations

import argparse
import sys


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(2)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def probability(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], not {text}")
    return value


def add_group(subparsers, name: str, help_text: str, description: str | None = None):
    """A command group (``nlp-rnn NAME ...``) whose subcommands are registered by the caller."""
    group = subparsers.add_parser(name, help=help_text, description=description or help_text)
    commands = group.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    group.set_defaults(handler=lambda args: _missing_command(group))
    return commands


def _missing_command(group: argparse.ArgumentParser) -> int:
    group.error("choose a command")
    return 2
