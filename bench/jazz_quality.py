"""Jazz quality: does chord conditioning help on unseen tunes, how close are solos to their source,
and what does the harmony guide change.

- Held-out cross-entropy: music21's corpus has four tunes with chord symbols (the lead sheets
  "Alexander's Ragtime Band" and "Jeanie with the Light Brown Hair", two Nottingham reels; no other
  piece in it has chord symbols besides a test file and a few Monteverdi madrigals). They are the
  test set, never trained on. Each token scheme is trained with and without chord conditioning on
  other music (``training_pieces``) with the ``HELD_OUT`` settings and scored with ``jazz.evaluate``.
- Closeness to the source: the classic Metheny window (when ../shared/data has it) trained with the
  default settings; 8 solos as long as the window, over its chords; each ``jazz stats`` statistic
  averaged over the solos against the source's, default clean-up vs ``exercise``.
- Harmony guide: strong-beat chord-tone share of 8 default-model solos with and without
  ``--guide harmony``, and the model's own cross-entropy on them (how much less typical they get).
"""

from __future__ import annotations

import json
import os
import statistics
from dataclasses import asdict, replace
from pathlib import Path

from nlp_rnn.jazz.train import JazzOptions

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data beside the checkout, or where $NLP_RNN_SHARED_DATA says (a worktree elsewhere)
METHENY = Path(os.environ.get("NLP_RNN_SHARED_DATA", ROOT.parent / "shared" / "data")) / "jazz" / "original_metheny.mid"
COMPARED = ("notes", "rests", "pitch_range", "repeated_pitch_share", "distinct_4gram_share", "chord_tone_share",
            "scale_tone_share", "approach_tone_share", "other_tone_share", "strong_beat_chord_tone_share")
SEEDS = range(8)
# the held-out comparison's settings: a smaller model, dropout, weight decay, every piece in a random key,
# and training stopped where the loss on the last tenth of each training piece stops falling
HELD_OUT = JazzOptions(hidden=32, embed=16, dropout=0.3, weight_decay=1e-4, lr=0.005, epochs=20, validation=0.1,
                       patience=2, keys=1, batch_size=64)


def _improviser(model, vocabulary, extra):
    from nlp_rnn.jazz.improvise import Improviser

    return Improviser(model, vocabulary, extra, [])


def _trained(options, pieces):
    """An Improviser trained in memory (no files), with the extra a saved model would have."""
    import tempfile

    from nlp_rnn.jazz.improvise import load_improviser
    from nlp_rnn.jazz.train import train

    with tempfile.TemporaryDirectory() as folder:
        train(options, pieces, Path(folder) / "m", progress=False)
        return load_improviser(Path(folder) / "m")


def training_pieces() -> list:
    """What the held-out comparison learns from: 93 O'Neill's 1850 tunes (0201-0300 less 7 in odd meters,
    chords from their melodies, one per bar), Joplin's rag (chords from its left hand) and, when ../shared/data has it,
    the whole Metheny solo (chords from the piano, changes inside a bar included). None of them is a test tune."""
    import music21

    from nlp_rnn.jazz.parse import parse_file
    from nlp_rnn.jazz.piece import pieces_from_files, select

    corpus = Path(music21.__file__).parent / "corpus"
    tunes = pieces_from_files([corpus / "oneills1850" / "0201-0300.abc"])
    pieces = [t for t in tunes if t.beats_per_bar >= 2] + pieces_from_files([corpus / "joplin/maple_leaf_rag.mxl"], 0, 1)
    return pieces + ([select(parse_file(METHENY)[0], 5, 0)] if METHENY.exists() else [])


def test_pieces() -> list:
    """Every chord-annotated tune in music21's corpus: the two lead sheets and the two Nottingham reels."""
    from nlp_rnn.jazz import default
    from nlp_rnn.jazz.piece import pieces_from_files

    return [piece for path in default.corpus_paths() if path.parent.name != "joplin"
            for piece in pieces_from_files([path])]


def held_out() -> dict:
    """Per token scheme and conditioning: held-out cross-entropy overall and per test tune, epochs run."""
    from nlp_rnn.jazz.evaluate import evaluate
    from nlp_rnn.jazz.train import train

    pieces, tests = training_pieces(), test_pieces()
    result = {}
    for scheme in ("grammar", "pitch"):
        for conditioning in ("chord", "none"):
            options = replace(HELD_OUT, tokens=scheme, conditioning=conditioning)
            model, vocabulary, history = train(options, pieces, None, progress=False)
            improviser = _improviser(model, vocabulary, {"options": asdict(options)})
            scores = evaluate(improviser, tests)
            result[scheme, conditioning] = {
                "cross_entropy": scores["cross_entropy"], "unknown_share": scores["unknown_share"],
                "accuracy": scores["accuracy"], "epochs": len(history),
                "best_val_loss": min(h["val_loss"] for h in history),
                "per_tune": [evaluate(improviser, [t])["cross_entropy"] for t in tests]}
    return result


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
    scores = held_out()
    for scheme in ("grammar", "pitch"):
        chord, none = scores[scheme, "chord"], scores[scheme, "none"]
        wins = sum(a < b for a, b in zip(chord["per_tune"], none["per_tune"]))
        rows.append({"name": f"Jazz: held-out cross-entropy, --tokens {scheme}, chord-conditioned (baseline: "
                             f"unconditioned); trained on O'Neill tunes + Joplin (+ Metheny), tested on music21's "
                             f"4 chord-annotated tunes, lower on {wins}/4",
                     "ours": chord["cross_entropy"], "baseline": none["cross_entropy"], "unit": "nats/token",
                     "ratio": none["cross_entropy"] / chord["cross_entropy"], "target": "clearly lower (≥ 5%, 3/4 tunes)",
                     "met": chord["cross_entropy"] < 0.95 * none["cross_entropy"] and wins >= 3,
                     "detail": {c: {k: (v if not isinstance(v, list) else [round(x, 3) for x in v])
                                    for k, v in scores[scheme, c].items()} for c in ("chord", "none")}})
        rows.append({"name": f"Jazz: loss on the held-apart last tenth of each training piece (early stopping's "
                             f"validation), --tokens {scheme}, chord-conditioned (baseline: unconditioned)",
                     "ours": chord["best_val_loss"], "baseline": none["best_val_loss"], "unit": "nats/token",
                     "ratio": none["best_val_loss"] / chord["best_val_loss"], "target": "-", "met": True})
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
