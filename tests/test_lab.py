"""RNN Lab: each experiment's figure, asserted at a fixed seed; the CLI; the page."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from nlp_rnn.errors import DataError, UserError
from nlp_rnn.lab import abcde, compare, series, sine
from nlp_rnn.training import Callback
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


def test_series_scaling_is_fitted_on_the_training_part_only():
    values = series.synthetic(points=600, seed=0)
    # a test part wildly off scale must not change the scaling (fitted on the training part) nor,
    # therefore, the trained model: the first test prediction, made from values before the test
    # part, stays exactly the same; were the scaling fitted on the whole series, it would move
    shifted = values.copy()
    shifted[480:] += 1_000
    options = series.SeriesOptions(cells=("gru",), epochs=1, window=25)
    result = series.run(values, options)
    assert (result["train"], result["valid"], result["test"]) == (420, 60, 120)
    first, again = result["curves"]["gru"], series.run(shifted, options)["curves"]["gru"]
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


def test_sine_picks_its_epoch_on_validation_and_scores_on_a_test_stretch_it_never_chose_with():
    options = sine.SineOptions(variant="rnn", epochs=8)
    result = sine.run(options)
    (train_from, train_to), (valid_from, valid_to), (test_from, test_to) = result["stretches"].values()
    assert train_from == 0 and train_to == valid_from < valid_to == test_from < test_to == options.points
    assert len(result["truth"]) == len(result["one_step"]) == len(result["rollout"]) == test_to - test_from
    # the kept weights are those of the epoch with the lowest validation loss
    assert result["valid_rmse"] ** 2 == pytest.approx(min(result["valid_loss"]), rel=1e-4)
    assert result["valid_loss"][result["best_epoch"] - 1] == min(result["valid_loss"])
    # a different test stretch changes the reported errors but neither the chosen epoch nor the model:
    # with the choice made on the test stretch (as before), both would move
    values = sine.wave(options.points)
    values[test_from:] += 0.5
    moved = sine.run(options, values=values)
    assert (moved["best_epoch"], moved["valid_rmse"], moved["loss"]) == (result["best_epoch"], result["valid_rmse"],
                                                                         result["loss"])
    assert moved["one_step_rmse"] > result["one_step_rmse"] + 0.05 and moved["rollout_rmse"] > result["rollout_rmse"] + 0.2


def test_lab_experiments_train_on_one_thread_and_give_the_count_back():
    seen = []

    class Threads(Callback):
        def on_epoch_end(self, trainer, record):
            seen.append(torch.get_num_threads())

    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        abcde.run(abcde.AbcdeOptions(epochs=2), callbacks=[Threads()])
        sine.run(sine.SineOptions(epochs=1), callbacks=[Threads()])
        compare.run_one(compare.CompareOptions(delays=(3,), train_size=64, valid_size=16, test_size=16, epochs=1),
                        "gru", 3, callbacks=[Threads()])
        assert seen == [1, 1, 1, 1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)


def test_lab_cli_defaults_are_the_library_defaults():
    from nlp_rnn.cli.main import build_parser

    parse = build_parser().parse_args
    args, defaults = parse(["lab", "compare"]), compare.CompareOptions()
    assert (args.task, args.delays, args.cells, args.hidden, args.epochs, args.lr, args.seed) == (
        defaults.task, defaults.delays, defaults.cells, defaults.hidden, defaults.epochs, defaults.lr, defaults.seed)
    assert parse(["lab", "sine"]).epochs == sine.SineOptions().epochs
    args = parse(["lab", "series"])
    assert (args.epochs, args.window, args.cells) == (series.SeriesOptions().epochs, series.SeriesOptions().window,
                                                      series.SeriesOptions().cells)


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


def vega_charts(at) -> list[tuple[dict, object]]:
    """Each Vega-Lite chart on the page: its spec and the data it draws."""
    import pyarrow

    return [(json.loads(chart.proto.spec), pyarrow.ipc.open_stream(chart.proto.data.data).read_all().to_pandas())
            for chart in at.get("vega_lite_chart")]


def titles(spec: dict) -> tuple[str, str, str]:
    encoding = spec["encoding"]
    return encoding["x"]["title"], encoding["y"]["title"], encoding["color"]["title"]


def test_lab_page_defaults_teach_the_lesson_with_charts_that_read():
    """Each tab run as a newcomer runs it, at the page's own defaults: what the README asserts must show."""
    at = AppTest.from_file(HOME, default_timeout=300).run()
    at.switch_page("views/lab.py").run()
    at.button(key="lab_compare_run").click().run()
    assert not at.exception
    rows = {(r["cell"], r["delay"]): r for r in at.session_state["lab_compare"]}
    short, long = min(d for _, d in rows), max(d for _, d in rows)
    assert all(rows[cell, short]["accuracy"] > 0.9 for cell in ("rnn", "lstm", "gru"))  # every cell learns T = 5
    assert rows["rnn", long]["accuracy"] < 0.4 and rows["lstm", long]["accuracy"] > rows["rnn", long]["accuracy"] + 0.4
    live = [(spec, data) for spec, data in vega_charts(at) if spec.get("title", "").startswith("T = ")]
    assert [spec["title"] for spec, _ in live] == [f"T = {d}" for d in sorted({d for _, d in rows})]  # small multiples
    for spec, data in live:
        assert titles(spec) == ("epoch", "validation accuracy", "cell")
        assert spec["encoding"]["y"]["scale"]["domain"] == [0, 1]  # one scale across the panels
        assert sorted(data["run"].unique()) == ["GRU", "LSTM", "RNN"]
    (summary, data), = [(spec, data) for spec, data in vega_charts(at) if spec.get("title") == "score by delay"]
    assert titles(summary)[0].startswith("delay T") and len(data) == len(rows)

    at.button(key="lab_series_train").click().run()
    assert not at.exception
    naive, *models = at.session_state["lab_series"]["rows"]
    assert naive["model"].startswith("naive") and len(models) == 2
    assert all(row["rmse"] < naive["rmse"] for row in models), at.session_state["lab_series"]["rows"]
    charts = dict((spec.get("title"), (spec, data)) for spec, data in vega_charts(at))
    spec, data = charts["validation loss by epoch"]  # one curve per cell, each over its own epochs
    assert titles(spec)[0] == "epoch" and data.groupby("run")["epoch"].apply(list).to_dict() == {
        "LSTM": list(range(1, 16)), "GRU": list(range(1, 16))}
    assert set(charts["test part: truth and one-step forecasts"][1]["series"]) == {"truth", "LSTM", "GRU"}

    at.button(key="lab_sine_train").click().run()
    assert not at.exception
    result = at.session_state["lab_sine"]
    assert result["one_step_rmse"] < 0.05 and result["rollout_rmse"] < 0.3  # the RNN's bounds, as asserted above
