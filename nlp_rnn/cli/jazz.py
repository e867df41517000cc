"""``nlp-rnn jazz``: train, generate, evaluate, stats."""

from __future__ import annotations

import sys

from nlp_rnn.cli.output import to_json
from nlp_rnn.cli.parsing import EPOCHS, STEPS, add_device_options, add_group, bounded_float, bounded_int, count, seed, temperature
from nlp_rnn.limits import MAX_QUARTERS, MAX_TEMPO, MAX_WINDOW, MIN_TEMPO

PART = bounded_int(0, 999)
OFFSET = bounded_float(0.0, MAX_QUARTERS)

MODEL_HELP = "model directory (default: a model of music21's ragtime and lead sheets, trained on first use)"


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    _add_train(commands)
    _add_generate(commands)
    _add_evaluate(commands)
    _add_stats(commands)


def _add_selection(parser) -> None:
    parser.add_argument("--melody-part", type=PART, help="index of the solo part (default: detected)")
    parser.add_argument("--chord-part", type=PART, help="index of the accompaniment part (default: chord symbols or detected)")
    parser.add_argument("--start", type=OFFSET, help="window start in quarter notes (default 0)")
    parser.add_argument("--end", type=OFFSET,
                        help=f"window end in quarter notes, at most {MAX_QUARTERS:,} (default: the end)")


def _add_train(commands) -> None:
    train = commands.add_parser("train", help="learn a solo style from MIDI, MusicXML or ABC files")
    train.add_argument("--midi", nargs="+", required=True, metavar="PATH", help="score files (.mid, .xml/.mxl, .abc)")
    _add_selection(train)
    train.add_argument("--tokens", choices=["grammar", "pitch"], default="grammar", help="token scheme (default grammar)")
    train.add_argument("--conditioning", choices=["chord", "none"], default="chord",
                       help="feed the chord and beat at each step (default) or not (the classic exercise)")
    train.add_argument("--hidden", type=count(4_096), default=64, help="LSTM units (default 64, the exercise's n_a)")
    train.add_argument("--window", type=count(MAX_WINDOW), default=30, help="tokens per training window (default 30, Tx)")
    train.add_argument("--epochs", type=count(EPOCHS), default=60)
    train.add_argument("--dropout", type=bounded_float(0.0, 1.0, open_high=True), default=0.0,
                       help="dropout before the output layer (default 0)")
    train.add_argument("--context-dropout", type=bounded_float(0.0, 1.0, open_high=True), default=0.0, metavar="P",
                       help="chord-conditioned: hide a step's chord, and apart from it its beat, with chance P in "
                            "training, so the model also reads them from the notes (default 0)")
    train.add_argument("--chord-bias", choices=["none", "interval", "gated"], default="gated",
                       help="chord-conditioned --tokens pitch: learned weights per interval above the chord root, the "
                            "same in every key, added to each pitch's score; gated: they follow the LSTM state "
                            "(default gated)")
    train.add_argument("--weight-decay", type=bounded_float(0.0, 1.0), default=0.0, help="Adam's L2 penalty (default 0)")
    train.add_argument("--validation", type=bounded_float(0.0, 0.5), default=0.0, metavar="SHARE",
                       help="hold apart the last SHARE of each piece and stop when its loss stops falling (default 0)")
    train.add_argument("--patience", type=count(EPOCHS), default=5,
                       help="with --validation: stop after N epochs without a lower held-apart loss (default 5)")
    train.add_argument("--keys", type=bounded_int(0, 12), default=0,
                       help="learn each piece in N random keys (default 0: as written)")
    train.add_argument("--batch-size", type=count(65_536), default=32, help="windows per step, over all ranks (default 32)")
    train.add_argument("--max-steps", type=count(STEPS), help="stop after N steps (1 = dry run)")
    train.add_argument("--seed", type=seed, default=0, help="0 to 2**63-1 (default 0)")
    train.add_argument("--out", required=True, help="model directory")
    train.add_argument("--resume", action="store_true", help="continue the run saved in --out (same options and files)")
    train.add_argument("--force", action="store_true",
                       help="train into --out even if it holds another kind of model or other files")
    add_device_options(train, trains=True, ranks=True)
    train.set_defaults(handler=run_train)


