"""Where nlp-rnn keeps what it makes for the user: $NLP_RNN_CACHE, else ~/.cache/nlp-rnn."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("NLP_RNN_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nlp-rnn"
