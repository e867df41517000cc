"""Home: what each tool does and the state of its models and vectors."""

import streamlit as st

from nlp_rnn import checkpoint
from nlp_rnn.devices import in_use

st.title("nlp-rnn")
st.write("Recurrent-network tools on one shared core: word vectors, sequence models, training, sampling.")


def emojify_state() -> str:
    from nlp_rnn.emojify.default import default_model_dir

    directory = default_model_dir()
    if checkpoint.exists(directory):
        return f"default model ready ({directory})"
    return "default model: trained on first use (about 10 s)"


def text_state() -> str:
    from nlp_rnn.textgen.default import default_model_dir

    directory = default_model_dir()
    if checkpoint.exists(directory):
        return f"default model ready ({directory})"
    return "default model: trained on first use (about 30 s)"


def jazz_state() -> str:
    from nlp_rnn.jazz.default import default_model_dir

    directory = default_model_dir()
    if checkpoint.exists(directory):
        return f"default model ready ({directory})"
    return "default model: trained on first use (about a minute)"


TOOLS = [
    ("Emojify", "Classify a sentence into an emoji and see which words drove it; classify whole files.", emojify_state),
    ("Text generation", "Train character or word language models and generate text.", text_state),
    ("Jazz", "Learn from MIDI and improvise a solo over chords; listen, see the piano roll, download MIDI.", jazz_state),
    ("RNN Lab", "The classic exercises: next letter, sine waves, series forecasting, RNN vs LSTM vs GRU.",
     lambda: "ready (each experiment trains in seconds)"),
]
for name, what, state in TOOLS:
    st.subheader(name)
    st.write(what)
    st.caption(f"Status: {state()}")
st.caption(f"Device: {in_use()} (set NLP_RNN_DEVICE=cpu|cuda|cuda:N|mps to choose).")
st.caption("Word vectors: GloVe 6B 50d (400,000 words × 50), packaged with nlp-rnn, offline.")
