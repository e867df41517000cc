"""A default model's folder follows the code that trains it (nlp_rnn.defaults.default_dir)."""

from pathlib import Path

import pytest

from nlp_rnn import defaults


@pytest.fixture()
def package(tmp_path, monkeypatch) -> Path:
    """A stand-in package: the shared training code and one application folder."""
    for name in ("training.py", "schedules.py", "callbacks.py", "models/store.py", "app/train.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"# {name}\n")
    monkeypatch.setattr(defaults, "PACKAGE", tmp_path)
    monkeypatch.setenv("NLP_RNN_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_a_change_to_the_training_code_names_a_new_folder(package):
    before = defaults.default_dir("app-default", b"data+options", ("app",))
    assert defaults.default_dir("app-default", b"data+options", ("app",)) == before  # stable
    (package / "app" / "train.py").write_text("# the temperature is fitted another way\n")
    changed_app = defaults.default_dir("app-default", b"data+options", ("app",))
    (package / "models" / "store.py").write_text("# shared code changed too\n")
    changed_shared = defaults.default_dir("app-default", b"data+options", ("app",))
    assert len({before, changed_app, changed_shared}) == 3
    assert changed_app.parent == before.parent and changed_app.name.startswith("app-default-")


def test_files_that_are_not_code_and_other_apps_leave_it_alone(package):
    before = defaults.default_dir("app-default", b"data+options", ("app",))
    (package / "app" / "notes.txt").write_text("not code\n")
    (package / "other").mkdir()
    (package / "other" / "page.py").write_text("# another application\n")
    assert defaults.default_dir("app-default", b"data+options", ("app",)) == before


def test_a_named_path_that_is_gone_is_an_error_not_a_smaller_digest(package):
    with pytest.raises(FileNotFoundError, match="renamed"):
        defaults.default_dir("app-default", b"data+options", ("renamed",))


@pytest.mark.parametrize("module", ["nlp_rnn.emojify.default", "nlp_rnn.textgen.default", "nlp_rnn.jazz.default"])
def test_the_real_defaults_name_code_that_exists(module):
    import importlib

    assert importlib.import_module(module).default_model_dir().name.count("-") >= 2
