"""The default text model: char-small (2×128 LSTM) on the built-in Lee corpus, 4 epochs
(about 30 s on 2 cores), trained on first use and cached."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from nlp_rnn.defaults import default_dir, train_once
from nlp_rnn.textgen.corpus import builtin_path
from nlp_rnn.textgen.pipeline import TextModel, TextOptions, load_text_model, train_text

OPTIONS = TextOptions(corpus="lee", level="char", preset="char-small", overrides=(("epochs", 4),), seed=0)


def default_model_dir() -> Path:
    return default_dir("textgen-default", builtin_path().read_bytes()[:4096] + repr(OPTIONS).encode(),
                       ("textgen", "text.py", "vocab.py"))


def load_default(progress: bool = True, callbacks=(), device: str | None = None) -> TextModel:
    """The default model on ``device`` (see ``devices.resolve``), trained there first if this machine has none."""
    def fit(directory: Path) -> None:
        train_text(replace(OPTIONS, device=device), directory, callbacks=list(callbacks), progress=progress)

    return train_once(default_model_dir(), fit, partial(load_text_model, device=device),
                      "the default text model (about 30 s)")
