import pytest


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Models and vector caches that tests make go to a per-session folder, never the user's."""
    monkeypatch.setenv("NLP_RNN_CACHE", str(tmp_path_factory.getbasetemp() / "nlp-rnn-cache"))
