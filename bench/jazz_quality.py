"""Jazz quality: does chord conditioning help on unseen tunes, how close are solos to their source,
and what does the harmony guide change.

- Held-out cross-entropy: leave-one-out over the five chord-annotated pieces of music21's corpus
  that the default model learns from (two lead sheets, Joplin's rag with chords from its left hand,
  two Nottingham reels; music21 ships no other tunes with chord symbols). For each piece, the
  default settings are trained on the other four with and without chord conditioning and scored
  on the held-out one with ``jazz.evaluate``; the rows give the mean over the five folds.
- Closeness to the source: the classic Metheny window (when ../shared/data has it) trained with the
  default settings; 8 solos as long as the window, over its chords; each ``jazz stats`` statistic
  averaged over the solos against the source's, default clean-up vs ``exercise``.
- Harmony guide: strong-beat chord-tone share of 8 default-model solos with and without
  ``--guide harmony``, and the model's own cross-entropy on them (how much less typical they get).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METHENY = ROOT.parent / "shared" / "data" / "jazz" / "original_metheny.mid"
COMPARED = ("notes", "rests", "pitch_range", "repeated_pitch_share", "distinct_4gram_share", "chord_tone_share",
            "scale_tone_share", "approach_tone_share", "other_tone_share", "strong_beat_chord_tone_share")
SEEDS = range(8)


def _improviser(model, vocabulary, extra):
    from nlp_rnn.jazz.improvise import Improviser

    return Improviser(model, vocabulary, extra, [])


def _mean_curve(curves: list[list[float]]) -> list[float]:
    return [statistics.mean(values) for values in zip(*curves)]


def _trained(options, pieces):
    """An Improviser trained in memory (no files), with the extra a saved model would have."""
    import tempfile

    from nlp_rnn.jazz.improvise import load_improviser
    from nlp_rnn.jazz.train import train

    with tempfile.TemporaryDirectory() as folder:
        train(options, pieces, Path(folder) / "m", progress=False)
        return load_improviser(Path(folder) / "m")


class HeldOutCurve:
    """A training callback: the held-out cross-entropy after every epoch."""

    def __init__(self, pieces, options):
        self.pieces, self.options, self.curve = pieces, options, []

    def on_step(self, trainer, loss) -> None:
        pass

    def on_epoch_end(self, trainer, record) -> None:
        from nlp_rnn.jazz.evaluate import evaluate

        improviser = _improviser(trainer.model, trainer.model_info["vocabulary"], {"options": asdict(self.options)})
        self.curve.append(evaluate(improviser, self.pieces)["cross_entropy"])


def held_out() -> dict:
    """Per conditioning, per fold: the held-out cross-entropy after each epoch of the default settings."""
    from nlp_rnn.jazz import default
    from nlp_rnn.jazz.train import train

    pieces = default.default_pieces()
    folds = {"chord": [], "none": []}
    for index, piece in enumerate(pieces):
        rest = pieces[:index] + pieces[index + 1:]
        for conditioning in folds:
            options = replace(default.OPTIONS, conditioning=conditioning)
            curve = HeldOutCurve([piece], options)
            train(options, rest, None, callbacks=[curve], progress=False)
            folds[conditioning].append(curve.curve)
    return folds


def closeness() -> dict:
    from nlp_rnn.jazz import default
    from nlp_rnn.jazz.improvise import SoloOptions, improvise
    from nlp_rnn.jazz.parse import parse_file
    from nlp_rnn.jazz.piece import select
    from nlp_rnn.jazz.stats import solo_stats

    source = select(parse_file(METHENY)[0], 5, 0, 476, 548)
    improviser = _trained(default.OPTIONS, [source])
    target = solo_stats(source)
    result = {"source": {k: target[k] for k in COMPARED}}
    for cleanup in ("data", "exercise"):
        solos = [solo_stats(improvise(improviser, source.bars, seed=s, options=SoloOptions(cleanup=cleanup)))
                 for s in SEEDS]
        result[cleanup] = {k: statistics.mean(s[k] for s in solos) for k in COMPARED}
    return result


def guide() -> dict:
    from nlp_rnn.jazz.default import load_default
    from nlp_rnn.jazz.evaluate import evaluate
    from nlp_rnn.jazz.improvise import SoloOptions, improvise
    from nlp_rnn.jazz.stats import solo_stats

    improviser = load_default(progress=False)
    result = {}
    for name in ("none", "harmony"):
        solos = [improvise(improviser, 16, seed=s, options=SoloOptions(guide=name)) for s in SEEDS]
        result[name] = {"strong_beat_chord_tone_share": statistics.mean(solo_stats(s)["strong_beat_chord_tone_share"]
                                                                        for s in solos),
                        "cross_entropy": evaluate(improviser, solos)["cross_entropy"]}
    return result


def _off(ours: float, source: float) -> float:
    return abs(ours - source) / source if source else float(ours != source)


def run() -> list[dict]:
    rows = []
    folds = held_out()
    curves = {c: _mean_curve(folds[c]) for c in folds}
    chord, none = curves["chord"][-1], curves["none"][-1]
    wins = sum(a[-1] < b[-1] for a, b in zip(folds["chord"], folds["none"]))
    best = min(range(len(curves["chord"])), key=curves["chord"].__getitem__)
    rows.append({"name": f"Jazz: held-out cross-entropy, chord-conditioned (baseline: unconditioned); leave-one-out "
                         f"over music21's 5 chord-annotated pieces, lower in {wins}/5 folds",
                 "ours": chord, "baseline": none, "unit": "nats/token", "ratio": none / chord,
                 "target": "clearly lower", "met": chord < 0.95 * none and wins >= 4,
                 "detail": {"per_fold_final": {c: [round(f[-1], 3) for f in folds[c]] for c in folds},
                            "mean_by_epoch": {c: [round(v, 3) for v in curves[c]] for c in curves},
                            "best_epoch_chord": best + 1}})
    if METHENY.exists():
        close = closeness()
        for cleanup in ("data", "exercise"):
            worst = max(COMPARED, key=lambda k: _off(close[cleanup][k], close["source"][k]))
            off = _off(close[cleanup][worst], close["source"][worst])
            rows.append({"name": f"Jazz: Metheny-window solos, --cleanup {cleanup}: largest gap of a statistic to the "
                                 f"source's ({worst}; baseline: the 20% bound)", "ours": off, "baseline": 0.2,
                         "unit": "", "ratio": 0.2 / max(off, 1e-9), "target": "≤ 20%" if cleanup == "data" else "-",
                         "met": off <= 0.2 if cleanup == "data" else True,
                         "detail": {k: [round(close[cleanup][k], 4), close["source"][k]] for k in COMPARED}})
    guided = guide()
    rows.append({"name": "Jazz: strong-beat chord-tone share, --guide harmony (baseline: unguided), default model",
                 "ours": guided["harmony"]["strong_beat_chord_tone_share"],
                 "baseline": guided["none"]["strong_beat_chord_tone_share"], "unit": "",
                 "ratio": guided["harmony"]["strong_beat_chord_tone_share"]
                 / max(guided["none"]["strong_beat_chord_tone_share"], 1e-9),
                 "target": "higher", "met": guided["harmony"]["strong_beat_chord_tone_share"]
                 > guided["none"]["strong_beat_chord_tone_share"], "detail": guided})
    return rows


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
