"""Corpora: any UTF-8 text file (``.txt``, ``.txt.gz``), a folder of ``.txt`` files, or the
built-in ``lee`` corpus: gensim's Lee background corpus (299 ABC news articles, 360 kB of
English), which ships inside gensim, so it works offline."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

from nlp_rnn.errors import DataError

BUILTIN = "lee"


def builtin_path() -> Path:
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(BUILTIN, "gensim is not installed", "pip install gensim, or give a text file")
    return Path(spec.submodule_search_locations[0]) / "test" / "test_data" / "lee_background.cor"


def read_text(spec: str | Path) -> str:
    """The text of a corpus spec; raises DataError naming the file (and line) on bad input."""
    path = builtin_path() if str(spec) == BUILTIN else Path(spec)
    if path.is_dir():
        files = sorted(path.rglob("*.txt"))
        if not files:
            raise DataError(path, "folder holds no .txt files", "put the corpus in .txt files")
        return "\n".join(_read_file(f) for f in files)
    if not path.exists():
        raise DataError(path, "no such corpus file or folder", f"check the path, or use '{BUILTIN}' (built in)")
    return _read_file(path)


def _read_file(path: Path) -> str:
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as error:
        raise DataError(path, f"cannot read ({error})", "check that the file is text or gzipped text") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(path, "bytes that are not UTF-8", "save the corpus as UTF-8", line=line) from None
    if not text.strip():
        raise DataError(path, "the corpus is empty", "give a file with some text")
    return text.replace("\r\n", "\n")
