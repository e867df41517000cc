"""The chord-interval output bias of pitch-token models (jazz.model.ChordBias)."""

import torch

from nlp_rnn.jazz.context import CONTEXT_SIZE, context_tensor
from nlp_rnn.jazz.harmony import parse_progression
from nlp_rnn.jazz.improvise import Improviser, improvise, load_improviser
from nlp_rnn.jazz.model import JazzModel, JazzModelConfig
from nlp_rnn.jazz.train import JazzOptions, token_pitch_classes, train
from nlp_rnn.vocab import Vocabulary
from tests.test_jazz import scale_piece

TOKENS = [f"P{p},0.5" for p in range(48, 84)] + ["R,0.5"]


def test_the_bias_is_the_same_in_every_key_and_none_without_a_chord():
    vocabulary = Vocabulary(TOKENS, eos=True)
    config = JazzModelConfig(vocab_size=len(vocabulary), hidden_size=8, context_size=CONTEXT_SIZE,
                             pitch_classes=token_pitch_classes(vocabulary), chord_bias_gate=True)
    torch.manual_seed(0)
    bias = JazzModel(config).chord_bias
    with torch.no_grad():
        bias.weights.normal_(), bias.gate.weight.normal_()
    state = torch.randn(1, 8)
    chords = parse_progression("Cmaj7 Am7 Dm7b5 G7").chords
    here = bias(state, context_tensor(chords, [0.0, 4.0, 8.0, 12.0], 4.0))  # (4 chords, vocab)
    up = bias(state, context_tensor(parse_progression("Ebmaj7 Cm7 Fm7b5 Bb7").chords, [0.0, 4.0, 8.0, 12.0], 4.0))
    index = vocabulary.token_to_index
    for pitch in range(48, 81):  # each pitch against a chord = 3 semitones higher against the chord 3 higher
        assert torch.allclose(here[:, index[f"P{pitch},0.5"]], up[:, index[f"P{pitch + 3},0.5"]])
    assert here.std(dim=1).min() > 0 and torch.equal(here[:, index["R,0.5"]], torch.zeros(4))
    assert not here[0].equal(here[3])  # the chord moves the bias
    assert torch.equal(bias(state, torch.zeros(1, CONTEXT_SIZE)), torch.zeros(1, len(vocabulary)))  # chord hidden


def test_a_saved_biased_model_reloads_and_samples_the_same(tmp_path):
    options = JazzOptions(tokens="pitch", chord_bias="gated", note_intervals=False, epochs=3, window=12,
                          hidden=16, embed=8, lr=0.05)
    model, vocabulary, history = train(options, [scale_piece(8)], tmp_path / "m", progress=False)
    assert model.chord_bias is not None and model.chord_bias.weights.abs().sum() > 0  # learnt
    loaded = load_improviser(tmp_path / "m")
    assert loaded.model.config == model.config
    here = Improviser(model, vocabulary, loaded.extra, history)
    solos = [improvise(i, 4, seed=3).melody for i in (here, loaded)]
    assert solos[0] == solos[1]
    context = context_tensor(loaded.source_chords, [0.5], 4.0)
    step, _ = loaded.model.step(torch.tensor([2]), context)
    whole, _ = loaded.model(torch.tensor([[2]]), context[None])
    assert torch.allclose(step, whole[0]) and not torch.allclose(step, loaded.model.decoder(
        loaded.model.encoder.step(torch.cat([loaded.model.embedding(torch.tensor([2])), context], -1))[0]))
    grammar = train(JazzOptions(chord_bias="interval", epochs=1, window=12, hidden=8, embed=4), [scale_piece(4)], None,
                    progress=False)[0]
    assert grammar.chord_bias is None  # grammar tokens name no pitch
