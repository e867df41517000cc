"""nlp-rnn suite entry point: ``streamlit run apps/Home.py`` (or ``make app``)."""

import streamlit as st

st.set_page_config(page_title="nlp-rnn", page_icon="🔁", layout="wide")

TOOLS = [
    ("Emojify", "Classify a sentence into an emoji and see which words drove it; batch-classify files.", "planned"),
    ("Text generation", "Train character or word language models on any text and generate from a prime.", "planned"),
    ("Jazz", "Learn from MIDI and improvise a solo over chords; download MIDI and listen.", "planned"),
    ("RNN Lab", "The classic exercises: next letter, sine waves, RNN vs LSTM vs GRU, step by step.", "planned"),
]


def home() -> None:
    st.title("nlp-rnn")
    st.write("Recurrent-network tools on one shared core: word vectors, sequence models, training, sampling.")
    for name, what, state in TOOLS:
        st.subheader(name)
        st.write(what)
        st.caption(f"Status: {state}")


page = st.navigation([st.Page(home, title="Home", icon="🏠", default=True)])
page.run()
