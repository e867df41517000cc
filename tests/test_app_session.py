"""What pages do with a session's files: uploads never become paths, folders go when replaced or when the
session ends, and errors name the user's file and widget."""

import gc
import json
import tempfile
import uuid
from pathlib import Path

import pytest

from nlp_rnn.paths import cache_dir
from tests.test_app import page_with_model
from tests.test_app_jazz import small_jazz_model  # noqa: F401  (a fixture)


@pytest.fixture(scope="module")
def small_emojify_model(tmp_path_factory):
    from nlp_rnn.emojify.data import read_examples, train_valid
    from nlp_rnn.emojify.train import EmojifyOptions, train

    out = tmp_path_factory.mktemp("emojify") / "model"
    train(EmojifyOptions(model="v1", epochs=2), *train_valid(read_examples("bundled")), out, progress=False)
    return str(out)


def escaped(name: str) -> list[Path]:
    """Where ``name`` would land if a page joined it to one of the folders it writes in."""
    bases = [Path(tempfile.gettempdir()) / "x", cache_dir() / "models" / "x", cache_dir() / "models" / "x" / "y"]
    return [path for path in ((base / name).resolve() for base in bases) if path.exists()]


def test_an_upload_named_like_a_path_stays_in_a_fresh_folder_and_errors_name_it(small_emojify_model):
    name = f"../../escape-{uuid.uuid4().hex[:8]}.csv"
    at = page_with_model("emojify", "emojify_model_dir", small_emojify_model)
    at.radio(key="emojify_train_source").set_value("Upload a CSV").run()
    at.file_uploader(key="emojify_train_upload").set_value((name, b"text,label\n\xff\xfe bad,1\n", "text/csv")).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert escaped(name) == []
    message = at.error[0].value
    assert message.startswith(Path(name).name) and "nlp-rnn-upload" not in message and "/tmp" not in message


