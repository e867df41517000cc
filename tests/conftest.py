import os
from datetime import timedelta

import pytest
from hypothesis import settings

# Property-based tests run the same examples on every machine (derandomized: a CI failure reproduces
# locally) and each example has a deadline, so a slow path is a named failure. The deadline is
# generous because these machines are shared and timings move by ±30% and more under load; a hang
# is caught by pytest-timeout (pyproject's default per-test timeout), which deadlines cannot interrupt.
settings.register_profile("ci", derandomize=True, deadline=timedelta(seconds=30), print_blob=True, database=None)
settings.register_profile("explore", deadline=timedelta(seconds=30))  # HYPOTHESIS_PROFILE=explore: random examples
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config, items):
    """Browser tests first: their server then starts on the session's empty model cache, as a newcomer's
    would, and trains the default models once for the AppTests that follow (which would train them anyway)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)  # stable: order kept within each group


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Models and vector caches that tests make (in this process and in the processes it starts)
    go to a per-session folder, never the user's. Session-scoped, so it is in place before any
    module-scoped fixture (such as the browser test's server) starts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NLP_RNN_CACHE", str(tmp_path_factory.getbasetemp() / "nlp-rnn-cache"))
        yield
