"""The default text model: char-small (2×128 LSTM) on the built-in Lee corpus, 4 epochs
(about 30 s on 2 cores), trained on first use and cached."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from nlp_rnn import checkpoint
from nlp_rnn.paths import cache_dir
from nlp_rnn.textgen.corpus import builtin_path
from nlp_rnn.textgen.pipeline import TextModel, TextOptions, load_text_model, train_text

log = logging.getLogger(__name__)
OPTIONS = TextOptions(corpus="lee", level="char", preset="char-small", overrides=(("epochs", 4),), seed=0)


def default_model_dir() -> Path:
    digest = hashlib.sha256(builtin_path().read_bytes()[:4096] + repr(OPTIONS).encode()).hexdigest()[:12]
    return cache_dir() / "models" / f"textgen-default-{digest}"


def load_default(progress: bool = True, callbacks=()) -> TextModel:
    directory = default_model_dir()
    if not checkpoint.exists(directory):
        log.warning("training the default text model (first use, about 30 s) into %s", directory)
        train_text(OPTIONS, directory, callbacks=list(callbacks), progress=progress)
    return load_text_model(directory)
