"""Training on a page: progress a user can read (epochs done of total, time left), a Stop button that stops
within one step and keeps the best model so far, and no training left running for a browser that closed."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException
from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType, _fragment_run_should_not_preempt_script
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from nlp_rnn import checkpoint
from nlp_rnn.progress_record import ProgressRecord
from nlp_rnn.training import Callback, TrainingStopped

FLASH = "_flash"  # session_state: messages for the next run of the page (after a stop or a finished training)


def interruption() -> str | None:
    """Why this script run should end now, or None: a click on the page (Stop, or any widget: Streamlit ends the
    run to rerun it) or a session that closed (the browser went away). Reads the run's pending request without
    taking it, so Streamlit still reruns with the user's widgets once training has stopped."""
    ctx = get_script_run_ctx()
    requests = getattr(ctx, "script_requests", None)
    state = getattr(requests, "_state", ScriptRequestType.CONTINUE)  # no public peek; a plain attribute read
    if state == ScriptRequestType.STOP:
        return "the browser closed"
    if state == ScriptRequestType.RERUN:
        data = requests._rerun_data
        if not _fragment_run_should_not_preempt_script(data.fragment_id_queue, data.is_fragment_scoped_rerun):
            return "you pressed Stop or changed the page"
    return None


class Progress:
    """A bar for a job that counts runs, ``progress(done, total, what)`` (a cross-validation): the run done of
    the total and an estimate of the time left."""

    def __init__(self, what: str):
        self.record = ProgressRecord(what)
        self.bar = st.progress(0.0, text=f"{what}: starting …")

    def __call__(self, done: int, total: int, what: str) -> None:
        self.record(done, total, what)
        self.bar.progress(self.record.fraction(), text=self.record.words())


class StopWhenAsked(Callback):
    """Ask the trainer to stop after the current step when the run is interrupted (see ``interruption``).

    Streamlit would end the run at the next drawing call, in the middle of a step, before the trainer saves the
    partial epoch; so the interruption is taken here (by clearing the Stop button) and kept in ``held``, the
    trainer ends the epoch and saves, and ``TrainingRun`` then replays it."""

    def __init__(self, button):
        self.button, self.trainer, self.reason, self.held = button, None, None, None

    def on_step(self, trainer, loss: float) -> None:
        if self.reason is not None and trainer is not self.trainer:
            trainer.request_stop(self.reason)  # a later run of the same click (the Lab's comparison): stop it too
            return
        self.trainer = trainer
        if self.reason is None and self.asked() is not None:
            trainer.request_stop(self.reason)

    def asked(self) -> str | None:
        """Why to stop, or None; the first time, takes the click (a job of many runs asks between them)."""
        if self.reason is None and (reason := interruption()) is not None:
            self.reason = reason
            try:
                self.button.empty()  # Stop is done; a drawing call is also where Streamlit hands over the click
            except RerunException as click:
                self.held = click
        return self.reason

    def hold(self, click: RerunException) -> None:
        """A click that a drawing call handed over (Streamlit's way to end the run): it asks for a stop."""
        self.reason, self.held = self.reason or "you pressed Stop or changed the page", click


def flash(method: str, *args, **kwargs) -> None:
    """Show ``st.<method>(*args)`` at the top of the page's next run (one run only)."""
    st.session_state.setdefault(FLASH, []).append((method, args, kwargs))


def show_flash() -> None:
    for method, args, kwargs in st.session_state.pop(FLASH, []):
        getattr(st, method)(*args, **kwargs)


