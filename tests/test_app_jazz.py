"""The Jazz page under AppTest: improvise (audio, piano roll, stats, download), train on an upload, bad uploads."""

import pytest
from streamlit.testing.v1 import AppTest

from nlp_rnn.jazz.export import write_midi
from tests.test_app import page, page_with_model
from tests.test_jazz import scale_piece


@pytest.fixture(scope="module")
def small_jazz_model(tmp_path_factory):
    from nlp_rnn.jazz.train import JazzOptions, train

    out = tmp_path_factory.mktemp("jazz") / "model"
    train(JazzOptions(epochs=5, window=12), [scale_piece(8)], out, sources=["scale.mid"], progress=False)
    return str(out)


def jazz_page(model_dir: str) -> AppTest:
    return page_with_model("jazz", "jazz_model_dir", model_dir)


def test_jazz_first_launch_trains_the_default_model():
    at = page("jazz")
    assert not at.exception
    assert "default on berlinAlexandersRagtime.mxl" in at.caption[0].value


def test_jazz_improvises_with_audio_piano_roll_stats_and_download(small_jazz_model):
    at = jazz_page(small_jazz_model)
    assert "trained in this session" in at.caption[0].value
    at.number_input(key="jazz_bars").set_value(4).run()
    at.text_input(key="jazz_chords").set_value("Dm7 G7").run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception
    solo, midi, wav, _ = at.session_state["jazz_solo"]
    assert midi.startswith(b"MThd") and wav.startswith(b"RIFF") and [c.name for c in solo.chords][:2] == ["Dm7", "G7"]
    assert len(at.get("audio")) == 1 and len(at.get("image")) == 1  # the player and the piano roll
    assert at.get("download_button")[0].label == "Download MIDI"
    stats = at.dataframe[0].value
    assert list(stats.columns) == ["generated", "source"] and stats.loc["bars", "generated"] == "4"


def test_jazz_bad_chords_are_an_error_on_the_page(small_jazz_model):
    at = jazz_page(small_jazz_model)
    at.text_input(key="jazz_chords").set_value("C Qm7").run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception and "Qm7" in at.error[0].value


def test_jazz_trains_on_an_uploaded_midi_and_uses_it(small_jazz_model, tmp_path):
    midi = write_midi(scale_piece(8), tmp_path / "mine.mid").read_bytes()
    at = jazz_page(small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value(("mine.mid", midi, "audio/midi")).run()
    assert not at.exception
    assert [o.split(":")[0] for o in at.selectbox(key="jazz_melody_part").options] == ["automatic", "0", "1"]
    at.number_input(key="jazz_epochs").set_value(3).run()
    at.button(key="jazz_train").click().run()
    assert not at.exception and "Trained on mine.mid" in at.success[0].value
    assert at.session_state["jazz_model_dir"] != small_jazz_model


@pytest.mark.parametrize(("name", "data", "message"), [
    ("broken.mid", b"MThd\x00\x00\x00\x06\x00\x01\x00\x05\x01", "cannot be read"),
    ("text.mid", b"just some text", "not a MIDI file"),
])
def test_jazz_corrupt_upload_is_an_error_and_the_page_keeps_working(small_jazz_model, name, data, message):
    at = jazz_page(small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value((name, data, "audio/midi")).run()
    assert not at.exception and message in at.error[0].value
    at.number_input(key="jazz_bars").set_value(2).run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception and "jazz_solo" in at.session_state
