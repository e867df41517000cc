"""Shared pieces of the Streamlit suite: cached loaders (one copy per process, shared read-only
across sessions) and widgets every page uses (live training chart, downloads)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
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
    """A progress bar and live charts drawn per step while the engine trains: the training loss of
    every step (and ``perplexity`` = e^loss when asked), the per-epoch metrics as steps, and on
    the bar the position in the epoch and the items (``unit``) per second."""

    REDRAW_SECONDS = 0.5  # twice a second: the bar and charts move within an epoch without slowing the steps
    MAX_POINTS = 1000  # steps drawn; a longer run is drawn every k-th step

    def __init__(self, total_epochs: int, metrics: list[str], unit: str = "items", perplexity: bool = False):
        self.total, self.metrics, self.unit, self.perplexity = total_epochs, metrics, unit, perplexity
        self.steps: list[tuple[int, float]] = []  # (step, training loss)
        self.epochs: list[tuple[int, dict]] = []  # (step, record)
        self.bar = st.progress(0.0, text="preparing the data and the model …")
        self.chart = st.empty()
        self.perplexity_chart = st.empty() if perplexity else None
        self.drawn, self.schedule, self.text = 0.0, "", ""

    def on_step(self, trainer, loss: float) -> None:
        p = trainer.progress
        self.steps.append((p.step, loss))
        if time.monotonic() - self.drawn >= self.REDRAW_SECONDS:
            self._draw(trainer, f"loss {loss:.3f}")

    def on_epoch_end(self, trainer, record: dict) -> None:
        self.epochs.append((record["step"], record))
        self._draw(trainer, ", ".join(f"{m} {record[m]:.3f}" for m in self.metrics if m in record))

    def _draw(self, trainer, what: str) -> None:
        self.drawn = time.monotonic()
        self.schedule = trainer.schedule.describe()  # planned after the first steps when there is a budget
        frame = self.frame()
        long = frame.reset_index().melt("step", var_name="metric").dropna()
        perplexity = long["metric"].str.contains("perplexity")
        lines(self.chart, long[~perplexity], "step", "value", "metric", "step", "loss")  # Vega-Lite: 2 ms a redraw
        if self.perplexity_chart is not None:
            lines(self.perplexity_chart, long[perplexity], "step", "value", "metric", "step", "perplexity")
        p = trainer.progress
        per_epoch = getattr(trainer, "steps_per_epoch", None)
        within = min(p.step_in_epoch / per_epoch, 1.0) if per_epoch and p.step_in_epoch else 0.0
        done = min((p.epoch + within) / self.total, 1.0)
        position = f"step {p.step_in_epoch}/{per_epoch}" if per_epoch and p.step_in_epoch else f"step {p.step}"
        speed = f"{p.items / p.seconds:,.0f} {self.unit}/s" if p.seconds > 0 else ""
        self.text = " · ".join(t for t in (f"epoch {min(p.epoch + 1, self.total)}/{self.total}", position, speed, what) if t)
        self.bar.progress(done, text=self.text)

    def frame(self) -> pd.DataFrame:
        """Per-step losses, epoch metrics carried forward as steps, indexed by step."""
        stride = max(1, len(self.steps) // self.MAX_POINTS)
        frame = pd.DataFrame(self.steps[::stride], columns=["step", "train_loss (per step)"]).set_index("step")
        for step, record in self.epochs:
            for metric in self.metrics:
                if metric != "train_loss" and record.get(metric) is not None:
                    frame.loc[step, metric] = record[metric]
        frame = frame.sort_index().ffill()
        if self.perplexity:
            frame["train_perplexity (per step)"] = np.exp(np.minimum(frame["train_loss (per step)"], 50.0))
        return frame


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
