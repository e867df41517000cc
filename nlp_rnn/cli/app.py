"""``nlp-rnn app``: the Streamlit suite, what ``make app`` starts."""

from __future__ import annotations

from pathlib import Path

from nlp_rnn.cli.parsing import bounded_int

HOME = Path(__file__).resolve().parents[2] / "apps" / "Home.py"


def register(subparsers, name: str, help_text: str) -> None:
    app = subparsers.add_parser(name, help=help_text, description="Serve the Streamlit suite (headless) and print its URL.")
    app.add_argument("--address", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    app.add_argument("--port", type=bounded_int(1, 65_535), default=8501, help="port (default 8501)")
    app.set_defaults(handler=run_app)


def run_app(args) -> int:
    import importlib.util
    import subprocess
    import sys

    from nlp_rnn.errors import UserError

    if importlib.util.find_spec("streamlit") is None:
        raise UserError("Streamlit is not installed; install the app extra: pip install -e '.[app]' (or run make app)")
    if not HOME.is_file():
        raise UserError(f"{HOME} not found; run the suite from a source checkout of nlp-rnn")
    print(f"nlp-rnn suite: http://{args.address}:{args.port}", flush=True)
    command = [sys.executable, "-m", "streamlit", "run", str(HOME), "--server.headless", "true",
               "--server.address", args.address, "--server.port", str(args.port)]
    return subprocess.call(command, cwd=HOME.parent.parent)
