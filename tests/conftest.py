import pytest


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Models and vector caches that tests make (in this process and in the processes it starts)
    go to a per-session folder, never the user's. Session-scoped, so it is in place before any
    module-scoped fixture (such as the browser test's server) starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NLP_RNN_CACHE", str(tmp_path_factory.getbasetemp() / "nlp-rnn-cache"))
        yield
