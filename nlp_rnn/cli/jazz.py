"""``nlp-rnn jazz``: train, generate, stats."""

from __future__ import annotations

import json
import sys

from nlp_rnn.cli.parsing import add_group, non_negative_float, positive_int

MODEL_HELP = "model directory (default: a model of music21's ragtime and lead sheets, trained on first use)"


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    _add_train(commands)
    _add_generate(commands)
    _add_stats(commands)


def _add_selection(parser) -> None:
    parser.add_argument("--melody-part", type=int, help="index of the solo part (default: detected)")
    parser.add_argument("--chord-part", type=int, help="index of the accompaniment part (default: chord symbols or detected)")
    parser.add_argument("--start", type=non_negative_float, help="window start in quarter notes (default 0)")
    parser.add_argument("--end", type=non_negative_float, help="window end in quarter notes (default: the end)")


def _add_train(commands) -> None:
    train = commands.add_parser("train", help="learn a solo style from MIDI, MusicXML or ABC files")
    train.add_argument("--midi", nargs="+", required=True, metavar="PATH", help="score files (.mid, .xml/.mxl, .abc)")
    _add_selection(train)
    train.add_argument("--tokens", choices=["grammar", "pitch"], default="grammar", help="token scheme (default grammar)")
    train.add_argument("--conditioning", choices=["chord", "none"], default="chord",
                       help="feed the chord and beat at each step (default) or not (the classic exercise)")
    train.add_argument("--hidden", type=positive_int, default=64, help="LSTM units (default 64, the exercise's n_a)")
    train.add_argument("--window", type=positive_int, default=30, help="tokens per training window (default 30, Tx)")
    train.add_argument("--epochs", type=positive_int, default=60)
    train.add_argument("--max-steps", type=positive_int, help="stop after N steps (1 = dry run)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", required=True, help="model directory")
    train.set_defaults(handler=run_train)


def _add_generate(commands) -> None:
    generate = commands.add_parser("generate", help="improvise a solo and write it as MIDI (and WAV)")
    generate.add_argument("--model", help=MODEL_HELP)
    generate.add_argument("--out", required=True, help="MIDI file to write")
    generate.add_argument("--bars", type=positive_int, default=16, help="length of the solo (default 16)")
    generate.add_argument("--temperature", type=non_negative_float, default=1.0, help="0 = greedy (default 1.0)")
    generate.add_argument("--top-k", type=positive_int, help="sample among the k most likely tokens")
    generate.add_argument("--seed", type=int, default=0, help="same seed → same solo (default 0)")
    generate.add_argument("--chords", help='one chord per bar, repeated, e.g. "Cmaj7 Am7 Dm7 G7" (default: the source\'s)')
    generate.add_argument("--tempo", type=positive_int, help="beats per minute (default: the source's, else 130)")
    generate.add_argument("--wav", help="also render audio to this WAV file (General MIDI SoundFont)")
    generate.add_argument("--json", action="store_true", help="print the solo's statistics as one JSON object")
    generate.set_defaults(handler=run_generate)


def _add_stats(commands) -> None:
    stats = commands.add_parser("stats", help="statistics of a solo in any score file, and its parts")
    stats.add_argument("file", metavar="FILE", help="a .mid, MusicXML or ABC file")
    _add_selection(stats)
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=run_stats)


def run_train(args) -> int:
    from nlp_rnn.jazz.piece import pieces_from_files
    from nlp_rnn.jazz.train import JazzOptions, train

    pieces = pieces_from_files(args.midi, args.melody_part, args.chord_part, args.start, args.end)
    options = JazzOptions(tokens=args.tokens, conditioning=args.conditioning, hidden=args.hidden, window=args.window,
                          epochs=args.epochs, max_steps=args.max_steps, seed=args.seed)
    _, vocabulary, history = train(options, pieces, args.out, sources=list(args.midi))
    notes = sum(1 for p in pieces for n in p.melody if n.pitch is not None)
    print(f"{len(pieces)} piece(s), {notes} notes, vocabulary {len(vocabulary)} tokens ({args.tokens}); "
          f"final loss {history[-1]['train_loss']:.3f} after {len(history)} epoch(s); saved to {args.out}")
    return 0


def run_generate(args) -> int:
    from nlp_rnn.jazz.export import render_wav, write_midi
    from nlp_rnn.jazz.harmony import parse_chords
    from nlp_rnn.jazz.improvise import improvise, load_improviser
    from nlp_rnn.jazz.stats import solo_stats

    chords = parse_chords(args.chords) if args.chords is not None else None
    if args.model:
        improviser = load_improviser(args.model)
    else:
        from nlp_rnn.jazz.default import load_default

        improviser = load_default()
    solo = improvise(improviser, bars=args.bars, chords=chords, temperature=args.temperature, seed=args.seed,
                     top_k=args.top_k)
    write_midi(solo, args.out, tempo=args.tempo)
    renderer = render_wav(args.out, args.wav) if args.wav else None
    stats = solo_stats(solo)
    if args.json:
        print(json.dumps({**stats, "midi": args.out, "wav": args.wav, "renderer": renderer}))
    else:
        print(f"wrote {args.out}: {stats['notes']} notes over {stats['bars']} bars "
              f"({', '.join(stats['chords'][:8])}{' …' if len(stats['chords']) > 8 else ''})"
              + (f"; audio {args.wav} ({renderer})" if args.wav else ""))
    return 0


def run_stats(args) -> int:
    from nlp_rnn.jazz.parse import parse_file
    from nlp_rnn.jazz.piece import select
    from nlp_rnn.jazz.stats import solo_stats

    score = parse_file(args.file)[0]
    piece = select(score, args.melody_part, args.chord_part, args.start, args.end)
    parts = [{"index": i, "name": p.name, "notes": len(p.events), "chords": sum(len(e[2]) >= 3 for e in p.events),
              "percussion": p.percussion} for i, p in enumerate(score.parts)]
    stats = {**solo_stats(piece), "melody_part": piece.melody_part, "parts": parts}
    if args.json:
        print(json.dumps(stats))
        return 0
    out = sys.stdout
    out.write(f"{args.file}: melody part {piece.melody_part}, chords from {piece.chord_source}\n")
    for key, value in stats.items():
        if key not in ("parts", "chords"):
            out.write(f"  {key:22} {value}\n")
    out.write(f"  chords                 {' '.join(stats['chords'][:16])}{' …' if len(stats['chords']) > 16 else ''}\n")
    out.write("parts:\n")
    for part in parts:
        kind = "percussion" if part["percussion"] else f"{part['notes']} notes, {part['chords']} chords"
        out.write(f"  {part['index']:3}  {part['name'] or '(unnamed)':20} {kind}\n")
    return 0
