"""RNN Lab: each experiment's figure, asserted at a fixed seed; the CLI; the page."""

import json
import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nlp_rnn.errors import DataError, UserError
from nlp_rnn.lab import abcde, compare, series, sine
from tests.test_app import HOME


@pytest.mark.parametrize("variant", ["onehot-1", "onehot-4", "embedding"])
def test_abcde_reaches_100_percent(variant):
    result = abcde.run(abcde.AbcdeOptions(variant=variant, seed=1))
    assert result["accuracy"] == 1.0
    assert [p["next"] for p in result["predictions"]] == list("bcdea") if variant != "onehot-4" else list("eabcd")
    assert len(result["weights"]["encoder.rnn.weight_hh_l0"]) == 3  # 3 units
    assert ("embedding.weight" in result["weights"]) == (variant == "embedding")
    probabilities = abcde.predict_next(result["model"], "xxabcd", result["window"])
    assert max(probabilities, key=probabilities.get) == "e" and probabilities["e"] > 0.9
    with pytest.raises(UserError, match="at least"):
        abcde.predict_next(result["model"], "zz", result["window"])


@pytest.mark.parametrize(("variant", "one_step", "rolled"), [("rnn", 0.05, 0.3), ("lstm", 0.02, 0.1)])
def test_sine_rmse_below_the_stated_bounds(variant, one_step, rolled):
    result = sine.run(sine.SineOptions(variant=variant, seed=0))
    assert result["one_step_rmse"] < one_step and result["rollout_rmse"] < rolled
    assert len(result["rollout"]) == len(result["truth"]) == 100


def test_series_models_beat_the_naive_forecast_with_scaling_fitted_on_train_only():
    values = series.synthetic(points=600, seed=0)
    result = series.run(values, series.SeriesOptions(cells=("lstm", "gru"), epochs=8, window=25))
    naive, *models = result["rows"]
    assert naive["model"].startswith("naive") and len(models) == 2
    assert all(row["rmse"] < naive["rmse"] for row in models), result["rows"]
    assert (result["train"], result["valid"], result["test"]) == (420, 60, 120)
    # a test part wildly off scale must not change the scaling (fitted on the training part) nor,
    # therefore, the trained model: the first test prediction, made from values before the test
    # part, stays exactly the same; were the scaling fitted on the whole series, it would move
    shifted = values.copy()
    shifted[480:] += 1_000
    options = series.SeriesOptions(cells=("gru",), epochs=1, window=25)
    first, again = series.run(values, options)["curves"]["gru"], series.run(shifted, options)["curves"]["gru"]
    assert again[0] == first[0] and again[-1] != first[-1]


def test_series_csv_reader(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("day,sales\n1,3.5\n2,4\n3,oops\n")
    with pytest.raises(DataError, match=r"s.csv:4: column 'sales' value 'oops' is not a number"):
        series.read_column(path)
    path.write_text("day,sales\n1,3.5\n2,4\n")
    assert series.read_column(path).tolist() == [3.5, 4.0]
    assert series.read_column(path, "0").tolist() == [1.0, 2.0]
    with pytest.raises(DataError, match="no column 'price'"):
        series.read_column(path, "price")
    with pytest.raises(UserError, match="too short"):
        series.run(np.arange(40.0))


def test_lstm_beats_the_plain_rnn_at_a_long_delay():
    options = compare.CompareOptions(task="copy", delays=(50,), cells=("rnn", "lstm"), train_size=2_000, test_size=500,
                                     epochs=6, seed=0)
    rnn, lstm = compare.run(options)["rows"]
    assert rnn["accuracy"] < 0.3  # near chance (1/8)
    assert lstm["accuracy"] > rnn["accuracy"] + 0.3
    assert lstm["parameters"] > rnn["parameters"] and rnn["seconds_per_epoch"] > 0


def lab(*args):
    return subprocess.run([sys.executable, "-m", "nlp_rnn", "lab", *args], capture_output=True, text=True, timeout=300)


def test_lab_cli_json():
    result = lab("abcde", "--variant", "onehot-4", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["accuracy"] == 1.0
    result = lab("compare", "--delays", "3", "--cells", "gru", "--epochs", "1", "--json")
    rows = json.loads(result.stdout)["rows"]
    assert [(r["cell"], r["delay"]) for r in rows] == [("gru", 3)] and 0 <= rows[0]["accuracy"] <= 1
    assert lab("compare", "--cells", "rnn,transformer").returncode == 2


def test_lab_page_runs_each_experiment():
    at = AppTest.from_file(HOME, default_timeout=300).run()
    at.switch_page("views/lab.py").run()
    assert not at.exception
    at.number_input(key="lab_abcde_epochs").set_value(150).run()
    at.button(key="lab_abcde_train").click().run()
    assert not at.exception and at.metric[0].value == "100%"
    at.text_input(key="lab_abcde_typed").set_value("cd").run()
    assert "Next letter: **e**" in [m.value for m in at.markdown if "Next letter" in m.value][0]
    at.number_input(key="lab_sine_epochs").set_value(3).run()
    at.button(key="lab_sine_train").click().run()
    assert not at.exception and "lab_sine" in at.session_state
    at.multiselect(key="lab_compare_delays").set_value([5]).run()
    at.number_input(key="lab_compare_epochs").set_value(1).run()
    at.button(key="lab_compare_run").click().run()
    assert not at.exception and len(at.session_state["lab_compare"]) == 3
    at.button(key="lab_gradcheck").click().run()
    assert not at.exception and "within" in at.success[0].value


def test_lab_series_upload_flows(tmp_path):
    at = AppTest.from_file(HOME, default_timeout=300).run()
    at.switch_page("views/lab.py").run()
    at.file_uploader(key="lab_series_upload").set_value(("bad.csv", b"a,b\n1,x\n", "text/csv")).run()
    at.button(key="lab_series_train").click().run()
    assert not at.exception and "is not a number" in at.error[0].value
    rows = "t,value\n" + "\n".join(f"{i},{v:.3f}" for i, v in enumerate(series.synthetic(300)))
    at.file_uploader(key="lab_series_upload").set_value(("s.csv", rows.encode(), "text/csv")).run()
    at.number_input(key="lab_series_epochs").set_value(1).run()
    at.button(key="lab_series_train").click().run()
    assert not at.exception
    assert [r["model"] for r in at.session_state["lab_series"]["rows"]][0].startswith("naive")
