"""Streamlit pages under AppTest: every page runs, every main flow works."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

HOME = str(Path(__file__).resolve().parents[1] / "apps" / "Home.py")


def page(name: str) -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=120).run()
    assert not at.exception
    return at.switch_page(f"views/{name}.py").run() if name != "home" else at


def frame_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column`` (AppTest does not expose dataframe keys)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_home_lists_the_tools_and_their_state():
    at = page("home")
    assert at.title[0].value == "nlp-rnn"
    assert [h.value for h in at.subheader] == ["Emojify", "Text generation", "Jazz", "RNN Lab"]
    assert any("Emojify" in c.value or "model" in c.value for c in at.caption)


def test_emojify_classifies_a_typed_sentence_and_explains_it():
    at = page("emojify")
    assert not at.exception
    at.text_input(key="emojify_sentence").set_value("we ate pasta and pizza for dinner").run()
    assert not at.exception
    assert "🍴" in at.markdown[0].value
    words = frame_with(at, "word")
    assert words.loc[words["score"].idxmax(), "word"] in {"pasta", "pizza", "dinner"}


def test_emojify_classifies_pasted_lines_and_marks_bad_rows():
    at = page("emojify")
    at.text_area(key="emojify_paste").set_value("I love you\n\nhe hit a home run").run()
    assert not at.exception
    results = frame_with(at, "error")
    assert results["line"].tolist() == [1, 2, 3]
    assert results["error"].tolist() == ["", "empty line", ""]
    assert results["label"].tolist()[2] == "baseball"


def test_emojify_trains_a_model_and_uses_it_at_once():
    at = page("emojify")
    at.radio(key="emojify_train_model").set_value("v1").run()
    at.number_input(key="emojify_epochs").set_value(5).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert "Trained v1" in at.success[0].value
    assert at.session_state["emojify_model_dir"]
    confusion = frame_with(at, "heart")
    assert confusion.shape == (5, 5) and int(confusion.values.sum()) == 60


def test_emojify_training_without_an_upload_is_an_error_not_a_crash():
    at = page("emojify")
    at.radio(key="emojify_train_source").set_value("Upload a CSV").run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert "upload a labelled CSV" in at.error[0].value


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.txt", b"one\n\xff\ntwo", [(1, "one"), (2, None), (3, "two")]),
    ("a.csv", b"id,text\n1,hello\n2,\n", [(2, "hello"), (3, None)]),
    ("b.csv", b"hello there,3\nbye,1\n", [(1, "hello there"), (2, "bye")]),
])
def test_uploads_become_lines(name, data, expected):
    from nlp_rnn.emojify.classify import read_upload

    assert [(n, text) for n, text, _ in read_upload(name, data)] == expected
