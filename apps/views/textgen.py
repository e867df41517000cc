"""Text generation: train a character or word language model, generate, or pick tokens one by one."""

import streamlit as st
from first_visit import waiting
from runs import TrainingRun, show_flash
from support import LiveTraining, model_exchange, session_dir, show_error, text_model
from uploads import saved_upload

from nlp_rnn.errors import UserError
from nlp_rnn.textgen.generation import NextTokenPicker, markdown_pieces, stream_text
from nlp_rnn.textgen.pipeline import TextOptions, train_text
from nlp_rnn.textgen.presets import DEFAULT_PRESET, PRESETS
from nlp_rnn.textgen.recipe import budget_of, schedule_words

st.title("Text generation")
show_flash()
model_dir = st.session_state.get("text_model_dir")
model = text_model(model_dir)  # None while the default model trains (first use: a panel above says so)
st.caption(f"Model: {'trained in this session' if model_dir else 'default (built-in Lee corpus, 2×128 char LSTM)'}, "
           f"{model.tokenizer.level} level, {len(model.vocabulary)} tokens" if model is not None
           else "Model: default (built-in Lee corpus, 2×128 char LSTM), training now")
model_exchange("textgen", "text_model_dir")
generate_tab, pick_tab, train_tab = st.tabs(["Generate", "Pick the next token", "Train"], key="text_tabs")

with generate_tab:
    if model is None:
        waiting("textgen")
    else:
        prime = st.text_input("Prime text", value="The ", key="text_prime")
        left, middle, right = st.columns(3)
        temperature = left.slider("Temperature", 0.0, 2.0, 0.8, 0.05, key="text_temperature")
        top_k = middle.number_input("Top-k (0 = all)", 0, 1000, 0, key="text_top_k")
        length = right.number_input("Length", 10, 5000, 300, key="text_length")
        left, right = st.columns(2)
        seed = left.number_input("Seed", 0, 2**31 - 1, 0, key="text_seed")
        num = right.number_input("Samples side by side", 1, 4, 1, key="text_num",
                                 help="sample i uses seed + i, as `nlp-rnn text generate --num` does")
        if st.session_state.pop("text_streaming", False):
            st.info("Generation stopped; the text sampled so far is kept.")
        if st.button("Generate", key="text_generate"):
            st.button("Stop", key="text_generate_stop", help="stops sampling; the text so far stays")
            st.session_state["text_samples"] = samples = [""] * int(num)
            st.session_state["text_streaming"] = True  # still set on the next run = a stop click cut it short
            for i, column in enumerate(st.columns(int(num))):
                pieces = stream_text(model, prime, int(length), temperature, int(top_k) or None, None, int(seed) + i)
                with column:
                    st.write_stream(markdown_pieces(pieces, samples, i))
            st.session_state["text_streaming"] = False
            st.rerun()  # the finished samples replace the streamed markdown with copyable text boxes
        samples = st.session_state.get("text_samples", [])
        for i, (column, sample) in enumerate(zip(st.columns(max(len(samples), 1)), samples)):
            key = "text_output" if i == 0 else f"text_output_{i}"
            st.session_state[key] = sample  # a keyed box keeps its first value unless told the new one
            column.text_area("Generated" if len(samples) == 1 else f"Generated {i + 1}", height=260, key=key)

with pick_tab:
    if model is None:
        waiting("textgen")
    else:
        picker = st.session_state.get("text_picker")
        if picker is None or picker.model is not model:
            picker = st.session_state["text_picker"] = NextTokenPicker(model, "The ")
        st.code(picker.text or " ", language=None)
        columns = st.columns(4)
        for i, (token, probability) in enumerate(picker.candidates(k=8)):
            shown = {"\n": "⏎", " ": "␣", "<eos>": "⏎"}.get(token, token)
            if columns[i % 4].button(f"{shown}  {probability:.0%}", key=f"text_pick_{i}"):
                picker.pick(token)  # one model step: the state after the text so far is carried
                st.rerun()
        if st.button("Start over", key="text_pick_reset"):
            st.session_state["text_picker"] = NextTokenPicker(model, "")
            st.rerun()

with train_tab:
    source = st.radio("Corpus", ["Built-in (Lee news corpus)", "Upload text"], horizontal=True, key="text_source")
    upload = st.file_uploader("A UTF-8 .txt file", type=["txt"], key="text_upload") if source == "Upload text" else None
    level = st.radio("Level", ["char", "word"], horizontal=True, key="text_level")
    names = [name for name, preset in PRESETS.items() if preset["level"] == level]
    preset = st.selectbox("Preset (as `nlp-rnn text train --preset`)", names, key=f"text_preset_{level}",
                          index=names.index(DEFAULT_PRESET[level]))
    size = st.select_slider("Model size (units per layer)", ["preset's", 64, 128, 256], value=128, key="text_size")
    epochs = st.number_input("Epochs", 1, 100, 3, key="text_epochs")
    own = PRESETS[preset].get("max_minutes")
    default_budget = f"the preset's {own:g}" if own else "none"
    minutes = st.number_input(f"Time budget in minutes (0 = {default_budget})", 0.0, 600.0, 0.0, key="text_minutes")
    chosen = {**PRESETS[preset], "epochs": int(epochs)}
    st.caption(f"Learning rate: {schedule_words(chosen, budget_of(chosen, minutes or None))}")
    if st.button("Train", key="text_train"):
        out, saved = session_dir("text-session-"), None
        with TrainingRun("text_model_dir", out, "text_stop") as run:
            try:
                if upload is None and source == "Upload text":
                    raise UserError("upload a text file first")
                corpus = "lee"
                if upload is not None:
                    saved = saved_upload(upload, "text")
                    corpus = str(saved.path)
                shape = (("hidden", size), ("embed", size)) if size != "preset's" else ()
                options = TextOptions(corpus=corpus, level=level, preset=preset, max_minutes=minutes or None,
                                      overrides=(*shape, ("epochs", int(epochs))))
                live = LiveTraining(int(epochs), ["train_loss", "val_loss", "val_perplexity"], unit="tokens",
                                    perplexity=True)
                _, history, _ = train_text(options, out, callbacks=[run.stop, live], progress=False)
            except UserError as error:
                show_error(error, saved)
            else:
                best = min(history, key=lambda r: r["val_loss"])
                run.done(f"Trained: validation perplexity {best['val_perplexity']:.2f} (epoch {best['epoch']}); "
                         "the page now uses this model.", ("info", f"Learning rate: {live.schedule}"))
