"""Shared pieces of the Streamlit suite: cached loaders (one copy per process, shared read-only
across sessions) and widgets every page uses (live training chart, downloads)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from charts import lines
from uploads import Upload, owned_folder, user_message

from nlp_rnn.paths import cache_dir
from nlp_rnn.training import Callback


@st.cache_resource(show_spinner="Loading word vectors …")
def vectors(spec: str = "glove-6b-50d"):
    from embeddings import load_vectors

    return load_vectors(spec)


@st.cache_resource(show_spinner="Preparing the Emojify model (the first launch trains it: about 10 s) …")
def emojify_model(path: str | None = None):
    """The default model (trained on first use) or a model directory; shared, read-only."""
    if path is None:
        from nlp_rnn.emojify.default import load_default

        return load_default(progress=False)
    from nlp_rnn.emojify.model import load

    return load(path)


class LiveTraining(Callback):
    """A progress bar and a live chart of the per-epoch history, drawn while the engine trains."""

    def __init__(self, total_epochs: int, metrics: list[str]):
        self.total, self.metrics, self.history = total_epochs, metrics, []
        self.bar = st.progress(0.0, text="starting …")
        self.chart = st.empty()

    def on_epoch_end(self, trainer, record: dict) -> None:
        self.history.append(record)
        shown = [{"epoch": r["epoch"], "metric": m, "value": r.get(m)} for r in self.history for m in self.metrics
                 if m in record]
        lines(self.chart, pd.DataFrame(shown), "epoch", "value", "metric", "epoch", "value")  # 2 ms, not st.line_chart's 60
        self.bar.progress(min(record["epoch"] / self.total, 1.0),
                          text=f"epoch {record['epoch']}/{self.total}: " +
                          ", ".join(f"{m} {record[m]:.3f}" for m in self.metrics if m in record))


def show_error(error: Exception, *uploads: Upload | None, widgets: dict[str, str] | None = None) -> None:
    """A user's mistake (bad file, bad value) as a message on the page, naming the user's uploads (not our
    temporary copies) and the widgets (not CLI flags); the session carries on."""
    st.error(user_message(error, tuple(u for u in uploads if u is not None), widgets))


@st.cache_resource(show_spinner="Preparing the text model (the first launch trains it: about 30 s) …")
def text_model(path: str | None = None):
    """The default character model (trained on first use) or a model directory; shared, read-only."""
    if path is None:
        from nlp_rnn.textgen.default import load_default

        return load_default(progress=False)
    from nlp_rnn.textgen.pipeline import load_text_model

    return load_text_model(path)


@st.cache_resource(show_spinner="Preparing the jazz model (the first launch trains it: about a minute) …")
def jazz_model(path: str | None = None):
    """The default improviser (trained on first use) or a model directory; shared, read-only."""
    if path is None:
        from nlp_rnn.jazz.default import load_default

        return load_default(progress=False)
    from nlp_rnn.jazz.improvise import load_improviser

    return load_improviser(path)


def session_dir(prefix: str) -> Path:
    """A fresh directory under the cache for what one session trains, owned by the session: the previous run's
    folder of this kind is removed (unless it became the page's model), and so is this one when the session ends."""
    (cache_dir() / "models").mkdir(parents=True, exist_ok=True)
    return owned_folder(f"run-{prefix}", tempfile.mkdtemp(prefix=prefix, dir=cache_dir() / "models"))


def use_session_model(state_key: str, directory: str | Path) -> None:
    """Make ``directory`` (from session_dir) the page's model; the session model it replaces is removed."""
    owned_folder(f"model-{state_key}", directory)
    st.session_state[state_key] = str(directory)
