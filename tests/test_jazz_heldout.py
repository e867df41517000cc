"""What the held-out comparison relies on: key augmentation, and training that stops on held-apart music."""

from nlp_rnn.jazz.harmony import parse_progression
from nlp_rnn.jazz.tokens import encode
from nlp_rnn.jazz.train import JazzOptions, split_streams, token_streams, train
from nlp_rnn.jazz.transpose import in_random_keys, transposed
from nlp_rnn.vocab import Vocabulary
from tests.test_jazz import scale_piece


def test_a_transposed_piece_moves_melody_and_chords_and_keeps_its_grammar_tokens():
    piece = scale_piece(4)
    piece.chords[:] = parse_progression("Cmaj7:2 Am7:2 Dm7 G7 C").chords
    up = transposed(piece, 3)
    assert [n.pitch + 3 if n.pitch else None for n in piece.melody] == [n.pitch for n in up.melody]
    assert [c.name for c in up.chords] == ["Ebmaj7", "Cm7", "Fm7", "Bb7", "Eb"]
    assert [c.offset for c in up.chords] == [c.offset for c in piece.chords]
    assert encode(up.melody, up.chords) == encode(piece.melody, piece.chords)  # tone types are key-free
    assert encode(up.melody, up.chords, "pitch") != encode(piece.melody, piece.chords, "pitch")
    assert max(n.pitch for n in transposed(piece, 100).melody if n.pitch) == 127  # kept inside MIDI


def test_random_keys_are_seeded_and_differ_between_pieces():
    pieces = [scale_piece(4) for _ in range(6)]
    keys = [p.chords[0].root for p in in_random_keys(pieces, 1, seed=3)]
    assert keys == [p.chords[0].root for p in in_random_keys(pieces, 1, seed=3)]
    assert len(set(keys)) > 1 and in_random_keys(pieces, 0, seed=3) == pieces
    assert len(in_random_keys(pieces, 2, seed=3)) == 12


def test_validation_holds_apart_each_pieces_end_and_training_stops_on_it():
    pieces = [scale_piece(8), scale_piece(4)]
    streams = token_streams(pieces, "grammar")
    vocabulary = Vocabulary.build(streams, eos=True)
    tokens, context, held = split_streams(pieces, streams, vocabulary, True, 0.25)
    assert [len(t) for t, _ in held] == [len(s) // 4 for s in streams]
    assert len(tokens) + sum(len(t) for t, _ in held) == sum(len(s) for s in streams) and len(context) == len(tokens)
    options = JazzOptions(epochs=40, window=12, hidden=16, embed=8, validation=0.25, patience=2, lr=0.05, seed=1)
    _, _, history = train(options, pieces, None, progress=False)
    losses = [h["val_loss"] for h in history]
    assert len(history) < 40  # stopped early: the held-apart loss stopped falling
    assert min(losses) < losses[0] and min(losses) < min(losses[-2:])


def test_context_dropout_hides_whole_chords_and_beats_apart_and_only_in_training():
    import torch

    from nlp_rnn.jazz.context import BEAT_FEATURES, CONTEXT_SIZE
    from nlp_rnn.jazz.model import JazzModel, JazzModelConfig

    model = JazzModel(JazzModelConfig(vocab_size=8, context_size=CONTEXT_SIZE, context_dropout=0.5))
    context = torch.ones(64, 20, CONTEXT_SIZE)
    torch.manual_seed(0)
    dropped = model.train()._dropped(context)
    chord, beat = dropped[..., :-BEAT_FEATURES], dropped[..., -BEAT_FEATURES:]
    assert set(chord.amin(-1).flatten().tolist()) == {0.0, 1.0} and (chord.amin(-1) == chord.amax(-1)).all()
    assert (beat.amin(-1) == beat.amax(-1)).all() and 0.4 < float(beat[..., 0].mean()) < 0.6
    assert 0.4 < float(chord[..., 0].mean()) < 0.6 and (chord[..., 0] != beat[..., 0]).any()  # drawn apart
    assert torch.equal(model.eval()._dropped(context), context)
