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
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    from embeddings.errors import VectorsError
    from nlp_rnn.errors import UserError

    try:
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


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"nlp-rnn: error: {message}\n")
    return code