def _add_generate(commands) -> None:
    generate = commands.add_parser("generate", help="improvise a solo and write it as MIDI (and WAV)")
    generate.add_argument("--model", help=MODEL_HELP)
    generate.add_argument("--out", required=True, help="MIDI file to write")
    generate.add_argument("--bars", type=count(1_000), default=16, help="length of the solo (default 16)")
    generate.add_argument("--temperature", type=temperature, default=1.0, help="0 = greedy (default 1.0)")
    generate.add_argument("--top-k", type=count(100_000), help="sample among the k most likely tokens")
    generate.add_argument("--seed", type=seed, default=0, help="same seed → same solo (0 to 2**63-1, default 0)")
    generate.add_argument("--chords", help='chords with their length in beats, repeated: "Cmaj7:2 Am7:2 Dm7 G7" '
                          "(a chord without a length fills its bar; default: the source's progression)")
    generate.add_argument("--tempo", type=bounded_int(MIN_TEMPO, MAX_TEMPO),
                          help=f"beats per minute, {MIN_TEMPO}-{MAX_TEMPO} (default: the source's, else 130)")
    generate.add_argument("--primer", metavar="FILE", help="start the solo with this phrase (a score file's melody), "
                          "kept note for note")
    generate.add_argument("--primer-bars", type=count(1_000), metavar="N", help="use the primer's first N bars (default all)")
    generate.add_argument("--cleanup", choices=["data", "exercise"], default="data",
                          help="data (default): the training music's range, repeated notes where the model plays "
                          "them; exercise: the classic exercise's rules (narrower range, no repeated pitch)")
    generate.add_argument("--guide", choices=["none", "harmony"], default="none",
                          help="harmony: per bar, keep the sample whose strong-beat notes best fit the chord")
    generate.add_argument("--wav", help="also render audio to this WAV file (General MIDI SoundFont)")
    generate.add_argument("--musicxml", metavar="FILE", help="also write the solo and its chord symbols as a lead sheet")
    generate.add_argument("--json", action="store_true", help="print the solo's statistics as one JSON object")
    add_device_options(generate)
    generate.set_defaults(handler=run_generate)


def _add_evaluate(commands) -> None:
    evaluate = commands.add_parser("evaluate", help="score a model on held-out music: cross-entropy, perplexity, accuracy")
    evaluate.add_argument("--model", help=MODEL_HELP)
    evaluate.add_argument("--midi", nargs="+", required=True, metavar="FILE", help="score files (.mid, .xml/.mxl, .abc)")
    _add_selection(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    add_device_options(evaluate)
    evaluate.set_defaults(handler=run_evaluate)


def _add_stats(commands) -> None:
    stats = commands.add_parser("stats", help="statistics of a solo in any score file, and its parts")
    stats.add_argument("file", metavar="FILE", help="a .mid, MusicXML or ABC file")
    _add_selection(stats)
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=run_stats)


def run_train(args) -> int:
    from nlp_rnn.inputs import require_out_dir
    from nlp_rnn.jazz.piece import pieces_from_files
    from nlp_rnn.jazz.train import JazzOptions, train
    from nlp_rnn.out_folder import check_out_folder

    require_out_dir(args.out)
    check_out_folder(args.out, "jazz", resume=getattr(args, "resume", False), force=args.force)
    pieces = pieces_from_files(args.midi, args.melody_part, args.chord_part, args.start, args.end)
    options = JazzOptions(tokens=args.tokens, conditioning=args.conditioning, hidden=args.hidden, window=args.window,
                          epochs=args.epochs, dropout=args.dropout, weight_decay=args.weight_decay,
                          context_dropout=args.context_dropout, chord_bias=args.chord_bias,
                          validation=args.validation, patience=args.patience, keys=args.keys, batch_size=args.batch_size,
                          max_steps=args.max_steps, seed=args.seed,
                          device=args.device, precision=args.precision)
    _, vocabulary, history = train(options, pieces, args.out, sources=list(args.midi), resume=args.resume)
    notes = sum(1 for p in pieces for n in p.melody if n.pitch is not None)
    print(f"{len(pieces)} piece(s), {notes} notes, vocabulary {len(vocabulary)} tokens ({args.tokens}); "
          f"final loss {history[-1]['train_loss']:.3f} after {len(history)} epoch(s){_validation(history)}; "
          f"saved to {args.out}")
    return 0


