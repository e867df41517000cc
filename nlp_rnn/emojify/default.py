"""The default model: ``--model auto`` on the bundled dataset's training part, trained on first use
(under 30 s of CPU), then cached. Loading it for numpy (``load_default_arrays``) imports no torch
unless the model must be trained first."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from nlp_rnn.defaults import default_dir, train_once
from nlp_rnn.emojify.data import bundled_path, read_examples, train_valid
from nlp_rnn.emojify.options import AutoOptions

if TYPE_CHECKING:
    from nlp_rnn.emojify.model import EmojiModel
    from nlp_rnn.emojify.numpy_model import NumpyEmojiModel

# 3 folds and one seed per member, not the CLI's 5 and 3: a first use inside 30 s of CPU
OPTIONS = AutoOptions(folds=3, seeds=1, seed=0)
WHAT = "the default Emojify model (about 30 s)"


def default_model_dir() -> Path:
    return default_dir("emojify-default", bundled_path().read_bytes() + repr(OPTIONS).encode(), ("emojify",))


def _fit(progress, directory: Path) -> None:
    from nlp_rnn.emojify.auto import train_auto

    train_set, _ = train_valid(read_examples("bundled"))
    train_auto(OPTIONS, train_set, directory, progress=progress if callable(progress) else None)


def load_default(progress=None, device: str | None = None) -> EmojiModel:
    """Load the default model onto ``device`` (see ``devices.resolve``), training it first if this machine has none yet.

    ``progress(done, total, what)``, when callable, hears about each cross-validation run and member
    (the page's first-use bar); ``True``/``False`` are the older "log it"/"quiet" and just log."""
    from nlp_rnn.emojify.model import load

    return train_once(default_model_dir(), partial(_fit, progress), partial(load, device=device), WHAT)


def load_default_arrays(progress=None) -> NumpyEmojiModel:
    """``load_default`` for the numpy engine (``numpy_model``)."""
    from nlp_rnn.emojify.numpy_model import load

    return train_once(default_model_dir(), partial(_fit, progress), load, WHAT)
