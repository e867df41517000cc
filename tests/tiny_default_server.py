"""``python tests/tiny_default_server.py CORPUS PORT``: the Streamlit suite whose default text model is a tiny one
on CORPUS (seconds to train, not minutes), so that a browser test can interrupt a first use and see what it left.

The real first-use path (``textgen.default.load_default`` through the page) with its options swapped, as
tests/test_default_publish.py does for processes."""

import sys
from pathlib import Path

from nlp_rnn.textgen.pipeline import TextOptions


def tiny_options(corpus: str) -> TextOptions:
    return TextOptions(corpus=corpus, level="char", preset="char-small", seed=0, overrides=(
        ("epochs", 8), ("layers", 1), ("hidden", 16), ("embed", 16), ("batch_size", 4), ("bptt", 8)))


if __name__ == "__main__":
    from streamlit.web import cli

    from nlp_rnn.textgen import default

    corpus, port = sys.argv[1:3]
    default.OPTIONS = tiny_options(corpus)  # the pages run in this process and import this very module
    home = Path(__file__).resolve().parents[1] / "apps" / "Home.py"
    sys.argv = ["streamlit", "run", str(home), "--server.headless", "true", "--server.address", "127.0.0.1",
                "--server.port", port]
    cli.main()
