"""Argument parsing that reports a bad flag as one line, like every other user error.

Every numeric flag goes through a bounded validator, so an absurd value (``--seed 2**64``,
``--end inf``, ``--hidden 10**9``) is refused at parse time with the flag named and exit code 2,
before anything is read, allocated or trained.
"""

from __future__ import annotations

import argparse
import math
import sys

from nlp_rnn.limits import SEED_MAX


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        sys.exit(2)


def bounded_int(low: int, high: int):
    """An argparse type: a whole number in ``low..high``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {low:,}-{high:,}, not {text[:40]}")
        return value

    return parse


def bounded_float(low: float, high: float, open_low: bool = False, open_high: bool = False):
    """An argparse type: a finite number in ``[low, high]`` (``(`` / ``)`` where the end is open)."""
    shown = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, not {text[:40]!r}") from None
        inside = (low < value if open_low else low <= value) and (value < high if open_high else value <= high)
        if not math.isfinite(value) or not inside:
            raise argparse.ArgumentTypeError(f"must be a finite number in {shown}, not {text[:40]}")
        return value

    return parse


def count(high: int):
    """An argparse type: a whole number in 1..``high``."""
    return bounded_int(1, high)


INT_MAX = 2**31 - 1  # the bound of a flag that has no tighter one
positive_int = bounded_int(1, INT_MAX)
non_negative_float = bounded_float(0.0, 1e12)
seed = bounded_int(0, SEED_MAX)
probability = bounded_float(0.0, 1.0, open_low=True)
fraction = bounded_float(0.0, 1.0, open_high=True)  # dropout and the like
temperature = bounded_float(0.0, 100.0)
learning_rate = bounded_float(0.0, 100.0, open_low=True)
minutes = bounded_float(0.0, 1e6)
STEPS = 10**12  # --max-steps
EPOCHS = 100_000


def device_spec(text: str) -> str:
    from nlp_rnn.device_names import check_spec
    from nlp_rnn.errors import UserError

    try:
        return check_spec(text)
    except UserError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a device; use auto, cpu, cuda, cuda:N or mps") from None


def nproc(text: str) -> int | str:
    return text if text == "auto" else positive_int(text)


def add_device_options(parser: argparse.ArgumentParser, trains: bool = False, ranks: bool = False,
                       precision: str = "fp32", precision_help: str = "") -> None:
    """--device and --precision for a command that runs a model; with ``ranks``, --nproc and --max-restarts too.
    ``main`` checks the device exists before the command runs, starts the ranks of --nproc and, for a
    command that does not train (the trainer sets its own), runs it under the precision's autocast."""
    parser.set_defaults(inference=not trains)
    parser.add_argument("--device", type=device_spec, default=None,
                        help="auto|cpu|cuda|cuda:N|mps (default: $NLP_RNN_DEVICE, else auto: CUDA, then MPS, then the CPU)")
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16", "auto"], default=precision,
                        help=precision_help or "fp32 (default), bf16 (autocast), fp16 (autocast + gradient scaling; "
                                               "GPUs only) or auto (bf16 where the device computes it natively)")
    if ranks:
        parser.add_argument("--nproc", type=nproc, default=1,
                            help="ranks on this machine, through torch's elastic launcher (as torchrun); "
                                 "--batch-size stays the global batch; auto: one per GPU, on a CPU the faster layout")
        parser.add_argument("--max-restarts", type=bounded_int(0, 100), default=0,
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
