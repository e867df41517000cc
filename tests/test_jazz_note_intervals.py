"""The chord-relative input of pitch-token models (jazz.model.NoteIntervals)."""

import pytest
import torch

from nlp_rnn.jazz.context import CONTEXT_SIZE
from nlp_rnn.jazz.improvise import Improviser, improvise, load_improviser
from nlp_rnn.jazz.model import JazzModel, JazzModelConfig
from nlp_rnn.jazz.train import JazzOptions, stream_tensors, token_pitch_classes, token_streams, train
from nlp_rnn.jazz.transpose import transposed
from nlp_rnn.models.store import build_model
from nlp_rnn.vocab import Vocabulary
from tests.test_jazz import scale_piece


def _features(model: JazzModel, vocabulary: Vocabulary, piece) -> torch.Tensor:
    ids, context = stream_tensors([piece], token_streams([piece], "pitch"), vocabulary, True)
    return model.intervals(ids, context)


def test_the_input_intervals_are_the_same_in_every_key_and_hidden_with_the_chord():
    pieces = [scale_piece(4), transposed(scale_piece(4), 5)]
    vocabulary = Vocabulary.build(token_streams(pieces, "pitch"), eos=True)
    model = JazzModel(JazzModelConfig(vocab_size=len(vocabulary), hidden_size=8, context_size=CONTEXT_SIZE,
                                      pitch_classes=token_pitch_classes(vocabulary), note_intervals=True))
    here, up = (_features(model, vocabulary, p) for p in pieces)
    assert torch.equal(here, up) and torch.equal(here.sum(-1), torch.ones(len(here)))  # one-hot, key-free
    assert len(set(here[:, :12].argmax(-1)[here[:, 12] == 0].tolist())) > 3 and here[:, 12].sum() >= 4  # rests: 13th
    ids, context = stream_tensors(pieces[:1], token_streams(pieces[:1], "pitch"), vocabulary, True)
    hidden = context.clone()
    hidden[:, :24] = 0  # what context dropout does to a step's chord
    assert torch.equal(model.intervals(ids, hidden), torch.zeros(len(ids), 13))
    assert model.encoder.rnn.input_size == model.config.embed_dim + CONTEXT_SIZE + 13


def test_a_model_fed_intervals_reloads_and_samples_the_same_and_old_configs_build_without(tmp_path):
    options = JazzOptions(tokens="pitch", note_intervals=True, chord_bias="none", epochs=3, window=12, hidden=16,
                          embed=8, lr=0.05)
    model, vocabulary, history = train(options, [scale_piece(8)], tmp_path / "m", progress=False)
    assert model.intervals is not None and model.chord_bias is None
    loaded = load_improviser(tmp_path / "m")
    assert loaded.model.config == model.config
    solos = [improvise(i, 4, seed=3).melody for i in (Improviser(model, vocabulary, loaded.extra, history), loaded)]
    assert solos[0] == solos[1] and solos[0] != improvise(loaded, 4, seed=4).melody
    old = {k: v for k, v in vars(model.config).items() if k not in ("note_intervals", "chord_bias")}  # before them
    assert build_model("jazz", old).intervals is None and build_model("jazz", old).chord_bias is not None


@pytest.mark.parametrize("chord_bias", [True, False])
def test_pitch_classes_that_do_not_cover_the_vocabulary_are_refused_with_or_without_the_bias(chord_bias):
    """An edited checkpoint's pitch_classes shorter than its vocabulary: the model is not built (the loader turns
    this into one line naming the file), where with the chord bias off the intervals used to index past the table."""
    config = JazzModelConfig(vocab_size=10, context_size=CONTEXT_SIZE, pitch_classes="0123", chord_bias=chord_bias,
                             note_intervals=True)
    with pytest.raises(ValueError, match="one character per token"):
        JazzModel(config)
