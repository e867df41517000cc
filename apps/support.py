"""Shared pieces of the Streamlit suite: cached loaders (one copy per process, shared read-only
across sessions) and widgets every page uses (live training chart, downloads)."""

from __future__ import annotations

import importlib
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from charts import lines
from first_visit import first_use
from uploads import Upload, owned_folder, user_message

from nlp_rnn import background
from nlp_rnn.paths import cache_dir
from nlp_rnn.training import Callback


@st.cache_resource(show_spinner="Loading word vectors …")
def vectors(spec: str = "glove-6b-50d"):
    from embeddings import load_vectors

    return load_vectors(spec)


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


def session_dir(prefix: str) -> Path:
    """A fresh directory under the cache for what one session trains, owned by the session: the previous run's
    folder of this kind is removed (unless it became the page's model), and so is this one when the session ends."""
    (cache_dir() / "models").mkdir(parents=True, exist_ok=True)
    return owned_folder(f"run-{prefix}", tempfile.mkdtemp(prefix=prefix, dir=cache_dir() / "models"))


def use_session_model(state_key: str, directory: str | Path) -> None:
    """Make ``directory`` (from session_dir) the page's model; the session model it replaces is removed."""
    owned_folder(f"model-{state_key}", directory)
    st.session_state[state_key] = str(directory)


SESSION_MODELS = 4  # models that sessions trained or loaded (any page), kept in memory: the most recently used


LOADERS = {  # kind: the module with load_default and default_model_dir, and the loader of a model folder
    "emojify": ("nlp_rnn.emojify.default", "nlp_rnn.emojify.model", "load"),
    "textgen": ("nlp_rnn.textgen.default", "nlp_rnn.textgen.pipeline", "load_text_model"),
    "jazz": ("nlp_rnn.jazz.default", "nlp_rnn.jazz.improvise", "load_improviser"),
}


@st.cache_resource(show_spinner="Loading the model …")
def _default(kind: str, directory: str):  # directory: a new cache folder or new default options are another model
    job = background.job(Path(directory))
    if job is not None and job.model is not None:  # trained and loaded by this process's first use: not loaded twice
        model, job.model = job.model, None  # handed over once: a cache cleared later frees it
        return model
    return importlib.import_module(LOADERS[kind][0]).load_default(progress=False)


@st.cache_resource(show_spinner="Loading the model …", max_entries=SESSION_MODELS)
def _folder_model(kind: str, path: str):
    _, module, function = LOADERS[kind]
    return getattr(importlib.import_module(module), function)(path)


def model(kind: str, path: str | None = None):
    """The model in folder ``path``, or the default model of ``kind``; shared, read-only. None while the default
    trains in the background on a first use: a panel drawn here follows it (``first_visit``), and the parts of the
    page that need the model show ``first_visit.waiting(kind)`` instead."""
    if path:
        return _folder_model(kind, path)
    module = importlib.import_module(LOADERS[kind][0])
    directory = module.default_model_dir()
    return _default(kind, str(directory)) if first_use(kind, directory, module) else None


@st.cache_data(max_entries=8, show_spinner="Classifying …")
def classified(_model, model_key: str, name: str, data: bytes) -> tuple[list[dict], str, str]:
    """Emojify's rows for an upload (and as CSV and JSON lines), once per model (``model_key``) and file: the
    reruns a widget change makes reuse them instead of classifying the file again."""
    from nlp_rnn.emojify.classify import classify_stream, read_upload, rows_to_text

    rows = list(classify_stream(_model, read_upload(name, data), top_k=3))
    return rows, rows_to_text(rows, "csv"), rows_to_text(rows, "jsonl")


def emojify_model(path: str | None = None):
    return model("emojify", path)


def text_model(path: str | None = None):
    return model("textgen", path)


def jazz_model(path: str | None = None):
    return model("jazz", path)


@st.cache_data(max_entries=4, show_spinner=False)
def _zipped(path: str, _stamp: int) -> bytes:  # _stamp: the manifest's mtime, so a retrained folder zips again
    from nlp_rnn.model_zip import pack

    return pack(path)


def model_exchange(kind: str, state_key: str) -> None:
    """Download the model the page uses (a zip of its folder) or load one (a zip, checked, never unpickled)."""
    from nlp_rnn.errors import UserError
    from nlp_rnn.model_zip import unpack

    path = st.session_state.get(state_key) or str(importlib.import_module(LOADERS[kind][0]).default_model_dir())
    with st.expander("Download this model, or load one you have"):
        manifest = Path(path) / "checkpoint.json"
        if manifest.exists():
            st.download_button("Download the model (.zip)", _zipped(path, manifest.stat().st_mtime_ns),
                               f"{kind}-model.zip", "application/zip", key=f"{kind}_model_download", on_click="ignore")
        upload = st.file_uploader("Load a model (a .zip of a model folder that nlp-rnn saved)", type=["zip"],
                                  key=f"{kind}_model_upload")
        if upload is None or st.session_state.get(f"_{kind}_model_loaded") == upload.file_id:
            return
        name = Path(upload.name.replace("\\", "/")).name
        out = session_dir(f"{kind}-loaded-")
        try:
            model(kind, str(unpack(upload.getvalue(), out, shown=name)))  # the page's own loader checks the kind
        except UserError as error:
            show_error(error, Upload(out, name))
            return
        st.session_state[f"_{kind}_model_loaded"] = upload.file_id
        use_session_model(state_key, out)
        from runs import flash

        flash("success", f"Loaded the model in {name}; the page now uses it.")
        st.rerun()
