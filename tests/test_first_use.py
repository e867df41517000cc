"""First use (issue 19): the default jazz model's corpus ships parsed, so a first visit neither imports nor runs
music21 for it, and what ships is exactly what music21 reads from the installed corpus."""

import json
from dataclasses import asdict

from nlp_rnn.jazz import default, parse


def test_the_shipped_parse_is_what_music21_reads():
    for path in default.corpus_paths():
        shipped = parse.PACKAGED / parse._cache_path(path.read_bytes()).name
        assert shipped.exists(), f"{path.name} is not shipped parsed: run python -m nlp_rnn.jazz.default"
        fresh = [{**asdict(piece), "source": path.name} for piece in parse.parse_file(path, use_cache=False)]
        assert json.loads(shipped.read_text(encoding="utf-8")) == json.loads(json.dumps(fresh))  # no path of ours
        assert all(piece.source == str(path) for piece in parse.parse_file(path))  # read back: the installed file


def test_a_first_use_reads_the_default_corpus_without_music21(tmp_path, monkeypatch):
    from music21 import converter

    def parse_again(*args, **kwargs):
        raise AssertionError("music21 parsed a corpus file that ships parsed")

    monkeypatch.setenv("NLP_RNN_CACHE", str(tmp_path))  # an empty cache, as on a new machine
    monkeypatch.setattr(converter, "parse", parse_again)
    pieces = default.default_pieces()
    assert len(pieces) == 5 and all(piece.melody and piece.chords for piece in pieces)
    assert not (tmp_path / "jazz-parsed").exists()  # nothing was parsed, so nothing was cached
