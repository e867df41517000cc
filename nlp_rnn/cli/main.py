"""``nlp-rnn``: entry point. User errors become one line on stderr and exit code 2."""

from __future__ import annotations

import importlib
import logging
import os
import sys

from nlp_rnn.cli.parsing import Parser

# group → (module registering its commands, one-line help)
GROUPS = {
    "emojify": ("nlp_rnn.cli.emojify", "classify sentences into emoji"),
    "text": ("nlp_rnn.cli.text", "train character/word language models and generate text"),
    "jazz": ("nlp_rnn.cli.jazz", "learn from MIDI and improvise jazz solos"),
    "embeddings": ("nlp_rnn.cli.embeddings", "load, inspect and convert word vectors"),
    "lab": ("nlp_rnn.cli.lab", "the classic RNN exercises"),
    "app": ("nlp_rnn.cli.app", "start the Streamlit suite in a browser"),
}


def build_parser() -> Parser:
    parser = Parser(prog="nlp-rnn", description="Recurrent-network applications: " + ", ".join(GROUPS) + ".")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the library does")
    subparsers = parser.add_subparsers(dest="group", metavar="GROUP", parser_class=Parser)
    for name, (module, help_text) in GROUPS.items():
        importlib.import_module(module).register(subparsers, name, help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        return 2
    quiet = not args.verbose or int(os.environ.get("RANK", "0")) > 0  # under N ranks rank 0 alone logs and prints
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(name)s: %(message)s")
    if int(os.environ.get("RANK", "0")) > 0:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the rank)
    from embeddings.errors import VectorsError
    from nlp_rnn.errors import UserError

    try:
        if hasattr(args, "engine"):  # a command that can run on numpy: without torch's import when it does
            from nlp_rnn.engines import choose

            args.engine = choose(args.engine, args.device, args.precision)
            if args.engine == "numpy":
                return int(args.handler(args) or 0)
        if hasattr(args, "device"):
            from nlp_rnn.devices import Placement

            placement = Placement.of(args.device, args.precision)  # a missing GPU fails here, in one line
            if getattr(args, "nproc", 1) != 1 and not distributed_launched():
                return launch_ranks(argv if argv is not None else sys.argv[1:], args, placement.device)
            if args.inference:  # autocast around the model calls (a trainer sets its own, around forward passes only)
                with placement.autocast():
                    return int(args.handler(args) or 0)
        return int(args.handler(args) or 0)
    except (UserError, VectorsError) as error:
        return _fail(str(error))
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as cat and grep do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 141  # 128 + SIGPIPE, what the shell reports for them
    except OSError as error:  # unreadable or unwritable files the commands did not anticipate
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{where}{error.strerror or error}; check the path and its permissions")
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)


def distributed_launched() -> bool:
    from nlp_rnn.distributed import launched

    return launched()


def launch_ranks(argv: list[str], args, device) -> int:
    """``--nproc N``: this process becomes the elastic launcher and runs the same command N times."""
    from nlp_rnn.distributed import auto_nproc, check_batch, launch

    ranks = auto_nproc(device) if args.nproc == "auto" else args.nproc
    check_batch(getattr(args, "batch_size", None), ranks)
    if ranks == 1:
        return int(args.handler(args) or 0)
    return launch(argv, ranks, args.max_restarts)


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"nlp-rnn: error: {message}\n")
    return code
