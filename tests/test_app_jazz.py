"""The Jazz page under AppTest: improvise (solo and source audio, lead sheet, piano roll, labelled stats side by
side, MIDI/MusicXML downloads, chord rhythm, primer upload), train on an upload, bad uploads and bad chords."""

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


def test_jazz_improvises_with_audio_score_piano_roll_stats_and_downloads(small_jazz_model):
    at = jazz_page(small_jazz_model)
    assert "trained in this session" in at.caption[0].value
    chords = at.text_input(key="jazz_chords")
    assert chords.value == "" and chords.placeholder.startswith("for example")  # a hint, not a value
    at.number_input(key="jazz_bars").set_value(4).run()
    at.text_input(key="jazz_chords").set_value("Dm7:2 G7:2 Cmaj7").run()
    at.slider(key="jazz_tempo").set_value(150).run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception
    solo, media, pages = at.session_state["jazz_solo"]
    assert media.midi.startswith(b"MThd") and media.wav.startswith(b"RIFF") and b"<harmony" in media.musicxml
    assert [(c.offset, c.name) for c in solo.chords][:3] == [(0, "Dm7"), (2, "G7"), (4, "Cmaj7")]
    assert pages and pages[0].lstrip().startswith("<svg")
    assert len(at.get("audio")) == 2  # the solo and its source
    assert len(at.get("image")) >= 2  # the lead sheet's pages and the piano roll
    solo_downloads = [b.label for b in at.get("download_button") if b.label != "Download the model (.zip)"]
    assert solo_downloads == ["Download MIDI", "Download MusicXML"]
    stats = at.dataframe[0].value
    assert list(stats.columns) == ["Solo", "Source"] and stats.loc["Bars", "Solo"] == "4"
    assert stats.loc["Tempo (beats per minute)", "Solo"] == "150" and stats.loc["Length (seconds)", "Solo"] == "6.4 s"
    assert "None" not in stats.to_string() and "duration_seconds" not in stats.index


def test_jazz_starts_from_an_uploaded_primer(small_jazz_model, tmp_path):
    phrase = write_midi(scale_piece(4), tmp_path / "phrase.mid").read_bytes()
    at = jazz_page(small_jazz_model)
    at.number_input(key="jazz_bars").set_value(4).run()
    at.number_input(key="jazz_primer_bars").set_value(1).run()
    at.file_uploader(key="jazz_primer").set_value(("phrase.mid", phrase, "audio/midi")).run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception
    solo = at.session_state["jazz_solo"][0]
    assert [(n.offset, n.pitch) for n in solo.melody[:8]] == [(n.offset, n.pitch) for n in scale_piece(4).melody[:8]]


@pytest.mark.parametrize(("chords", "message"), [
    ("C Qm7", "Chords box: cannot read chord symbol 'Qm7'"),
    ("C:0", "Chords box: 'C:0' has no usable length"),
])
def test_jazz_bad_chords_name_the_chords_box(small_jazz_model, chords, message):
    at = jazz_page(small_jazz_model)
    at.text_input(key="jazz_chords").set_value(chords).run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception and message in at.error[0].value and "--chords" not in at.error[0].value


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
    ("broken.mid", b"MThd\x00\x00\x00\x06\x00\x01\x00\x05\x01", "broken.mid: cannot be read"),
    ("text.mid", b"just some text", "text.mid: not a MIDI file"),
    ("tune.abc", b"X:1\nT:t\nK:C\nCDEF|\xff\xfe GABc|\n", "tune.abc:4: is not an ABC text file"),
])
def test_jazz_corrupt_upload_is_an_error_and_the_page_keeps_working(small_jazz_model, name, data, message):
    at = jazz_page(small_jazz_model)
    at.file_uploader(key="jazz_upload").set_value((name, data, "audio/midi")).run()
    assert not at.exception and message in at.error[0].value and "codec" not in at.error[0].value
    at.number_input(key="jazz_bars").set_value(2).run()
    at.button(key="jazz_generate").click().run()
    assert not at.exception and "jazz_solo" in at.session_state
