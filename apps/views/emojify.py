"""Emojify: a sentence → an emoji, with the words that drove it; whole files; training."""


import pandas as pd
import streamlit as st
from support import LiveTraining, emojify_model, session_dir, show_error, use_session_model
from uploads import saved_upload

from embeddings.errors import VectorsError
from nlp_rnn.emojify.classify import classify_stream, read_upload, rows_to_text
from nlp_rnn.emojify.data import read_examples, train_valid
from nlp_rnn.emojify.explain import explain
from nlp_rnn.emojify.train import DEFAULT_EPOCHS, EmojifyOptions, train
from nlp_rnn.errors import UserError

PAGE_LINES = 100_000  # larger files go to the CLI, which streams them

st.title("Emojify")
model_dir = st.session_state.get("emojify_model_dir")
model = emojify_model(model_dir)
st.caption(f"Model: {'trained in this session' if model_dir else 'default (bundled data, V2 LSTM)'}; "
           f"classes: {' '.join(model.emojis)}")
classify_tab, batch_tab, train_tab = st.tabs(["Sentence", "File", "Train"])

with classify_tab:
    sentence = st.text_input("Sentence", value="I love eating pizza with my friends", key="emojify_sentence")
    if sentence.strip():
        predicted, probs, scores, method = explain(model, sentence)
        st.markdown(f"# {model.emojis[predicted]}")
        st.write(f"**{model.labels[predicted]}**, {probs[predicted]:.0%} sure")
        st.bar_chart(pd.DataFrame({"probability": probs}, index=[f"{e} {n}" for e, n in zip(model.emojis, model.labels)]),
                     horizontal=True, sort=False)  # keep the model's class order
        st.caption(f"Words that drove it ({method}):")
        st.dataframe(pd.DataFrame([{"word": s.word, "score": round(s.score, 4),
                                    "seen by the model": s.known} for s in scores]), hide_index=True)

with batch_tab:
    upload = st.file_uploader("A text file (one sentence a line) or a CSV (a 'text' column)", type=["txt", "csv"],
                              key="emojify_upload")
    pasted = st.text_area("… or paste sentences, one a line", key="emojify_paste")
    lines = None
    if upload is not None and upload.getvalue().count(b"\n") > PAGE_LINES:
        show_error(UserError(f"{upload.name}: more than {PAGE_LINES:,} lines is too large for the page; classify it "
                             f"with `nlp-rnn emojify classify {upload.name}`, which streams files of any size"))
    elif upload is not None:
        lines = read_upload(upload.name, upload.getvalue())
    elif pasted.strip():
        lines = read_upload("pasted.txt", pasted.encode())
    if lines is not None:
        rows = list(classify_stream(model, lines, top_k=3))
        bad = sum(1 for r in rows if "error" in r)
        st.write(f"{len(rows)} rows" + (f", {bad} marked with an error" if bad else ""))
        table = pd.DataFrame(rows[:1000], columns=["line", "text", "emoji", "label", "prob", "error"]).fillna({"error": ""})
        st.dataframe(table, hide_index=True, key="emojify_results")
        left, right = st.columns(2)
        left.download_button("Download CSV", rows_to_text(rows, "csv"), "emojify.csv", "text/csv", key="emojify_dl_csv")
        right.download_button("Download JSONL", rows_to_text(rows, "jsonl"), "emojify.jsonl", "application/json",
                              key="emojify_dl_jsonl")

with train_tab:
    source = st.radio("Data", ["Bundled dataset", "Upload a CSV"], horizontal=True, key="emojify_train_source")
    data = st.file_uploader("Labelled CSV ('sentence,label_index' or 'text,label')", type=["csv"],
                            key="emojify_train_upload") if source == "Upload a CSV" else None
    version = st.radio("Model", ["v1", "v2"], index=1, horizontal=True, key="emojify_train_model",
                       help="v1: average of word vectors → linear; v2: 2-layer LSTM")
    epochs = st.number_input("Epochs (at most; early stopping on validation loss when there is a validation split)",
                             1, 1000, DEFAULT_EPOCHS[version], key=f"emojify_epochs_{version}")
    if st.button("Train", key="emojify_train"):
        saved = None
        try:
            if source == "Bundled dataset":
                examples = read_examples("bundled")
            elif data is None:
                raise UserError("upload a labelled CSV first")
            else:
                saved = saved_upload(data, "emojify-train")
                examples = read_examples(saved.path)
            train_set, valid_set = train_valid(examples)
            out = session_dir("emojify-session-")
            live = LiveTraining(int(epochs), ["train_loss", "val_loss", "val_accuracy"])
            trained, history = train(EmojifyOptions(model=version, epochs=int(epochs)), train_set, valid_set, out,
                                     callbacks=[live], progress=False)
        except (UserError, VectorsError) as error:
            show_error(error, saved)
        else:
            from nlp_rnn.emojify.evaluate import evaluate

            report = evaluate(trained, valid_set or train_set)
            best = min(history, key=lambda r: r.get("val_loss", r["train_loss"]))
            scored = "validation" if valid_set else "training (no validation split: under 500 sentences, all train)"
            st.success(f"Trained {version}: {scored} accuracy {report['accuracy']:.1%} (best of {len(history)} "
                       f"epochs: {best['epoch']}); the page now uses this model.")
            st.dataframe(pd.DataFrame(report["confusion"], index=report["labels"], columns=report["labels"]),
                         key="emojify_confusion")
            use_session_model("emojify_model_dir", out)
