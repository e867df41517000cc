"""``nlp-rnn embeddings``: word-vector commands."""

from __future__ import annotations

from nlp_rnn.cli.parsing import add_group, count

SPEC_HELP = "glove-6b-50d (packaged, offline), a GloVe/word2vec/.kv file, or a gensim-data name"


def register(subparsers, name: str, help_text: str) -> None:
    commands = add_group(subparsers, name, help_text)
    info = commands.add_parser("info", help="load vectors and describe them")
    info.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(handler=run_info)

    neighbors = commands.add_parser("neighbors", help="nearest words by cosine similarity")
    neighbors.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    neighbors.add_argument("word", metavar="WORD")
    neighbors.add_argument("-k", type=count(100_000), default=10, help="how many (default 10)")
    neighbors.add_argument("--json", action="store_true", help="print one JSON object")
    neighbors.set_defaults(handler=run_neighbors)

    analogy = commands.add_parser("analogy", help="A − B + C (king man woman → queen)")
    analogy.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    analogy.add_argument("words", metavar="WORD", nargs=3, help="A B C")
    analogy.add_argument("-k", type=count(100_000), default=5, help="how many answers (default 5)")
    analogy.add_argument("--json", action="store_true", help="print one JSON object")
    analogy.set_defaults(handler=run_analogy)

    convert = commands.add_parser("convert", help="save vectors in gensim's native format (fast mmap reloads)")
    convert.add_argument("spec", metavar="SPEC", help=SPEC_HELP)
    convert.add_argument("out", metavar="OUT.kv", help="where to write (a .kv file plus its .npy companion)")
    convert.set_defaults(handler=run_convert)


def _load(spec: str):
    import time

    from embeddings import load_vectors

    started = time.perf_counter()
    kv = load_vectors(spec)
    return kv, time.perf_counter() - started


def _known(kv, words: list[str], spec: str) -> list[str]:
    from nlp_rnn.errors import UserError

    out = []
    for word in words:
        candidates = [word, word.lower()]
        found = next((c for c in candidates if c in kv.key_to_index), None)
        if found is None:
            raise UserError(f"{word!r} is not in the vectors of {spec}; try another word or lower case")
        out.append(found)
    return out


def _print_pairs(pairs, as_json: bool, key: str, extra: dict) -> None:
    from nlp_rnn.cli.output import to_json

    if as_json:
        print(to_json({**extra, key: [{"word": w, "similarity": round(float(s), 6)} for w, s in pairs]},
                         ensure_ascii=False))
    else:
        for word, similarity in pairs:
            print(f"{word}\t{similarity:.4f}")


def run_info(args) -> int:
    from embeddings.loading import source_of
    from nlp_rnn.cli.output import to_json

    kv, seconds = _load(args.spec)
    info = {"spec": args.spec, "source": source_of(args.spec), "vocab_size": len(kv), "dim": kv.vector_size,
            "load_seconds": round(seconds, 4)}
    print(to_json(info) if args.json else "\n".join(f"{k}: {v}" for k, v in info.items()))
    return 0


def run_neighbors(args) -> int:
    kv, _ = _load(args.spec)
    (word,) = _known(kv, [args.word], args.spec)
    _print_pairs(kv.most_similar(word, topn=args.k), args.json, "neighbors", {"word": word})
    return 0


def run_analogy(args) -> int:
    kv, _ = _load(args.spec)
    a, b, c = _known(kv, args.words, args.spec)
    pairs = kv.most_similar(positive=[a, c], negative=[b], topn=args.k)
    _print_pairs(pairs, args.json, "answers", {"query": f"{a} - {b} + {c}"})
    return 0


def run_convert(args) -> int:
    from pathlib import Path

    kv, _ = _load(args.spec)
    out = Path(args.out)
    if out.suffix != ".kv":
        from nlp_rnn.errors import UserError

        raise UserError(f"{out}: the output must end in .kv (gensim's native format)")
    from embeddings.convert import save_native

    save_native(kv, out)  # safe onto the source itself: written beside, then renamed in
    print(f"wrote {out} ({len(kv)} × {kv.vector_size})")
    return 0
