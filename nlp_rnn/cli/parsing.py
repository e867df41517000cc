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


def device_spec(text: str) -> str:
    from nlp_rnn.devices import check_spec
    from nlp_rnn.errors import UserError

    try:
        return check_spec(text)
    except UserError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a device; use auto, cpu, cuda, cuda:N or mps") from None


def nproc(text: str) -> int | str:
    return text if text == "auto" else positive_int(text)


def add_device_options(parser: argparse.ArgumentParser, trains: bool = False, ranks: bool = False) -> None:
    """--device and --precision for a command that runs a model; with ``ranks``, --nproc and --max-restarts too.
    ``main`` checks the device exists before the command runs, starts the ranks of --nproc and, for a
    command that does not train (the trainer sets its own), runs it under the precision's autocast."""
    parser.set_defaults(inference=not trains)
    parser.add_argument("--device", type=device_spec, default=None,
                        help="auto|cpu|cuda|cuda:N|mps (default: $NLP_RNN_DEVICE, else auto: CUDA, then MPS, then the CPU)")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16"], default="fp32",
                        help="fp32 (default), bf16 (autocast) or fp16 (autocast + gradient scaling; GPUs only)")
    if ranks:
        parser.add_argument("--nproc", type=nproc, default=1,
                            help="ranks on this machine, through torch's elastic launcher (as torchrun); "
                                 "--batch-size stays the global batch; auto: one per GPU, on a CPU the faster layout")
        parser.add_argument("--max-restarts", type=int, default=0,
                            help="with --nproc: restart failed ranks this often; they resume from the last epoch saved")


def add_group(subparsers, name: str, help_text: str, description: str | None = None):
    """A command group (``nlp-rnn NAME ...``) whose subcommands are registered by the caller."""
    group = subparsers.add_parser(name, help=help_text, description=description or help_text)
    commands = group.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    group.set_defaults(handler=lambda args: _missing_command(group))
    return commands


def _missing_command(group: argparse.ArgumentParser) -> int:
    group.error("choose a command")
    return 2
