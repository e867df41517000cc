"""The temperature of --model auto: fitted where it helps, 1.0 where it cannot, bounded, and judged by proper scores."""

import numpy as np
import pytest

from nlp_rnn.emojify.calibration import (
    TEMPERATURES,
    brier_score,
    calibrate,
    ensemble_probabilities,
    expected_calibration_error,
    fit_temperature,
    log_loss,
)


def _drawn(rng, rows: int, spread: float, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """Logits and labels drawn from softmax(logits / temperature): the logits are over-confident when it is > 1."""
    logits = rng.normal(0, spread, (rows, 6))
    truth = np.array([rng.choice(6, p=p) for p in ensemble_probabilities([logits], temperature)])
    return logits, truth


def test_on_overconfident_members_the_fit_lowers_every_score_on_fresh_rows_too():
    rng = np.random.default_rng(3)
    members = [_drawn(rng, 600, 3.0, 2.0)[0], None]
    members[1] = members[0] + rng.normal(0, 0.5, members[0].shape)  # two members that mostly agree
    truth = np.array([rng.choice(6, p=p) for p in ensemble_probabilities(members, 2.0)])
    evidence = calibrate(members, truth)
    assert 1.6 < evidence["temperature"] < 2.5
    for score in ("ece", "nll", "brier"):
        assert evidence[f"{score}_calibrated"] < evidence[score]
    fresh = [rng.normal(0, 3.0, (600, 6))]  # rows the temperature never saw
    fresh.append(fresh[0] + rng.normal(0, 0.5, fresh[0].shape))
    fresh_truth = np.array([rng.choice(6, p=p) for p in ensemble_probabilities(fresh, 2.0)])
    raw, tempered = ensemble_probabilities(fresh), ensemble_probabilities(fresh, evidence["temperature"])
    assert log_loss(tempered, fresh_truth) < log_loss(raw, fresh_truth) - 0.05
    assert expected_calibration_error(tempered, fresh_truth) < expected_calibration_error(raw, fresh_truth) / 2


def test_the_temperature_is_exactly_one_when_no_other_helps():
    truth = np.arange(40) % 4
    assert fit_temperature([np.zeros((40, 4))], truth) == 1.0  # every temperature scores alike: no change
    logits, truth = _drawn(np.random.default_rng(5), 3000, 2.0, 1.0)  # already calibrated
    assert 0.93 < fit_temperature([logits], truth) < 1.07


def test_predictions_that_are_all_right_stop_at_the_bound_not_at_certainty():
    logits = np.random.default_rng(7).normal(0, 1, (30, 4))
    temperature = fit_temperature([logits], logits.argmax(1))  # the log loss falls without end as T → 0
    assert temperature == TEMPERATURES.min() == 0.25


def test_the_brier_score_runs_from_zero_to_two():
    truth = np.array([0, 1, 2])
    assert brier_score(np.eye(3)[truth], truth) == 0.0
    assert brier_score(np.eye(3)[[1, 2, 0]], truth) == 2.0
    assert brier_score(np.full((3, 3), 1 / 3), truth) == pytest.approx(2 / 3)