class TrainingRun:
    """``with TrainingRun("text_model_dir", out, "text_stop") as run:`` train with ``callbacks=[run.stop, ...]``
    (``TrainingRun(None, None, key)``: a run that leaves results, not a model folder, as in the Lab).

    Draws a Stop button for the run and removes it after. When the run was stopped (Stop, any click, a closed
    browser) the page switches to the best model saved so far, says so at the top of its next run, and reruns,
    so the caption names the new model at once; a stop before any model was saved keeps the old model, and says so.
    A job of many runs (Emojify's auto: ``stop=run.stop.asked``, ``progress=run.runs_progress(...)``) that stops
    raises ``TrainingStopped``: what it left is no model, so the page keeps its previous one, and says so.
    """

    def __init__(self, state_key: str | None, out: Path | None, stop_key: str):
        self.state_key, self.out = state_key, None if out is None else Path(out)
        self.button = st.empty()
        self.button.button("Stop", key=stop_key, help="stops after the current step; the best model so far is kept")
        self.stop = StopWhenAsked(self.button)
        self.finished = False  # done() ran: its own st.rerun() is not a stop

    def __enter__(self) -> TrainingRun:
        return self

    def __exit__(self, kind, error, trace) -> bool:
        if kind is StopException:
            return False  # the session is gone: nothing to show, and the trainer has stopped
        self.button.empty()
        if self.finished or (self.stop.reason is None and kind is not RerunException):
            return False  # finished (or a user error the page shows)
        if kind is not None and issubclass(kind, TrainingStopped):
            flash("warning", f"Training stopped ({error.during}) before the model was finished; the page keeps "
                  "its previous model.")
        else:
            self.report()
        if kind is None or issubclass(kind, TrainingStopped):
            if self.stop.held is not None:
                raise self.stop.held  # rerun with what the user clicked
            st.rerun()
        return False

    def runs_progress(self, what: str):
        """``progress(done, total, what)`` for a job that counts runs, not steps: a bar with the time left; a click
        handed over by its drawing is a Stop, taken before the next run."""
        bar = Progress(what)

        def report(done: int, total: int, now: str) -> None:
            try:
                bar(done, total, now)
            except RerunException as click:
                self.stop.hold(click)

        return report

    def done(self, message: str, *shown: tuple) -> None:
        """Training ended by itself: the page uses the new model and reruns (its caption names the model at once),
        showing ``message`` and ``shown`` (``("dataframe", frame, ...)``, st calls) at the top. After a stop the
        exit reports instead."""
        from support import use_session_model

        if self.stop.reason is not None:
            return
        use_session_model(self.state_key, self.out)
        flash("success", message)
        for method, *args in shown:
            flash(method, *args)
        self.button.empty()
        self.finished = True
        st.rerun()

    def report(self) -> None:
        from support import use_session_model

        trainer = self.stop.trainer
        where = f"during epoch {trainer.progress.epoch + 1} of {trainer.config.epochs}" if trainer else "before the first step"
        first = trainer is not None and trainer.progress.epoch == 0
        partly = " (before the first epoch ended: the model is partly trained)" if first else ""
        if self.out is None:  # the Lab: results, not a model folder
            flash("info", f"Training stopped {where}{partly}; the results below come from the model trained so far"
                  f"{best_so_far(trainer)}.")
            return
        if not checkpoint.exists(self.out):
            flash("warning", f"Training stopped {where}, before any model was saved; the page keeps its previous model.")
            return
        use_session_model(self.state_key, self.out)
        flash("info", f"Training stopped {where}{partly}; the page now uses the best model saved so far{best_so_far(trainer)}.")


def best_so_far(trainer) -> str:
    """`` (epoch 2: val_loss 0.512)`` for the best record of ``trainer``'s history, by its monitored metric."""
    if trainer is None:
        return ""
    monitor, sign = trainer.config.monitor, 1 if trainer.config.monitor_mode == "min" else -1
    history = trainer.progress.history
    if not any(monitor in r for r in history):
        monitor, sign = "train_loss", 1  # what the trainer falls back to
    scored = [r for r in history if isinstance(r.get(monitor), float) and r[monitor] == r[monitor]]  # not nan
    if not scored:
        return ""
    best = min(scored, key=lambda r: sign * r[monitor])
    return f" (epoch {best['epoch']}{'' if best['complete'] else ', part'}: {monitor} {best[monitor]:.3f})"
