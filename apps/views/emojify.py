"""Emojify: a sentence → an emoji, with the words that drove it; whole files; training."""

import pandas as pd
import streamlit as st
from first_visit import waiting
from runs import TrainingRun, show_flash
from support import LiveTraining, classified, emojify_model, model_exchange, session_dir, show_error
from uploads import saved_upload

from embeddings.errors import VectorsError
from nlp_rnn.emojify.auto import summary_lines
from nlp_rnn.emojify.data import read_examples, train_valid
from nlp_rnn.emojify.explain import explain, knows_nothing, sentence_html
from nlp_rnn.emojify.labels import emoji_for
from nlp_rnn.emojify.train import DEFAULT_EPOCHS
from nlp_rnn.emojify.uploads import require_text, too_small
from nlp_rnn.errors import UserError

PAGE_LINES = 100_000  # larger files go to the CLI, which streams them


def confusion_frame(confusion: list[list[int]], labels: list[str]) -> pd.DataFrame:
    """Rows: the true emoji; columns: the predicted one (both axes say so)."""
    names = [f"{emoji_for(label)} {label}" for label in labels]
    return pd.DataFrame(confusion, index=pd.Index([f"true {n}" for n in names], name="true ↓ / predicted →"),
                        columns=[f"predicted {n}" for n in names])


def model_words(model) -> str:
    if model.auto:
        return f"auto: {model.auto['choice']}"
    return "V1, averaged vectors" if model.classifier.encoder is None else "V2, LSTM"


st.title("Emojify")
show_flash()
model_dir = st.session_state.get("emojify_model_dir")
model = emojify_model(model_dir)  # None while the default model trains (first use: a panel above says so)
st.caption(f"Model: {'trained in this session' if model_dir else 'default (bundled data)'}, {model_words(model)}; "
           f"classes: {' '.join(model.emojis)}" if model is not None else "Model: default (bundled data), training now")
model_exchange("emojify", "emojify_model_dir")
classify_tab, batch_tab, train_tab = st.tabs(["Sentence", "File", "Train"], key="emojify_tabs")

with classify_tab:
    if model is None:
        waiting("emojify")
    else:
        sentence = st.text_input("Sentence", value="I love eating pizza with my friends", key="emojify_sentence")
        if not sentence.strip():
            st.info("Type a sentence above, for example “let's grab some sushi tonight” or “I miss you so much”, "
                    "and press Enter: the page shows the emoji it suggests and the words that drove it.")
        else:
            predicted, probs, scores, method = explain(model, sentence)
            if knows_nothing(scores):
                st.warning("None of these words is in the model's word vectors, so there is nothing to go on: "
                           "the model would only guess. Try a sentence in plain English words.")
            else:
                st.markdown(f"# {model.emojis[predicted]}")
                top = sorted(range(len(probs)), key=lambda i: -probs[i])[:3]
                for column, i in zip(st.columns(3), top):
                    column.metric(f"{model.emojis[i]} {model.labels[i]}", f"{probs[i]:.0%}")
                st.markdown(sentence_html(scores), unsafe_allow_html=True)
                st.caption(f"Each word's colour: how much it drove the prediction ({method}; orange for, blue against); "
                           "struck-through words are not in the word vectors and are ignored.")
                st.dataframe(pd.DataFrame([{"word": s.word, "score": round(s.score, 4),
                                            "seen by the model": s.known} for s in scores]), hide_index=True)

