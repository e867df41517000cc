"""Home: what each tool does, what to try first, a link to it, and whether its model is ready (in words)."""

import importlib

import streamlit as st
from first_visit import FIRST_USE, training_now
from support import LOADERS

from nlp_rnn import checkpoint
from nlp_rnn.devices import in_use

st.title("nlp-rnn")
st.write("Recurrent-network tools on one shared core: word vectors, sequence models, training, sampling.")
st.info("New here? Start with **Emojify**: type a sentence and see the emoji and the words that drove it.")

TOOLS = [  # page, title, icon, what it does, what to try first, model kind (None: nothing to train first)
    ("views/emojify.py", "Emojify", "😄", "Classify a sentence into an emoji and see which words drove it; "
     "classify whole files; train your own.", "Type “we ate pizza for dinner” in the Sentence box.", "emojify"),
    ("views/textgen.py", "Text generation", "✍️", "Train character or word language models and generate text.",
     "Press Generate, then change the seed or the temperature and generate again.", "textgen"),
    ("views/jazz.py", "Jazz", "🎷", "Improvise a solo over chords; listen, see the piano roll, download the MIDI; "
     "train on your own MIDI.", "Press Improvise, then type your own chords (one per bar) and improvise again.", "jazz"),
    ("views/lab.py", "RNN Lab", "🧪", "The classic exercises: next letter, sine waves, series forecasting, "
     "RNN vs LSTM vs GRU.", "Train the next-letter RNN and type letters to see what it predicts.", None),
]


def model_state(kind: str | None) -> str:
    """Whether the tool can answer at once, in words (no cache paths)."""
    if kind is None:
        return "Nothing to prepare: each exercise trains when you press its button."
    what, measured = FIRST_USE[kind]
    directory = importlib.import_module(LOADERS[kind][0]).default_model_dir()
    if checkpoint.exists(directory):
        return f"Ready: {what} is trained on this machine and loads at once."
    if training_now(directory):
        return f"Training now: {what} is being trained for this machine (measured: {measured}); the page works meanwhile."
    return (f"Not trained yet: your first visit trains {what} in the background (measured: {measured}), with a "
            "progress bar; the rest of the page works meanwhile.")


for index, (path, title, icon, what, first, kind) in enumerate(TOOLS):
    if index % 2 == 0:
        row = st.columns(2)
    with row[index % 2].container(border=True):
        st.subheader(title)
        st.write(what)
        st.write(f"**Try first:** {first}")
        st.caption(model_state(kind))
        st.page_link(path, label=f"Open {title}", icon=icon)
st.caption(f"Device: {in_use()} (set NLP_RNN_DEVICE=cpu|cuda|cuda:N|mps to choose).")
st.caption("Word vectors: GloVe 6B 50d (400,000 words × 50), packaged with nlp-rnn, offline.")
