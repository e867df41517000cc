"""The default model: ``--model auto`` on the bundled dataset's training part, trained on first use
(under 30 s of CPU), then cached."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from nlp_rnn.defaults import default_dir, train_once
from nlp_rnn.emojify.auto import AutoOptions, train_auto
from nlp_rnn.emojify.data import bundled_path, read_examples, train_valid
from nlp_rnn.emojify.model import EmojiModel, load

# 3 folds and one seed per member, not the CLI's 5 and 3: a first use inside 30 s of CPU
OPTIONS = AutoOptions(folds=3, seeds=1, seed=0)


def default_model_dir() -> Path:
    return default_dir("emojify-default", bundled_path().read_bytes() + repr(OPTIONS).encode())


def load_default(progress=None, device: str | None = None) -> EmojiModel:
    """Load the default model onto ``device`` (see ``devices.resolve``), training it first if this machine has none yet.

    ``progress(done, total, what)``, when callable, hears about each cross-validation run and member
    (the page's first-use bar); ``True``/``False`` are the older "log it"/"quiet" and just log."""
    def fit(directory: Path) -> None:
        train_set, _ = train_valid(read_examples("bundled"))
        train_auto(OPTIONS, train_set, directory, progress=progress if callable(progress) else None)

    return train_once(default_model_dir(), fit, partial(load, device=device), "the default Emojify model (about 30 s)")
