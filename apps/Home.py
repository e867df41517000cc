"""nlp-rnn suite entry point: ``streamlit run apps/Home.py`` (or ``make app``)."""

import streamlit as st

st.set_page_config(page_title="nlp-rnn", page_icon="🔁", layout="wide")
page = st.navigation([
    st.Page("views/home.py", title="Home", icon="🏠", default=True),
    st.Page("views/emojify.py", title="Emojify", icon="😄"),
    st.Page("views/textgen.py", title="Text generation", icon="✍️"),
    st.Page("views/jazz.py", title="Jazz", icon="🎷"),
    st.Page("views/lab.py", title="RNN Lab", icon="🧪"),
])
page.run()
