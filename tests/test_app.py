"""Streamlit pages under AppTest: every page runs, every main flow works."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nlp_rnn.emojify.train import DEFAULT_EPOCHS

HOME = str(Path(__file__).resolve().parents[1] / "apps" / "Home.py")


def page(name: str) -> AppTest:
    """Page ``name`` with its default model: on a first launch it trains in the background (the page says so),
    so wait for it and run the page again, as its progress panel does."""
    at = AppTest.from_file(HOME, default_timeout=300).run()
    assert not at.exception
    if name == "home":
        return at
    at.switch_page(f"views/{name}.py").run()
    if any("First use on this machine" in i.value for i in at.info):
        from nlp_rnn import background

        background.wait_all(900)
        at.run()
    return at


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


def test_emojify_shows_the_top_three_and_the_sentence_coloured_by_word():
    at = page("emojify")
    at.text_input(key="emojify_sentence").set_value("we ate pasta and pizza with xqzt").run()
    assert not at.exception
    shown = [float(m.value.rstrip("%")) / 100 for m in at.metric]
    assert len(shown) == 3 and shown == sorted(shown, reverse=True) and "🍴" in at.metric[0].label
    coloured = next(m.value for m in at.markdown if "<span" in m.value)
    assert coloured.count("<span") == 7 and "line-through\">xqzt" in coloured  # every word; the unknown one struck
    assert "background:rgba(" in coloured


@pytest.mark.parametrize("sentence", ["xqzt blorf", "!!!"])
def test_emojify_says_when_it_knows_none_of_the_words_instead_of_guessing(sentence):
    at = page("emojify")
    at.text_input(key="emojify_sentence").set_value(sentence).run()
    assert not at.exception
    assert "None of these words" in at.warning[0].value and not at.metric
    assert not any(m.value.startswith("# ") for m in at.markdown)  # no emoji shown


def test_emojify_empty_sentence_says_what_to_type():
    at = page("emojify")
    at.text_input(key="emojify_sentence").set_value("   ").run()
    assert not at.exception and "Type a sentence" in at.info[0].value


@pytest.mark.filterwarnings("error")  # the results table once raised a Pandas4Warning (fillna on a float column)
def test_emojify_classifies_pasted_lines_and_marks_bad_rows():
    at = page("emojify")
    at.text_area(key="emojify_paste").set_value("I love you\n\nhe hit a home run").run()
    assert not at.exception
    results = frame_with(at, "error")
    assert results["line"].tolist() == [1, 2, 3]
    assert results["error"].tolist() == ["", "empty line", ""]
    assert results["label"].tolist()[2] == "baseball"


def test_emojify_file_results_filter_by_emoji_and_confidence():
    at = page("emojify")
    at.text_area(key="emojify_paste").set_value("I love you\nhe hit a home run\nlet's eat pizza\nI love my family").run()
    at.multiselect(key="emojify_filter_emoji").set_value(["❤️"]).run()
    assert not at.exception
    assert set(frame_with(at, "error")["emoji"]) == {"❤️"}
    at.multiselect(key="emojify_filter_emoji").set_value([]).run()
    at.slider(key="emojify_filter_confidence").set_value(1.0).run()
    assert frame_with(at, "error").empty and "0 of 4 rows" in at.caption[-1].value


def test_emojify_binary_upload_is_one_clear_error():
    at = page("emojify")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    at.file_uploader(key="emojify_upload").set_value(("photo.txt", png, "text/plain")).run()
    assert not at.exception
    assert len(at.error) == 1 and "photo.txt: not a text file" in at.error[0].value
    assert not any("error" in df.value.columns for df in at.dataframe)


def test_emojify_upload_and_pasted_text_ask_which_to_classify():
    at = page("emojify")
    at.text_area(key="emojify_paste").set_value("he hit a home run").run()
    at.file_uploader(key="emojify_upload").set_value(("mine.txt", b"I love you\nlet's eat\n", "text/plain")).run()
    assert not at.exception
    assert at.radio(key="emojify_batch_source").value == "the file mine.txt"
    assert frame_with(at, "error")["text"].tolist() == ["I love you", "let's eat"]
    at.radio(key="emojify_batch_source").set_value("the pasted lines").run()
    assert frame_with(at, "error")["text"].tolist() == ["he hit a home run"]


def confusion_is_labelled(at: AppTest, total: int) -> None:
    confusion = next(df.value for df in at.dataframe if any(str(c).startswith("predicted") for c in df.value.columns))
    assert confusion.shape == (5, 5) and int(confusion.values.sum()) == total
    assert all(str(i).startswith("true ") for i in confusion.index) and "true" in confusion.index.name


def test_emojify_trains_a_model_and_uses_it_at_once():
    at = page("emojify")
    assert at.radio(key="emojify_train_model").value == "auto"  # the CLI's default
    at.radio(key="emojify_train_model").set_value("v2").run()
    assert at.number_input(key="emojify_epochs_v2").value == DEFAULT_EPOCHS["v2"] == 80  # the CLI's defaults
    at.radio(key="emojify_train_model").set_value("v1").run()
    assert at.number_input(key="emojify_epochs_v1").value == DEFAULT_EPOCHS["v1"] == 300
    at.number_input(key="emojify_epochs_v1").set_value(5).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert "Trained v1" in at.success[0].value
    assert at.session_state["emojify_model_dir"]
    confusion_is_labelled(at, 60)


SMALL_CSV = "".join(f"{text},{label}\n" for text, label in [("I love you", 0), ("we won the game", 1), ("so funny", 2),
                                                             ("I am sad", 3), ("pizza time", 4)] * 4)


def test_emojify_trains_on_a_small_upload_without_a_validation_split():
    at = page("emojify")
    at.radio(key="emojify_train_source").set_value("Upload a CSV").run()
    at.file_uploader(key="emojify_train_upload").set_value(("mine.csv", SMALL_CSV.encode(), "text/csv")).run()
    at.radio(key="emojify_train_model").set_value("v1").run()
    at.number_input(key="emojify_epochs_v1").set_value(5).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert "training accuracy" in at.success[0].value and "no validation split" in at.success[0].value
    confusion_is_labelled(at, 20)  # scored on the 20 training sentences


def test_emojify_auto_training_shows_cross_validation_choice_and_members():
    at = page("emojify")
    at.radio(key="emojify_train_source").set_value("Upload a CSV").run()
    at.file_uploader(key="emojify_train_upload").set_value(("mine.csv", SMALL_CSV.encode(), "text/csv")).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert "cross-validation accuracy" in at.success[0].value
    said = " ".join(m.value for m in at.markdown)
    assert "chosen by stratified 4-fold cross-validation on 20 sentences" in said and "members:" in said
    cv = next(df.value for df in at.dataframe if df.value.index.name and "true" in df.value.index.name)
    assert int(cv.values.sum()) == 20  # every sentence predicted once, by a fold that never saw it
    assert "auto" in at.caption[0].value or at.session_state["emojify_model_dir"]


def test_emojify_a_three_sentence_csv_warns_and_keeps_the_page_model():
    at = page("emojify")
    at.radio(key="emojify_train_source").set_value("Upload a CSV").run()
    tiny = b"I love you,0\nwe won,1\nso sad,3\n"
    at.file_uploader(key="emojify_train_upload").set_value(("tiny.csv", tiny, "text/csv")).run()
    at.button(key="emojify_train").click().run()
    assert not at.exception
    assert "tiny.csv: only 3 sentences" in at.error[0].value and "keeps its model" in at.error[0].value
    assert "emojify_model_dir" not in at.session_state


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


@pytest.fixture(scope="module")
def small_text_model(tmp_path_factory):
    """A tiny char model, so page tests do not wait for the first-launch default."""
    from nlp_rnn.textgen.pipeline import TextOptions, train_text

    out = tmp_path_factory.mktemp("text") / "model"
    options = TextOptions(corpus="lee", level="char", max_steps=20,
                          overrides=(("layers", 1), ("hidden", 32), ("embed", 32), ("epochs", 1)))
    train_text(options, out, progress=False)
    return str(out)


def page_with_model(name: str, state_key: str, model_dir: str, timeout: int = 180) -> AppTest:
    """Page ``name`` in a session that already uses the model in ``model_dir`` (as after training)."""
    at = AppTest.from_file(HOME, default_timeout=timeout)
    at.session_state[state_key] = model_dir
    at.run()
    return at.switch_page(f"views/{name}.py").run()


def text_page(model_dir: str) -> AppTest:
    return page_with_model("textgen", "text_model_dir", model_dir)


def test_text_generation_first_launch_trains_the_default_model():
    at = page("textgen")
    assert not at.exception
    assert "default (built-in Lee corpus" in at.caption[0].value


def test_text_generation_generates_from_a_prime(small_text_model):
    at = text_page(small_text_model)
    assert not at.exception and "trained in this session" in at.caption[0].value
    at.text_input(key="text_prime").set_value("The fire ").run()
    at.number_input(key="text_length").set_value(40).run()
    at.button(key="text_generate").click().run()
    assert not at.exception
    sample = at.text_area(key="text_output").value
    assert sample.startswith("The fire ") and len(sample) >= 40


def test_text_generation_pick_the_next_token_mode(small_text_model):
    at = text_page(small_text_model)
    before = at.session_state["text_picker"].text
    candidates = [b for b in at.button if b.key and b.key.startswith("text_pick_") and b.key != "text_pick_reset"]
    assert len(candidates) == 8 and all("%" in b.label for b in candidates)
    candidates[0].click().run()
    assert not at.exception
    assert len(at.session_state["text_picker"].text) > len(before)


def test_text_generation_trains_a_small_model_and_uses_it(small_text_model):
    at = text_page(small_text_model)
    at.select_slider(key="text_size").set_value(64).run()
    at.number_input(key="text_epochs").set_value(1).run()
    at.number_input(key="text_minutes").set_value(0.05).run()  # stops after 3 s: a partial epoch
    at.button(key="text_train").click().run()
    assert not at.exception
    assert "validation perplexity" in at.success[0].value
    assert at.session_state["text_model_dir"] != small_text_model


def test_text_generation_upload_missing_is_an_error(small_text_model):
    at = text_page(small_text_model)
    at.radio(key="text_source").set_value("Upload text").run()
    at.button(key="text_train").click().run()
    assert not at.exception and "upload a text file" in at.error[0].value
