"""RNN Lab: the classic exercises on the shared core, each with live curves."""

import pandas as pd
import streamlit as st
from support import LiveCurves, LiveTraining, show_error
from uploads import saved_upload

from nlp_rnn.errors import UserError

st.title("RNN Lab")
st.caption("The exercises the course material teaches, run on the same engine as the applications.")
letters_tab, sine_tab, series_tab, compare_tab, steps_tab = st.tabs(
    ["Next letter", "Sine wave", "Series forecasting", "RNN vs LSTM vs GRU", "Step by step"])

with letters_tab:
    from nlp_rnn.lab.abcde import VARIANTS, AbcdeOptions, predict_next
    from nlp_rnn.lab.abcde import run as run_abcde

    st.write("A SimpleRNN with 3 units learns the cycle a→b→c→d→e→a.")
    variant = st.radio("Input", list(VARIANTS), horizontal=True, key="lab_abcde_variant",
                       format_func={"onehot-1": "one-hot, 1 letter", "onehot-4": "one-hot, 4 letters",
                                    "embedding": "embedding (size 2)"}.get)
    epochs = st.number_input("Epochs", 10, 2000, 200, key="lab_abcde_epochs")
    if st.button("Train", key="lab_abcde_train"):
        live = LiveTraining(int(epochs), ["train_loss", "val_accuracy"])
        st.session_state["lab_abcde"] = run_abcde(AbcdeOptions(variant=variant, epochs=int(epochs)), callbacks=[live])
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
            st.bar_chart(pd.Series(probabilities, name="probability"))

with sine_tab:
    from nlp_rnn.lab.sine import SineOptions
    from nlp_rnn.lab.sine import run as run_sine

    st.write("Predict sin(0.1 t) from the previous values, then roll it out from the model's own predictions.")
    variant = st.radio("Model", ["rnn", "lstm"], horizontal=True, key="lab_sine_variant",
                       format_func={"rnn": "RNN, 16 units, windows of 20", "lstm": "LSTM, 2×30 units, windows of 10"}.get)
    epochs = st.number_input("Epochs", 1, 500, 30, key="lab_sine_epochs")
    if st.button("Train", key="lab_sine_train"):
        live = LiveTraining(int(epochs), ["train_loss", "val_loss"])
        st.session_state["lab_sine"] = run_sine(SineOptions(variant=variant, epochs=int(epochs)), callbacks=[live])
    result = st.session_state.get("lab_sine")
    if result:
        left, right = st.columns(2)
        left.metric("One-step RMSE (held out)", f"{result['one_step_rmse']:.4f}")
        right.metric("Rollout RMSE", f"{result['rollout_rmse']:.4f}")
        st.line_chart(pd.DataFrame({k: result[k] for k in ("truth", "one_step", "rollout")}))

with series_tab:
    from nlp_rnn.lab.series import SeriesOptions, read_column, synthetic
    from nlp_rnn.lab.series import run as run_series

    st.write("LSTM(80) → Dropout(0.2) → LSTM(100) → Dropout(0.2) → Dense, and the GRU twin, against the naive forecast.")
    upload = st.file_uploader("A CSV with a header (empty: a synthetic series)", type=["csv"], key="lab_series_upload")
    column = st.text_input("Column (name or index; empty: the last)", "", key="lab_series_column")
    epochs = st.number_input("Epochs", 1, 200, 10, key="lab_series_epochs")
    if st.button("Train", key="lab_series_train"):
        saved = None
        try:
            if upload is not None:
                saved = saved_upload(upload, "lab-series")
                values = read_column(saved.path, column or None)
            else:
                values = synthetic()
            live = LiveTraining(int(epochs), ["train_loss", "val_loss"])
            st.session_state["lab_series"] = run_series(values, SeriesOptions(epochs=int(epochs)), callbacks=[live])
        except UserError as error:
            show_error(error, saved)
    result = st.session_state.get("lab_series")
    if result:
        st.dataframe(pd.DataFrame(result["rows"]).set_index("model").round(4), key="lab_series_table")
        st.line_chart(pd.DataFrame(result["curves"]))

with compare_tab:
    from nlp_rnn.lab.compare import CompareOptions
    from nlp_rnn.lab.compare import run_one as compare_one

    st.write("Same hidden size, optimizer and steps for each cell, on a task that needs memory across T steps.")
    task = st.radio("Task", ["copy", "adding"], horizontal=True, key="lab_compare_task",
                    format_func={"copy": "copy the first symbol across T distractors", "adding": "adding problem"}.get)
    delays = st.multiselect("Delays T", [5, 10, 20, 50, 100], [5, 20, 50], key="lab_compare_delays")
    epochs = st.number_input("Epochs per run", 1, 100, 8, key="lab_compare_epochs")
    if st.button("Compare", key="lab_compare_run"):
        options = CompareOptions(task=task, delays=tuple(delays), epochs=int(epochs))
        runs = [(cell, delay) for delay in options.delays for cell in options.cells]
        bar, chart, rows = st.progress(0.0), st.empty(), []
        live = LiveCurves(chart, "val_accuracy" if task == "copy" else "val_loss")
        for i, (cell, delay) in enumerate(runs):
            bar.progress(i / len(runs), text=f"{cell.upper()} at T = {delay}")
            live.name = f"{cell} T={delay}"
            rows.append(compare_one(options, cell, delay, callbacks=[live]))
        bar.progress(1.0, text="done")
        st.session_state["lab_compare"] = rows
    rows = st.session_state.get("lab_compare")
    if rows:
        table = pd.DataFrame(rows).drop(columns="curve")
        st.dataframe(table.round(3), key="lab_compare_table")
        score = "accuracy" if "accuracy" in table else "mse"
        st.line_chart(table.pivot(index="delay", columns="cell", values=score))

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
