"""RNN Lab: the classic exercises on the shared core, each with live curves."""

import pandas as pd
import streamlit as st
from charts import LiveRuns, lines
from runs import TrainingRun, show_flash
from support import LiveTraining, show_error
from uploads import saved_upload

from nlp_rnn.errors import UserError

MEASURED = "(measured by `python -m bench lab_speed` on 2 cores; a busy machine takes longer)"

st.title("RNN Lab")
st.caption("The exercises the course material teaches, run on the same engine as the applications.")
show_flash()
letters_tab, sine_tab, series_tab, compare_tab, steps_tab = st.tabs(
    ["Next letter", "Sine wave", "Series forecasting", "RNN vs LSTM vs GRU", "Step by step"], key="lab_tabs")

with letters_tab:
    from nlp_rnn.lab.abcde import VARIANTS, AbcdeOptions, predict_next
    from nlp_rnn.lab.abcde import run as run_abcde

    st.write("A SimpleRNN with 3 units learns the cycle a→b→c→d→e→a.")
    variant = st.radio("Input", list(VARIANTS), horizontal=True, key="lab_abcde_variant",
                       format_func={"onehot-1": "one-hot, 1 letter", "onehot-4": "one-hot, 4 letters",
                                    "embedding": "embedding (size 2)"}.get)
    epochs = st.number_input("Epochs", 10, 2000, 200, key="lab_abcde_epochs")
    if st.button("Train", key="lab_abcde_train"):
        with TrainingRun(None, None, "lab_abcde_stop") as run:
            live = LiveTraining(int(epochs), ["train_loss", "val_accuracy"])
            st.session_state["lab_abcde"] = run_abcde(AbcdeOptions(variant=variant, epochs=int(epochs)),
                                                      callbacks=[run.stop, live])
    result = st.session_state.get("lab_abcde")
    if result:
        st.metric("Accuracy on the five cases", f"{result['accuracy']:.0%}")
        st.dataframe(pd.DataFrame(result["predictions"]), key="lab_abcde_predictions")
        with st.expander("Learned weights"):
            for name, rows in result["weights"].items():
                st.write(name)
                st.dataframe(pd.DataFrame(rows).round(3))
        typed = st.text_input("Type letters (a-e); the model predicts the next one", "abc", key="lab_abcde_typed")
        try:
            probabilities = predict_next(result["model"], typed, result["window"])
        except UserError as error:
            show_error(error)
        else:
            best = max(probabilities, key=probabilities.get)
            st.markdown(f"Next letter: **{best}** ({probabilities[best]:.0%})")
            st.bar_chart(pd.Series(probabilities, name="probability"), x_label="next letter", y_label="probability")

with sine_tab:
    from nlp_rnn.lab.sine import SineOptions
    from nlp_rnn.lab.sine import run as run_sine

    st.write("Predict sin(0.1 t) from the previous values, then roll it out from the model's own predictions. "
             "A validation stretch picks the epoch that is kept; the errors are measured on a later test stretch.")
    variant = st.radio("Model", ["rnn", "lstm"], horizontal=True, key="lab_sine_variant",
                       format_func={"rnn": "RNN, 16 units, windows of 20", "lstm": "LSTM, 2×30 units, windows of 10"}.get)
    epochs = st.number_input("Epochs", 1, 500, SineOptions().epochs, key="lab_sine_epochs")
    st.caption(f"The defaults train in about 2 s of CPU time {MEASURED}.")
    if st.button("Train", key="lab_sine_train"):
        with TrainingRun(None, None, "lab_sine_stop") as run:
            live = LiveTraining(int(epochs), ["train_loss", "val_loss"])
            st.session_state["lab_sine"] = run_sine(SineOptions(variant=variant, epochs=int(epochs)), callbacks=[run.stop, live])
    result = st.session_state.get("lab_sine")
    if result:
        (valid_from, valid_to), (test_from, test_to) = result["stretches"]["valid"], result["stretches"]["test"]
        left, middle, right = st.columns(3)
        left.metric(f"Validation RMSE (epoch {result['best_epoch']} kept)", f"{result['valid_rmse']:.4f}")
        middle.metric("One-step RMSE (test)", f"{result['one_step_rmse']:.4f}")
        right.metric("Rollout RMSE (test)", f"{result['rollout_rmse']:.4f}")
        st.caption(f"Epoch picked on t = {valid_from}–{valid_to - 1}; errors measured on t = {test_from}–{test_to - 1}, "
                   "never used for a choice.")
        curves = pd.DataFrame({"t": range(test_from, test_to), "truth": result["truth"],
                               "one step ahead": result["one_step"], "rollout": result["rollout"]})
        lines(st, curves.melt("t", var_name="curve"), "t", "value", "curve", "t (test stretch)", "sin(0.1 t)")