with batch_tab:
    if model is None:
        waiting("emojify")
    else:
        upload = st.file_uploader("A text file (one sentence a line) or a CSV (a 'text' column)", type=["txt", "csv"],
                                  key="emojify_upload")
        pasted = st.text_area("… or paste sentences, one a line", key="emojify_paste")
        use_file = upload is not None
        if upload is not None and pasted.strip():
            use_file = st.radio("Classify", [f"the file {upload.name}", "the pasted lines"], horizontal=True,
                                key="emojify_batch_source").startswith("the file")
        lines = None
        try:
            if use_file:
                data = upload.getvalue()
                if data.count(b"\n") > PAGE_LINES:
                    raise UserError(f"{upload.name}: more than {PAGE_LINES:,} lines is too large for the page; classify "
                                    f"it with `nlp-rnn emojify classify {upload.name}`, which streams files of any size")
                require_text(upload.name, data)
                lines = classified(model, model_dir or "default", upload.name, data)
            elif pasted.strip():
                lines = classified(model, model_dir or "default", "pasted.txt", pasted.encode())
        except UserError as error:
            show_error(error)
        if lines is not None:
            rows, as_csv, as_jsonl = lines
            rows = [{**row, "error": row.get("error", "")} for row in rows]
            bad = sum(1 for r in rows if r["error"])
            st.write(f"{len(rows)} rows" + (f", {bad} marked with an error" if bad else ""))
            left, right = st.columns(2)
            chosen = left.multiselect("Emoji", model.emojis, key="emojify_filter_emoji", placeholder="all emoji")
            confidence = right.slider("Confidence at least", 0.0, 1.0, 0.0, 0.05, key="emojify_filter_confidence")
            table = pd.DataFrame(rows, columns=["line", "text", "emoji", "label", "prob", "error"])
            shown = table[(table["emoji"].isin(chosen) if chosen else True) & (table["prob"].fillna(0.0) >= confidence)]
            if chosen or confidence:
                st.caption(f"{len(shown)} of {len(table)} rows match the filter")
            st.dataframe(shown.head(1000), hide_index=True, key="emojify_results")
            left, right = st.columns(2)
            left.download_button("Download CSV", as_csv, "emojify.csv", "text/csv", key="emojify_dl_csv")
            right.download_button("Download JSONL", as_jsonl, "emojify.jsonl", "application/json",
                                  key="emojify_dl_jsonl")

with train_tab:
    source = st.radio("Data", ["Bundled dataset", "Upload a CSV"], horizontal=True, key="emojify_train_source")
    data = st.file_uploader("Labelled CSV ('sentence,label_index' or 'text,label')", type=["csv"],
                            key="emojify_train_upload") if source == "Upload a CSV" else None
    version = st.radio("Model", ["auto", "v1", "v2"], horizontal=True, key="emojify_train_model",
                       help="auto: chosen by 5-fold cross-validation among V1, V1 with attention and a BiLSTM with attention "
                            "(possibly an ensemble); v1: average of word vectors → linear; v2: 2-layer LSTM")
    epochs = None if version == "auto" else st.number_input(
        "Epochs (at most; early stopping on validation loss when there is a validation split)",
        1, 1000, DEFAULT_EPOCHS[version], key=f"emojify_epochs_{version}")
    if source == "Upload a CSV":
        st.checkbox("train on it anyway when it is tiny (a model from a handful of sentences is a guess)",
                    key="emojify_allow_small")
    if st.button("Train", key="emojify_train"):
        from nlp_rnn.emojify.session import TrainRequest, run_training

        saved, out = None, session_dir("emojify-session-")
        with TrainingRun("emojify_model_dir", out, "emojify_stop") as run:
            try:
                if source == "Bundled dataset":
                    examples = read_examples("bundled")
                elif data is None:
                    raise UserError("upload a labelled CSV first")
                else:
                    saved = saved_upload(data, "emojify-train")
                    examples = read_examples(saved.path)
                train_set, valid_set = train_valid(examples)
                small = too_small(train_set)
                if small and not st.session_state.get("emojify_allow_small"):
                    raise UserError(f"{saved.name if saved else 'the data'}: {small}; the page keeps its model. "
                                    "Add sentences, or tick “train on it anyway” below")
                # auto: a bar per cross-validation run and member, Stop taken between runs and within them;
                # v1/v2: the live chart per epoch
                bar = run.runs_progress("Training auto") if version == "auto" else None
                live = None if bar else LiveTraining(int(epochs), ["train_loss", "val_loss", "val_accuracy"])
                result = run_training(TrainRequest(version, epochs and int(epochs)), train_set, valid_set, out,
                                      on_progress=bar, callbacks=[run.stop, live] if live else [run.stop],
                                      stop=run.stop.asked)
            except (UserError, VectorsError) as error:
                show_error(error, saved)
            else:
                shown = [("write", line) for line in (summary_lines(result.model.auto) if result.model.auto else [])]
                if result.model.auto and result.model.auto.get("confusion"):
                    shown += [("caption", "Cross-validation: every sentence predicted by a model that never saw it "
                                          "(rows: the true emoji, columns: the predicted one)"),
                              ("dataframe", confusion_frame(result.model.auto["confusion"], result.model.labels))]
                shown += [("caption", f"Confusion on the {result.scored_on} (rows: the true emoji, columns: the predicted one)"),
                          ("dataframe", confusion_frame(result.report["confusion"], result.report["labels"]))]
                run.done(f"Trained {version}: {result.scored}; the page now uses this model.", *shown)
