"""Corpora: any UTF-8 text file (``.txt``, ``.txt.gz``), a folder of ``.txt`` files, or the
built-in ``lee`` corpus: gensim's Lee background corpus (299 ABC news articles, 360 kB of
English), which ships inside gensim, so it works offline. A corpus is read up to a cap
(``limits.MAX_CORPUS_MB``, 500 MB of text; ``--max-corpus-mb``)."""

from __future__ import annotations

import gzip
import importlib.util
import logging
import os
import zlib
from pathlib import Path

from nlp_rnn.errors import DataError
from nlp_rnn.limits import MAX_CORPUS_MB

BUILTIN = "lee"
log = logging.getLogger(__name__)


def builtin_path() -> Path:
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(BUILTIN, "gensim is not installed", "pip install gensim, or give a text file")
    return Path(spec.submodule_search_locations[0]) / "test" / "test_data" / "lee_background.cor"


def corpus_files(spec: str | Path) -> list[Path]:
    """The files a corpus spec names, checked without reading them (a folder: its regular ``.txt``
    files; a FIFO or device named ``*.txt`` there would block the read forever, so it is skipped and
    logged). Raises DataError for a missing path or a folder with no text files."""
    path = builtin_path() if str(spec) == BUILTIN else Path(spec)
    if path.is_dir():
        found = sorted(path.rglob("*.txt"))
        files = [f for f in found if f.is_file()]
        if len(files) < len(found):
            skipped = [str(f) for f in found if not f.is_file()]
            log.warning("%s: skipped %d .txt entries that are not regular files: %s", path, len(skipped),
                        ", ".join(skipped[:5]) + (" …" if len(skipped) > 5 else ""))
        if not files:
            raise DataError(path, "folder holds no regular .txt files", "put the corpus in .txt files")
        return files
    if not path.exists():
        raise DataError(path, "no such corpus file or folder", f"check the path, or use '{BUILTIN}' (built in)")
    if not os.access(path, os.R_OK):
        raise DataError(path, "the corpus file is not readable", "check its permissions")
    return [path]


def read_text(spec: str | Path, max_mb: float = MAX_CORPUS_MB) -> str:
    """The text of a corpus spec, at most ``max_mb`` MB of it (a folder: all its files together);
    raises DataError naming the file (and line) on bad input or a corpus over the cap."""
    budget, texts = int(max_mb * 1_000_000), []
    for path in corpus_files(spec):
        texts.append(_read_file(path, budget, max_mb))
        budget -= len(texts[-1])
    return "\n".join(texts)


def _read_file(path: Path, budget: int, max_mb: float) -> str:
    """One file's text; a ``.gz`` is inflated as a stream and stops at the cap, so a small file that
    inflates to gigabytes (a gzip bomb) costs at most the cap."""
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as handle:
            data = handle.read(budget + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(path, f"cannot read ({error})", "check that the file is text or gzipped text") from None
    if len(data) > budget:
        inflated = " once decompressed" if path.suffix == ".gz" else ""
        raise DataError(path, f"the corpus holds over {max_mb:g} MB of text{inflated}",
                        "use a smaller corpus, or raise the cap with --max-corpus-mb")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DataError(path, "bytes that are not UTF-8", "save the corpus as UTF-8", line=line) from None
    if not text.strip():
        raise DataError(path, "the corpus is empty", "give a file with some text")
    return text.replace("\r\n", "\n")
