"""The text page: samples that follow the settings, streamed side by side, and a picker that
steps the model once per click."""

import pytest
from streamlit.testing.v1 import AppTest
from test_app import page_with_model, small_text_model  # noqa: F401  (a fixture)

from nlp_rnn.textgen.generation import generate_text
from nlp_rnn.textgen.pipeline import load_text_model


@pytest.fixture
def text_page(small_text_model):  # noqa: F811
    return page_with_model("textgen", "text_model_dir", small_text_model)


def generate(at: AppTest, seed: int, num: int = 1) -> list[str]:
    at.number_input(key="text_seed").set_value(seed).run()
    at.number_input(key="text_num").set_value(num).run()
    at.button(key="text_generate").click().run()
    assert not at.exception
    return [at.text_area(key="text_output" if i == 0 else f"text_output_{i}").value for i in range(num)]


def test_a_second_generate_with_another_seed_shows_another_text(text_page, small_text_model):  # noqa: F811
    text_page.number_input(key="text_length").set_value(60).run()
    first, second = generate(text_page, 1), generate(text_page, 2)
    assert first != second
    model = load_text_model(small_text_model)
    assert [first[0], second[0]] == [generate_text(model, "The ", 60, 0.8, None, None, 1, s)[0] for s in (1, 2)]


def test_samples_side_by_side_are_the_cli_samples(text_page, small_text_model):  # noqa: F811
    text_page.number_input(key="text_length").set_value(30).run()
    shown = generate(text_page, 5, num=3)
    assert shown == generate_text(load_text_model(small_text_model), "The ", 30, 0.8, None, None, 3, 5)
    assert len(set(shown)) == 3


def test_training_says_which_schedule_it_planned(text_page):
    text_page.selectbox(key="text_preset_char").set_value("char").run()
    assert "cosine decay" in text_page.caption[1].value and "5-minute budget" in text_page.caption[1].value
    text_page.select_slider(key="text_size").set_value(64).run()
    text_page.number_input(key="text_epochs").set_value(1).run()
    text_page.number_input(key="text_minutes").set_value(0.04).run()
    text_page.button(key="text_train").click().run()
    assert not text_page.exception
    assert "cosine decay" in text_page.info[-1].value  # the plan, or when the budget ended first, when it was due


def test_each_pick_feeds_the_model_one_token(text_page):
    picker = text_page.session_state["text_picker"]
    fed = []
    hook = picker.model.model.embedding.register_forward_hook(lambda module, args, out: fed.append(args[0].numel()))
    try:
        for _ in range(3):
            before = text_page.session_state["text_picker"].text
            next(b for b in text_page.button if b.key == "text_pick_0").click().run()
            assert not text_page.exception
            assert len(text_page.session_state["text_picker"].text) > len(before)
    finally:
        hook.remove()
    assert fed == [1, 1, 1]


def test_live_training_draws_every_step_with_tokens_per_second(monkeypatch):
    """A one-epoch run is a curve of its steps, not one point on an axis labelled 1.000000, and
    the bar moves inside the epoch with the speed (outside a page, st calls draw nothing)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "apps"))  # where the pages find it
    import support
    from test_text_schedules import make

    monkeypatch.setattr(support.LiveTraining, "REDRAW_SECONDS", 0.0)
    live = support.LiveTraining(1, ["train_loss", "val_loss", "val_perplexity"], unit="tokens", perplexity=True)
    texts = []
    monkeypatch.setattr(live.bar, "progress", lambda value, text: texts.append((value, text)))
    make(epochs=1, callbacks=[live]).fit()  # 11 steps
    frame = live.frame()
    assert frame.index.tolist() == list(range(1, 12)) and frame.index.name == "step"
    assert {"train_loss (per step)", "val_loss", "val_perplexity", "train_perplexity (per step)"} <= set(frame.columns)
    assert [value for value, _ in texts[:3]] == pytest.approx([1 / 11, 2 / 11, 3 / 11])
    assert "step 5/11" in texts[4][1] and "tokens/s" in texts[4][1]
    assert "constant lr" in live.schedule
