"""A page's first use on a machine without its default model: the model trains in a background thread (one
per model and server process, shared by every tab; see ``nlp_rnn.background``) while the rest of the page
works. A panel redrawn every second follows it, and reruns the page when it is done, so the parts that need
the model appear without a click; meanwhile those parts say in words that it is training."""

from __future__ import annotations

import inspect
from pathlib import Path

import streamlit as st
from uploads import user_message

from embeddings.errors import VectorsError
from nlp_rnn import background, checkpoint
from nlp_rnn.errors import UserError

# Measured first-use times on 2 cores (`python -m bench.first_use`, the README's "First launch" table): with the cores
# to itself, and earlier under a load average of 14-23 (six engineers' jobs on the same 2 cores).
FIRST_USE = {"emojify": ("the default Emojify model", "28 s with 2 free cores, about 3 minutes on a busy machine"),
             "textgen": ("the default text model", "18 s with 2 free cores, up to 11 minutes on a busy machine"),
             "jazz": ("the default jazz model", "11 s with 2 free cores, up to 15 minutes on a busy machine")}
REDRAW_SECONDS = 1.0  # the panel's pace: numbers that move, and the model within a second of being published
FAILED = "failed"  # session_state[_key(kind)] after this session was shown its first use's failure


def _key(kind: str) -> str:
    return f"_first_use_{kind}"


def first_use(kind: str, directory: Path, module) -> bool:
    """Whether the default model of ``kind`` (in ``directory``, trained by ``module.load_default``) is ready. If not,
    make sure it trains and draw the panel that follows it here; a training this session followed that failed is
    shown once (the next run of the page tries again)."""
    if checkpoint.exists(directory):
        st.session_state.pop(_key(kind), None)
        return True
    followed = st.session_state.get(_key(kind))
    if isinstance(followed, background.FirstUse) and followed.error is not None:
        st.session_state[_key(kind)] = FAILED
        _show_failure(kind, followed.error)
        return False
    what = FIRST_USE[kind][0]
    st.session_state[_key(kind)] = background.first_use(directory, what, lambda record: _train(module, record))
    _panel(kind)
    return False


def _train(module, record):
    if "callbacks" in inspect.signature(module.load_default).parameters:  # one Trainer: per-step progress
        return module.load_default(progress=False, callbacks=(record,))
    return module.load_default(progress=record)  # reports record(done, total, what) itself (Emojify's auto model)


@st.fragment(run_every=REDRAW_SECONDS)
def _panel(kind: str) -> None:
    job = st.session_state.get(_key(kind))
    if not isinstance(job, background.FirstUse) or job.done:
        st.rerun()  # the whole page: the model is published (or the failure is shown), and the panel goes
    what, measured = FIRST_USE[kind]
    st.info(f"First use on this machine: training {what} in the background (measured: {measured}); the rest "
            "of the page works meanwhile, and later visits load it at once.")
    st.progress(job.record.fraction(), text=job.record.words())


def _show_failure(kind: str, error: Exception) -> None:
    what = FIRST_USE[kind][0]
    if isinstance(error, (UserError, VectorsError)):  # a message for the user: no traceback
        st.error(f"Could not train {what}: {user_message(error)}. The page tries again on its next run.")
    else:
        st.error(f"Training {what} failed (the error below); the page tries again on its next run.")
        st.exception(error)


def waiting(kind: str) -> None:
    """In place of a part that needs the default model: what is happening to it, in words."""
    what = FIRST_USE[kind][0]
    if st.session_state.get(_key(kind)) == FAILED:
        st.warning(f"This part needs {what}, which could not be trained (see the error above).")
    else:
        st.info(f"This part needs {what}, which is training now (progress at the top of the page); it will "
                "appear here when the training is done. Meanwhile the rest of the page works.")


def training_now(directory: Path) -> bool:
    """Whether a first use is training the model in ``directory`` in this server process (Home's model state)."""
    job = background.job(directory)
    return job is not None and not job.done