with series_tab:
    from nlp_rnn.lab.series import SeriesOptions, read_column, synthetic
    from nlp_rnn.lab.series import run as run_series

    st.write("LSTM(80) → Dropout(0.2) → LSTM(100) → Dropout(0.2) → Dense, and the GRU twin, against the naive forecast.")
    upload = st.file_uploader("A CSV with a header (empty: a synthetic series)", type=["csv"], key="lab_series_upload")
    column = st.text_input("Column (name or index; empty: the last)", "", key="lab_series_column")
    epochs = st.number_input("Epochs", 1, 200, SeriesOptions().epochs, key="lab_series_epochs")
    st.caption(f"The defaults train both models in about 13 s of CPU time {MEASURED}.")
    if st.button("Train", key="lab_series_train"):
        saved = None
        with TrainingRun(None, None, "lab_series_stop") as run:
            try:
                if upload is not None:
                    saved = saved_upload(upload, "lab-series")
                    values = read_column(saved.path, column or None)
                else:
                    values = synthetic()
                options = SeriesOptions(epochs=int(epochs))
                live = LiveRuns([("loss", cell.upper()) for cell in options.cells], options.epochs, "val_loss",
                                "validation MSE (scaled)", {"loss": "validation loss by epoch"})
                st.session_state["lab_series"] = run_series(values, options, callbacks=[run.stop, live])
                live.finish()
            except UserError as error:
                show_error(error, saved, widgets={"--column": "the Column box"})
    result = st.session_state.get("lab_series")
    if result:
        st.dataframe(pd.DataFrame(result["rows"]).set_index("model").round(4), key="lab_series_table")
        curves = pd.DataFrame({("truth" if name == "truth" else name.upper()): curve
                               for name, curve in result["curves"].items()})
        curves.insert(0, "step", range(result["train"] + result["valid"], result["points"]))
        lines(st, curves.melt("step", var_name="series"), "step", "value", "series", "time step (test part)", "value",
              "test part: truth and one-step forecasts")

with compare_tab:
    from nlp_rnn.lab.compare import CompareOptions
    from nlp_rnn.lab.compare import run_one as compare_one

    defaults = CompareOptions()
    st.write("Same hidden size, optimizer and epoch budget for each cell, on a task that needs memory across T steps.")
    task = st.radio("Task", ["copy", "adding"], horizontal=True, key="lab_compare_task",
                    format_func={"copy": "copy the first symbol across T distractors", "adding": "adding problem"}.get)
    delays = st.multiselect("Delays T", [5, 10, 20, 50, 100], list(defaults.delays), key="lab_compare_delays")
    epochs = st.number_input("Epochs per run", 1, 100, defaults.epochs, key="lab_compare_epochs")
    st.caption(f"The defaults train the nine models in about 10 s of CPU time {MEASURED}; a run that reaches 100% "
               "on its validation sequences stops there.")
    if st.button("Compare", key="lab_compare_run") and delays:
        options = CompareOptions(task=task, delays=tuple(sorted(delays)), epochs=int(epochs))
        runs = [(delay, cell) for delay in options.delays for cell in options.cells]
        metric, shown = ("val_accuracy", "validation accuracy") if task == "copy" else ("val_loss", "validation MSE")
        live = LiveRuns([(delay, cell.upper()) for delay, cell in runs], options.epochs, metric, shown,
                        {delay: f"T = {delay}" for delay in options.delays}, (0, 1) if task == "copy" else None)
        with TrainingRun(None, None, "lab_compare_stop") as run:
            done = []
            for delay, cell in runs:
                done.append(compare_one(options, cell, delay, callbacks=[run.stop, live]))
                if run.stop.reason is not None:
                    break  # the runs so far are shown
            st.session_state["lab_compare"] = done
            live.finish()
    rows = st.session_state.get("lab_compare")
    if rows:
        table = pd.DataFrame(rows).drop(columns="curve")
        st.dataframe(table.round(3), key="lab_compare_table")
        score = "accuracy" if "accuracy" in table else "mse"
        by_delay = table.assign(cell=table["cell"].str.upper())
        lines(st, by_delay, "delay", score, "cell", "delay T (steps between the information and the answer)",
              f"{score} on test sequences", "score by delay", y_domain=(0, 1) if score == "accuracy" else None)

with steps_tab:
    st.write("The numpy reference cells the torch models are tested against (one step, batch rows):")
    st.latex(r"\text{RNN: } h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})")
    st.latex(r"\text{LSTM: } i,f,g,o = \sigma,\sigma,\tanh,\sigma(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh});"
             r"\; c_t = f \odot c_{t-1} + i \odot g;\; h_t = o \odot \tanh(c_t)")
    st.latex(r"\text{GRU: } r,z = \sigma(\cdot);\; n = \tanh(W_{in} x_t + b_{in} + r \odot (W_{hn} h_{t-1} + b_{hn}));"
             r"\; h_t = (1 - z) \odot n + z \odot h_{t-1}")
    if st.button("Run the gradient check", key="lab_gradcheck"):
        from nlp_rnn.lab.gradcheck import report

        st.session_state["lab_gradcheck_result"] = report(seed=0)
    result = st.session_state.get("lab_gradcheck_result")
    if result:
        st.dataframe(pd.DataFrame(result["cells"]).T, key="lab_gradcheck_table")
        st.success(f"All differences within {result['tolerance']:.0e}" if result["ok"] else "Tolerance exceeded")