def _improviser(model: str | None, device: str | None = None):
    from nlp_rnn.jazz.improvise import load_improviser

    if model:
        return load_improviser(model, device)
    from nlp_rnn.jazz.default import load_default

    return load_default(device=device)


def _validation(history: list[dict]) -> str:
    losses = [h["val_loss"] for h in history if "val_loss" in h]
    return f", best held-apart loss {min(losses):.3f} (kept)" if losses else ""


def run_generate(args) -> int:
    from nlp_rnn.atomic import check_target
    from nlp_rnn.jazz.export import render_wav, write_midi, write_musicxml
    from nlp_rnn.jazz.harmony import parse_progression
    from nlp_rnn.jazz.improvise import SoloOptions, improvise
    from nlp_rnn.jazz.piece import primer_from_file
    from nlp_rnn.jazz.stats import solo_stats

    for target in (args.out, args.wav, args.musicxml):  # refuse a FIFO or a device now, not after the solo is made
        if target:
            check_target(target)
    primer = primer_from_file(args.primer, args.primer_bars) if args.primer else None  # before a first use trains
    improviser = _improviser(args.model, args.device)
    chords = parse_progression(args.chords, improviser.beats_per_bar) if args.chords is not None else None
    options = SoloOptions(primer=primer, cleanup=args.cleanup, guide=args.guide, tempo=args.tempo)
    solo = improvise(improviser, bars=args.bars, chords=chords, temperature=args.temperature, seed=args.seed,
                     top_k=args.top_k, options=options)
    write_midi(solo, args.out)
    renderer = render_wav(args.out, args.wav) if args.wav else None
    if args.musicxml:
        write_musicxml(solo, args.musicxml)
    stats = solo_stats(solo)
    if args.json:
        print(to_json({**stats, "midi": args.out, "wav": args.wav, "musicxml": args.musicxml,
                          "renderer": renderer}))
    else:
        print(f"wrote {args.out}: {stats['notes']} notes over {stats['bars']} bars at {solo.tempo:g} bpm "
              f"({', '.join(stats['chords'][:8])}{' …' if len(stats['chords']) > 8 else ''})"
              + (f"; audio {args.wav} ({renderer})" if args.wav else "")
              + (f"; lead sheet {args.musicxml}" if args.musicxml else ""))
    return 0


def run_evaluate(args) -> int:
    from nlp_rnn.jazz.evaluate import evaluate
    from nlp_rnn.jazz.piece import pieces_from_files

    improviser = _improviser(args.model, args.device)
    pieces = pieces_from_files(args.midi, args.melody_part, args.chord_part, args.start, args.end)
    result = evaluate(improviser, pieces)
    if args.json:
        print(to_json(result))
    else:
        print(f"{result['pieces']} piece(s), {result['scored_tokens']} tokens scored "
              f"({result['token_scheme']} tokens, conditioning {result['conditioning']}): cross-entropy "
              f"{result['cross_entropy']:.3f} nats/token, perplexity {result['perplexity']:.2f}, next-token accuracy "
              f"{result['accuracy']:.1%}; {result['unknown_tokens']} token(s) not in the model's vocabulary "
              f"({result['unknown_share']:.1%}) left out")
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
        print(to_json(stats))
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
