"""Vectors from files: GloVe text (no header, ``.txt`` or ``.txt.gz``), word2vec text or binary
(with a "count dim" header). gensim parses; when it fails, a line-by-line scan names the line."""

from __future__ import annotations

import gzip
import logging
import math
from pathlib import Path
from typing import Literal

from gensim.models import KeyedVectors

from embeddings.errors import VectorsError

log = logging.getLogger(__name__)
Format = Literal["glove", "word2vec", "word2vec-binary"]
MAX_DIM = 100_000  # numbers per vector; the largest published sets have 300
GZIP_MAX_RATIO = 1032  # deflate's best case: no .gz inflates to more than this times its size


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def detect_format(path: Path) -> Format:
    """GloVe text has no header; word2vec starts with "count dim"; binary has raw floats after it."""
    try:
        with _open(path) as handle:
            head = handle.read(4096)
    except (OSError, EOFError) as error:
        raise VectorsError(str(path), f"cannot read ({error})", "check that the file is a (gzipped) vectors file") from None
    if not head.strip():
        raise VectorsError(str(path), "empty file", "give a file with one word and its vector per line")
    first, _, rest = head.partition(b"\n")
    fields = first.split()
    if len(fields) != 2 or not all(f.isdigit() for f in fields):
        _refuse_tabs(path, first, 1)
        return "glove"
    fmt = "word2vec-binary" if path.suffix == ".bin" or any(b < 9 or 13 < b < 32 for b in rest[:512]) else "word2vec"
    if fmt == "word2vec":
        _refuse_tabs(path, rest.partition(b"\n")[0], 2)
    check_header(path, int(fields[0]), int(fields[1]), fmt)
    return fmt


def _refuse_tabs(path: Path, line: bytes, number: int) -> None:
    """gensim splits on spaces only: a tab-separated row would be read as a word with 0 numbers."""
    if b"\t" in line.strip():
        raise VectorsError(str(path), "the fields are separated by tabs; vectors files separate them by spaces",
                           "replace the tabs, e.g. tr '\\t' ' ' < FILE > FIXED", line=number)


def check_header(path: Path, count: int, dim: int, fmt: Format) -> None:
    """Refuse a "count dim" header the file cannot hold: gensim allocates count × dim floats up front."""
    if not 1 <= dim <= MAX_DIM:
        raise VectorsError(str(path), f"the header says {dim} numbers per vector", f"give 1 to {MAX_DIM:,}", line=1)
    size = path.stat().st_size * (GZIP_MAX_RATIO if path.suffix == ".gz" else 1)
    per_vector = dim * 4 + 2 if fmt == "word2vec-binary" else dim * 2 + 2  # floats, or "x " per number + a word
    if count > size // per_vector:
        raise VectorsError(str(path), f"the header says {count:,} vectors of {dim}, more than the file can hold "
                           f"(at most {size // per_vector:,})", "fix the first line: COUNT DIM", line=1)


def parse_vectors(path: Path) -> KeyedVectors:
    """Parse a text or binary vectors file with gensim; raise VectorsError naming the bad line."""
    fmt = detect_format(path)
    log.info("parsing %s as %s", path, fmt)
    try:
        kv = KeyedVectors.load_word2vec_format(
            str(path), binary=fmt == "word2vec-binary", no_header=fmt == "glove", unicode_errors="strict"
        )
    except (ValueError, UnicodeDecodeError, EOFError, OSError, IndexError) as error:
        if fmt == "word2vec-binary":
            raise VectorsError(str(path), f"damaged word2vec binary file ({error})", "convert or download it again") from None
        raise diagnose(path, fmt == "word2vec") or VectorsError(str(path), f"unreadable ({error})", "check the format") from None
    if len(kv) == 0:
        raise VectorsError(str(path), "no vectors in the file", "give a file with one word and its vector per line")
    if kv.vector_size == 0:
        raise VectorsError(str(path), "the rows hold a word and no numbers", "give one word and its vector per line")
    return kv


def diagnose(path: Path, has_header: bool) -> VectorsError | None:
    """The first line that is not ``word f1 f2 ... fD`` with one D throughout, as an error."""
    dim = None
    with _open(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                return VectorsError(str(path), "bytes that are not UTF-8", "re-save the file as UTF-8", line=number)
            if number == 1 and has_header:
                dim = int(line.split()[1])
                continue
            fields = line.rstrip("\n").rstrip(" ").split(" ")
            if not line.strip():
                return VectorsError(str(path), "empty line", "remove it", line=number)
            values = fields[1:]
            dim = len(values) if dim is None else dim
            if len(values) != dim:
                return VectorsError(str(path), f"{len(values)} numbers where the file has {dim}",
                                    "every row needs the same dimension", line=number)
            bad = next((v for v in values if not _is_number(v)), None)
            if bad is not None:
                return VectorsError(str(path), f"{bad!r} is not a number", "fix or remove the row", line=number)
    return None


def _is_number(text: str) -> bool:
    try:
        return not math.isnan(float(text))
    except ValueError:
        return False