def test_upload_errors_name_the_users_file_not_our_copy(small_jazz_model):  # noqa: F811
    at = page_with_model("jazz", "jazz_model_dir", small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value(("my song.mid", b"just some text", "audio/midi")).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("my song.mid: ") and "upload.mid" not in message and "nlp-rnn-upload" not in message


def test_a_replaced_upload_folder_is_removed_and_the_rest_go_with_the_session(small_jazz_model):  # noqa: F811
    from nlp_rnn.jazz.export import write_midi
    from tests.test_jazz import scale_piece

    with tempfile.TemporaryDirectory() as work:
        first, second = (write_midi(scale_piece(n), Path(work) / f"{n}.mid").read_bytes() for n in (4, 6))
    at = page_with_model("jazz", "jazz_model_dir", small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value(("a.mid", first, "audio/midi")).run()
    old = at.session_state["_upload_jazz"][1].path
    at.file_uploader(key="jazz_upload").set_value(("b.mid", second, "audio/midi")).run()
    assert not at.exception
    new = at.session_state["_upload_jazz"][1].path
    assert new.read_bytes() == second and not old.parent.exists()
    del at
    gc.collect()
    assert not new.parent.exists()  # the session's state is gone, and its folders with it


def stop_at_step(monkeypatch, step: int) -> list:
    """Make the pages' runs see a click (Stop) when the trainer asks after ``step``; return the asks."""
    import runs  # the pages' module, imported by the first run of the app

    asks = []

    def interruption():
        asks.append(1)
        return "you pressed Stop or changed the page" if len(asks) >= step else None

    monkeypatch.setattr(runs, "interruption", interruption)
    return asks


def test_stop_before_the_first_epoch_ends_uses_the_partial_model_and_says_so(small_emojify_model, monkeypatch):
    at = page_with_model("emojify", "emojify_model_dir", small_emojify_model)
    asks = stop_at_step(monkeypatch, 2)
    at.radio(key="emojify_train_model").set_value("v1").run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert len(asks) == 2  # the trainer took no step after the one that saw the click
    assert "Training stopped during epoch 1 of 300 (before the first epoch ended" in at.info[0].value
    assert "the page now uses the best model saved so far" in at.info[0].value
    assert at.session_state["emojify_model_dir"] != small_emojify_model
    assert at.caption[0].value.startswith("Model: trained in this session")  # at once, not on the next click
    assert not [b for b in at.button if b.key == "emojify_stop"]  # the Stop button is gone


@pytest.mark.parametrize("step", [1, 3], ids=["between runs", "inside a run"])
def test_stop_during_auto_training_stops_at_once_and_keeps_the_previous_model(small_emojify_model, monkeypatch,
                                                                               step):
    """The page's default, --model auto, cross-validates many runs: Stop is taken before a run (ask 1) and within
    one (ask 3: its Trainer's second step), nothing more trains, and the page keeps its model and says so."""
    at = page_with_model("emojify", "emojify_model_dir", small_emojify_model)
    asks = stop_at_step(monkeypatch, step)
    at.button(key="emojify_train").click().run()  # the Model radio's default: auto
    assert not at.exception
    assert len(asks) == step  # no step and no run after the one that saw the click
    assert at.warning[0].value.startswith("Training stopped (cross-validation, fold 1/5: v1-sif-negation) before the model")
    assert "the page keeps its previous model" in at.warning[0].value
    assert at.session_state["emojify_model_dir"] == small_emojify_model
    assert not [b for b in at.button if b.key == "emojify_stop"]


def jazz_page_with_upload(model_dir: str, epochs: int):
    """The Jazz page with mine.mid (a scale) uploaded and ``epochs`` set, ready to train."""
    from nlp_rnn.jazz.export import write_midi
    from tests.test_jazz import scale_piece

    with tempfile.TemporaryDirectory() as work:
        midi = write_midi(scale_piece(8), Path(work) / "mine.mid").read_bytes()
    at = page_with_model("jazz", "jazz_model_dir", model_dir)
    at.file_uploader(key="jazz_upload").set_value(("mine.mid", midi, "audio/midi")).run()
    at.number_input(key="jazz_epochs").set_value(epochs).run()
    return at


def test_a_training_that_ends_shows_the_new_model_at_once_without_a_stop_button(small_jazz_model):  # noqa: F811
    at = jazz_page_with_upload(small_jazz_model, 2)
    at.button(key="jazz_train").click().run()
    assert not at.exception and "Trained on mine.mid" in at.success[0].value
    assert at.caption[0].value.startswith("Model: trained in this session on mine.mid")
    assert not [b for b in at.button if b.key == "jazz_stop"]


def test_home_links_each_tool_says_what_to_try_and_states_models_in_words():
    from tests.test_app import page

    at = page("home")
    assert not at.exception
    links = [(link.proto.page, link.proto.label) for link in at.get("page_link")]
    assert [label for _, label in links] == ["Open Emojify", "Open Text generation", "Open Jazz", "Open RNN Lab"]
    assert all(page.endswith((".py", "emojify", "textgen", "jazz", "lab")) for page, _ in links)
    assert sum("Try first" in m.value for m in at.markdown) == 4
    known = ("Ready", "Training now", "Not trained yet", "Nothing to prepare")
    states = [c.value for c in at.caption if c.value.startswith(known)]
    assert len(states) == 4 and not any("/" in s for s in states)  # words, not cache paths


def test_many_trainings_keep_a_bounded_number_of_models_and_folders(small_jazz_model):  # noqa: F811
    from nlp_rnn.jazz.improvise import Improviser

    at = jazz_page_with_upload(small_jazz_model, 1)
    import support  # the pages' module, importable once the app has run

    for _ in range(support.SESSION_MODELS + 3):
        at.button(key="jazz_train").click().run()
        assert not at.exception and "Trained on mine.mid" in at.success[0].value
    gc.collect()
    trained_here = [o for o in gc.get_objects() if isinstance(o, Improviser) and o.extra.get("sources") == ["mine.mid"]]
    assert 1 <= len(trained_here) <= support.SESSION_MODELS  # the default model and other tests' models aside
    assert [p.name for p in (cache_dir() / "models").glob("jazz-session-*")] == [Path(at.session_state["jazz_model_dir"]).name]


def test_an_upload_is_classified_once_not_on_every_widget_change(small_emojify_model, monkeypatch):
    from nlp_rnn.emojify import classify

    calls = []
    real = classify.classify_stream
    monkeypatch.setattr(classify, "classify_stream", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = page_with_model("emojify", "emojify_model_dir", small_emojify_model)
    at.file_uploader(key="emojify_upload").set_value(("once.txt", f"{uuid.uuid4()} I love you\nso sad".encode(), "text/plain"))
    at.run()
    for sentence in ("we won the game", "pizza tonight"):
        at.text_input(key="emojify_sentence").set_value(sentence).run()
    assert not at.exception and len(calls) == 1


def test_a_page_hands_out_its_model_and_loads_a_zip_after_checking_it(small_jazz_model):  # noqa: F811
    from nlp_rnn.model_zip import pack

    at = page_with_model("jazz", "jazz_model_dir", small_jazz_model)
    assert "Download the model (.zip)" in [b.label for b in at.get("download_button")]
    at.file_uploader(key="jazz_model_upload").set_value(("bad.zip", b"not a zip", "application/zip")).run()
    assert not at.exception and at.error[0].value.startswith("bad.zip: not a zip file")
    assert at.session_state["jazz_model_dir"] == small_jazz_model
    at.file_uploader(key="jazz_model_upload").set_value(("mine.zip", pack(small_jazz_model), "application/zip")).run()
    assert not at.exception and "Loaded the model in mine.zip" in at.success[0].value
    loaded = Path(at.session_state["jazz_model_dir"])
    manifest = json.loads((Path(small_jazz_model) / "checkpoint.json").read_text())
    assert loaded != Path(small_jazz_model)
    expected = ["checkpoint.json", *(entry["file"] for entry in manifest["files"].values())]
    assert sorted(p.name for p in loaded.iterdir()) == sorted(expected)


def test_stop_in_the_lab_keeps_the_results_so_far_and_says_so(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import HOME

    at = AppTest.from_file(HOME, default_timeout=180).run()
    at.switch_page("views/lab.py").run()
    asks = stop_at_step(monkeypatch, 3)
    at.button(key="lab_sine_train").click().run()
    assert not at.exception and len(asks) == 3
    assert at.info[0].value.startswith("Training stopped during epoch 1 of 30 (before the first epoch ended")
    assert "lab_sine" in at.session_state and not [b for b in at.button if b.key == "lab_sine_stop"]


def test_page_errors_name_the_widget_not_the_cli_flag(small_jazz_model):  # noqa: F811
    at = page_with_model("jazz", "jazz_model_dir", small_jazz_model)
    at.text_input(key="jazz_chords").set_value("C Qm7").run()
    at.button(key="jazz_generate").click().run()
    message = at.error[0].value
    assert not at.exception and "Qm7" in message and "--chords" not in message and "Chords" in message
