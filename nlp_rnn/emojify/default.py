"""The default model: V2 trained on the bundled dataset on first use (seconds), then cached."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from nlp_rnn import checkpoint
from nlp_rnn.emojify.data import bundled_path, read_examples, train_valid
from nlp_rnn.emojify.model import EmojiModel, load
from nlp_rnn.emojify.train import EmojifyOptions, train
from nlp_rnn.paths import cache_dir

log = logging.getLogger(__name__)
OPTIONS = EmojifyOptions(model="v2", seed=0)


def default_model_dir() -> Path:
    digest = hashlib.sha256(bundled_path().read_bytes() + repr(OPTIONS).encode()).hexdigest()[:12]
    return cache_dir() / "models" / f"emojify-default-{digest}"


def load_default(progress: bool = True, callbacks=()) -> EmojiModel:
    """Load the default model, training it first if this machine has none yet."""
    directory = default_model_dir()
    if not checkpoint.exists(directory):
        log.warning("training the default Emojify model (first use, a few seconds) into %s", directory)
        train_set, valid_set = train_valid(read_examples("bundled"))
        train(OPTIONS, train_set, valid_set, directory, callbacks=list(callbacks), progress=progress)
    return load(directory)
