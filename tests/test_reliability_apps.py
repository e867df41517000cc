"""Reliability of the pages and the shared models: hostile uploads, two sessions at once, hostile scores."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp_rnn.emojify.explain import explain
from nlp_rnn.errors import DataError
from nlp_rnn.jazz.export import write_midi
from nlp_rnn.jazz.improvise import improvise
from nlp_rnn.jazz.parse import parse_file
from nlp_rnn.textgen.generation import generate_text
from tests.test_app import page
from tests.test_jazz import scale_piece
from tests.test_jazz_midi import music21_midi

FUZZ = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_too_large_uploads_are_refused_on_the_page_which_keeps_working():
    at = page("emojify")
    at.file_uploader(key="emojify_upload").set_value(("big.txt", b"hi\n" * 100_001, "text/plain")).run()
    assert not at.exception and "too large for the page" in at.error[0].value
    at.text_input(key="emojify_sentence").set_value("I love you so much").run()
    assert not at.exception and "❤️" in at.markdown[0].value

    at = page("jazz")
    at.file_uploader(key="jazz_upload").set_value(("huge.mid", b"MThd" + bytes(21_000_000), "audio/midi")).run()
    assert not at.exception and "file too large" in at.error[0].value


def test_a_corrupt_csv_upload_marks_rows_and_the_session_goes_on():
    at = page("emojify")
    at.file_uploader(key="emojify_upload").set_value(("x.csv", b"text\n\xff\xfe\x00bad\nfine words\n", "text/csv")).run()
    assert not at.exception
    results = next(df.value for df in at.dataframe if "error" in df.value.columns)
    assert results["error"].astype(bool).tolist() == [True, False]


def _shared_models():
    """The objects the pages' cached loaders hand every session (one per process, read-only)."""
    from nlp_rnn.emojify.default import load_default as emojify_default
    from nlp_rnn.jazz.default import load_default as jazz_default
    from nlp_rnn.textgen.default import load_default as text_default

    return emojify_default(progress=False), text_default(progress=False), jazz_default(progress=False)


def test_sessions_sharing_the_cached_models_get_the_results_they_would_get_alone():
    """What the pages call, from several threads at once on the same model objects (as Streamlit runs
    sessions). AppTest itself cannot run concurrently (it swaps a process-global Runtime per run), and
    the real server with two browser sessions is covered in tests/test_browser.py."""
    emojify, text, jazz = _shared_models()
    calls = [lambda: explain(emojify, "let's eat dinner")[:2],
             lambda: generate_text(text, "The ", 400, 0.8, None, None, 1, 3),
             lambda: explain(emojify, "I hate losing")[:2],
             lambda: generate_text(text, "The ", 400, 0.8, None, None, 1, 4),
             lambda: improvise(jazz, 8, None, 1.0, 5)] * 3

    alone = [repr(call()) for call in calls]  # repr: the probabilities are arrays, compared to the last digit
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        together = list(pool.map(lambda call: repr(call()), calls))
    assert together == alone
    assert alone[1] != alone[3]  # different seeds, different text: the seeds are per call


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".mid", ".abc", ".xml"]), header=st.booleans())
def test_score_readers_work_or_say_why(tmp_path, data, suffix, header):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes((b"MThd\x00\x00\x00\x06" if header and suffix == ".mid" else b"") + data)
    try:
        pieces = parse_file(path, use_cache=False)
    except DataError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:
        assert pieces and all(p.parts for p in pieces)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_midi_files_work_or_say_why(tmp_path, flips):
    good = write_midi(scale_piece(4), tmp_path / "good.mid").read_bytes()
    damaged = bytearray(good)
    for position, value in flips:
        damaged[position % len(damaged)] = value
    path = tmp_path / "damaged.mid"
    path.write_bytes(bytes(damaged))
    try:
        parse_file(path, use_cache=False)
    except DataError as error:
        assert "\n" not in str(error)


def test_a_midi_file_damaged_into_hours_of_silence_is_refused_fast(tmp_path):
    """Found by the fuzz test above (hypothesis seed 2): these flips make a track claim 65,657 quarter
    notes, and music21 spent over ten minutes filling them with rests."""
    music21_midi(scale_piece(4), 120.0, tmp_path / "good.mid")  # the bytes the fuzz test damaged: music21's writer
    damaged = bytearray((tmp_path / "good.mid").read_bytes())
    for position, value in [(29, 194), (302, 24), (386, 95), (2947, 196), (1336, 137)]:
        damaged[position % len(damaged)] = value
    (tmp_path / "damaged.mid").write_bytes(bytes(damaged))
    with pytest.raises(DataError, match="65,657 quarter notes"):
        parse_file(tmp_path / "damaged.mid", use_cache=False)
