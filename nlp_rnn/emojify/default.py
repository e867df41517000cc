"""The default model: V2 trained on the bundled dataset on first use (seconds), then cached."""

from __future__ import annotations

from pathlib import Path

from nlp_rnn.defaults import default_dir, train_once
from nlp_rnn.emojify.data import bundled_path, read_examples, train_valid
from nlp_rnn.emojify.model import EmojiModel, load
from nlp_rnn.emojify.train import EmojifyOptions, train

OPTIONS = EmojifyOptions(model="v2", seed=0)


def default_model_dir() -> Path:
    return default_dir("emojify-default", bundled_path().read_bytes() + repr(OPTIONS).encode())


def load_default(progress: bool = True, callbacks=()) -> EmojiModel:
    """Load the default model, training it first if this machine has none yet."""
    def fit(directory: Path) -> None:
        train_set, valid_set = train_valid(read_examples("bundled"))
        train(OPTIONS, train_set, valid_set, directory, callbacks=list(callbacks), progress=progress)

    return train_once(default_model_dir(), fit, load, "the default Emojify model (a few seconds)")
