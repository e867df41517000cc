"""Harmony-guided sampling (after BebopNet's harmony-guided search): bar by bar, sample several
continuations and keep the one whose notes on strong beats fit the chord best.

A candidate's score is taken over its strong-beat notes (the first beat of each half bar: beats 1
and 3 in 4/4): +1 for a chord tone, -1 for a scale or approach tone, -2 for any other tone; a rest or
a held note on a strong beat counts 0. What is measured is the share of chord tones among the
strong-beat notes, so every strong-beat note that is not a chord tone must cost: when scale and
approach tones cost nothing, a bar with one chord tone and two scale tones on its strong beats
tied a bar with one chord tone alone. Ties go to the earlier sample, so the model's own
preferences still decide everything the harmony does not.
"""

from __future__ import annotations

import math
from dataclasses import replace

from nlp_rnn.jazz.harmony import Chord, chord_at, is_strong_beat, tone_type
from nlp_rnn.jazz.piece import GRID
from nlp_rnn.jazz.tokens import TOKEN, duration_of
from nlp_rnn.jazz.track import ChordTrack
from nlp_rnn.sampling import SampleConfig, generate

GUIDE_CANDIDATES = 8  # samples per bar
FIT = {"C": 1, "S": -1, "A": -1, "X": -2}  # a strong-beat note's worth by its tone type


def harmony_fit(tokens: list[str], onset: float, chords: list[Chord], beats_per_bar: float) -> int:
    """The FIT of the strong-beat notes of ``tokens`` starting at ``onset`` (rests count 0)."""
    score = 0
    for token in tokens:
        match = TOKEN.match(token)
        if match is None:
            continue
        if match.group("type") != "R" and is_strong_beat(onset, beats_per_bar):
            pitch = match.group("pitch")
            kind = tone_type(int(pitch), chord_at(chords, onset)) if pitch else match.group("type")
            score += FIT[kind]
        onset += duration_of(token)
    return score


def guided_tokens(improviser, prime: list[str], chords: list[Chord], beats: float, total: float,
                  config: SampleConfig) -> list[str]:
    """Tokens after ``prime`` until ``total``, one bar at a time, each bar the best-fitting of
    GUIDE_CANDIDATES samples (seeded from ``config.seed`` and the bar, so a seed gives one solo)."""
    vocabulary, tokens = improviser.vocabulary, []
    onset = sum(duration_of(t) for t in prime)
    bar = 0
    while onset < total - 1e-6:
        end = min(total, (math.floor(onset / beats + 1e-6) + 1) * beats)
        track = ChordTrack(improviser.model, vocabulary, chords, beats, end)
        seed = ((config.seed or 0) * 1_000_003 + bar) % 2**63
        bar_config = replace(config, num_samples=GUIDE_CANDIDATES, max_new_tokens=int((end - onset) / GRID) + 1,
                             stop_token=track.eos, seed=seed)
        candidates = [vocabulary.decode(row) for row in generate(track, vocabulary.encode(prime + tokens), bar_config)]
        best = max(candidates, key=lambda c: harmony_fit(c, onset, chords, beats))  # max keeps the first of ties
        best = [t for t in best if TOKEN.match(t)]
        tokens += best
        onset += sum(duration_of(t) for t in best)
        bar += 1
    return tokens
