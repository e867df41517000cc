"""Streamlit pages under AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APPS = Path(__file__).resolve().parents[1] / "apps"


def test_home_page_runs_and_lists_the_tools():
    at = AppTest.from_file(str(APPS / "Home.py"), default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "nlp-rnn"
    headers = [h.value for h in at.subheader]
    assert headers == ["Emojify", "Text generation", "Jazz", "RNN Lab"]
