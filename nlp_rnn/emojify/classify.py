"""Batch classification that streams: one output row per input line, in order, constant memory.

A line that is empty or not valid UTF-8 gives a row with an ``error`` field; the run goes on. A line of
over 1,000 tokens (``limits.MAX_SENTENCE_TOKENS``) is classified on its first 1,000, and its row's
``error`` field says so; of a line over 400 kB (``LINE_BYTES``) only that much is read, the rest skipped.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, BinaryIO, TypeVar

import numpy as np
import orjson

from nlp_rnn.csv_rows import csv_rows
from nlp_rnn.limits import MAX_SENTENCE_TOKENS

if TYPE_CHECKING:  # either engine's model: both have tokenizer, labels, emojis and probabilities
    from nlp_rnn.emojify.model import EmojiModel
    from nlp_rnn.emojify.numpy_model import NumpyEmojiModel

    Model = EmojiModel | NumpyEmojiModel

T = TypeVar("T")

FIELDS = ["line", "text", "label", "emoji", "prob", "top_k", "error"]
TRUNCATED = f"long line: classified on its first {MAX_SENTENCE_TOKENS:,} tokens"
# Bytes of a line read at all: over 4 × the characters _cap_tokens tokenizes (UTF-8 takes ≤ 4 bytes a character),
# so a line cut here always holds more than them and its row is flagged TRUNCATED.
LINE_BYTES = 4 * MAX_SENTENCE_TOKENS * 100 + 4
BATCH_CHARS = 64_000_000  # a batch also ends at this much text: 8,192 long lines would otherwise hold 3 GB
Row = dict  # a jsonl row: line, text, label, emoji, prob, top_k, and error when the line was unusable


def read_lines(handle: BinaryIO) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None if empty or not UTF-8, the line as shown) for every line of a binary stream.

    A line is read at most LINE_BYTES at a time: the rest of a longer one is skipped in 1 MB reads (a single
    multi-GB line costs no more memory than that), and the row shows its start followed by "…"."""
    readline, number = handle.readline, 0
    while raw := readline(LINE_BYTES):
        number += 1
        cut = len(raw) == LINE_BYTES and not raw.endswith(b"\n") and _skip_rest(readline)
        raw = raw.rstrip(b"\r\n")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # UTF-8 byte-order mark
        try:
            text = _decode_start(raw) if cut else raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None, raw.decode("utf-8", errors="replace") + ("…" if cut else "")
            continue
        yield number, (text if text.strip() else None), (text + "…") if cut else text


def _skip_rest(readline) -> bool:
    """Read past the end of the current line; True when there was more of it."""
    more = False
    while chunk := readline(1 << 20):
        more = True
        if chunk.endswith(b"\n"):
            break
    return more


def _decode_start(raw: bytes) -> str:
    """The text of a line's first bytes, cut before a character the cut split (an invalid byte still raises)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(raw) - 3 or error.reason != "unexpected end of data":
            raise
        return raw[: error.start].decode("utf-8")


def classify_batches(model: Model, lines: Iterable[tuple[int, str | None, str]], top_k: int = 3,
                     batch_size: int = 512, workers: int = 1, then: Callable[[list[Row]], T] = list) -> Iterator[T]:
    """``then(rows)`` for every ``batch_size`` lines of ``read_lines`` output, in input order.

    With ``workers`` > 1, that many threads classify (and ``then``) batches at once; at most
    ``workers`` + 1 batches are in flight, so memory stays constant. torch and numpy run their kernels
    without the GIL, so one worker's model call overlaps another's Python work.
    """
    job = functools.partial(_classify_then, model, top_k=top_k, then=then)
    batches = _batches(iter(lines), batch_size)
    if workers == 1:
        yield from map(job, batches)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="emojify") as pool:
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(job, batch))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _batches(lines: Iterator, size: int) -> Iterator[list]:
    """Lists of ``size`` lines, or fewer when their text reaches BATCH_CHARS."""
    batch, chars = [], 0
    for line in lines:
        batch.append(line)
        chars += len(line[2])
        if len(batch) == size or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def classify_stream(model: Model, lines: Iterable[tuple[int, str | None, str]], top_k: int = 3,
                    batch_size: int = 512) -> Iterator[Row]:
    """One row per ``read_lines`` item, classified ``batch_size`` lines at a time."""
    for rows in classify_batches(model, lines, top_k, batch_size):
        yield from rows


def _classify_then(model: Model, batch: list, top_k: int, then: Callable[[list[Row]], T]) -> T:
    return then(_classify_batch(model, batch, top_k))


def _cap_tokens(model: Model, batch: list) -> tuple[list, set[int]]:
    """The batch with each sentence cut to its first MAX_SENTENCE_TOKENS tokens, and the lines cut.

    One long line would otherwise pad the whole batch to its length and run the LSTM over all of it
    (0.75 GB and 19 s per MB of line). Only a line of more characters than the cap can hold more tokens,
    so the common batch costs one length check a row.
    """
    long = [i for i, (_, text, _) in enumerate(batch) if text is not None and len(text) > MAX_SENTENCE_TOKENS]
    cut: set[int] = set()
    for i in long:
        number, text, shown = batch[i]
        tokens = model.tokenizer(text[: MAX_SENTENCE_TOKENS * 100])  # a bounded prefix is tokenized, not all
        if len(tokens) > MAX_SENTENCE_TOKENS or len(text) > MAX_SENTENCE_TOKENS * 100:
            batch = batch if cut else list(batch)
            batch[i] = (number, " ".join(tokens[:MAX_SENTENCE_TOKENS]), shown)
            cut.add(i)
    return batch, cut


def _classify_batch(model: Model, batch: list, top_k: int) -> list[Row]:
    batch, cut = _cap_tokens(model, batch)
    good = [text for _, text, _ in batch if text is not None]
    k = min(top_k, len(model.labels))
    probs = np.asarray(model.probabilities(good)) if good else np.empty((0, k))  # (len(good), classes)
    indices = np.argsort(-probs, axis=1, kind="stable")[:, :k]  # the k most likely, most likely first
    values = np.take_along_axis(probs, indices, axis=1).astype(np.float64).round(6).tolist()  # rounded once per batch
    indices = indices.tolist()
    labels, emojis = model.labels, model.emojis
    rows, j = [], 0
    for number, text, shown in batch:
        if text is None:
            error = "empty line" if shown.strip() == "" and "\ufffd" not in shown else "not valid UTF-8"
            rows.append({"line": number, "text": shown, "label": "", "emoji": "", "prob": None, "top_k": None,
                         "error": error})
            continue
        best, probs_j = indices[j][0], values[j]
        rows.append({"line": number, "text": text, "label": labels[best], "emoji": emojis[best], "prob": probs_j[0],
                     "top_k": [{"label": labels[i], "emoji": emojis[i], "prob": p} for p, i in zip(probs_j, indices[j])]})
        if cut and len(rows) - 1 in cut:  # still classified, on the sentence's start; the row says so
            rows[-1].update(text=shown, error=TRUNCATED)
        j += 1
    return rows


class RowWriter:
    """tsv, csv or jsonl rows; tsv/csv put top_k as "label:prob|..." in one cell and always have an
    error column; ``file`` (several inputs) comes first."""

    def __init__(self, fmt: str, with_file: bool = False):
        self.fmt = fmt
        self.fields = (["file"] if with_file else []) + FIELDS

    def header(self) -> str:
        return "" if self.fmt == "jsonl" else self._table([self.fields])

    def render(self, rows: list[Row], file: str | None = None) -> str:
        """The rows as text (safe to call from several threads)."""
        if self.fmt == "jsonl":
            dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE  # ~10× json.dumps
            if file is not None:
                rows = [{"file": file, **row} for row in rows]
            return b"".join([dumps(row, option=newline) for row in rows]).decode()
        cells = [self._cells(row) if file is None else [file, *self._cells(row)] for row in rows]
        text = self._table(cells)
        # The csv module quotes a field holding "\n" (our line end) but not a bare "\r", which every CSV
        # reader takes as a line break: one scan of the batch's text finds the rare batch to redo.
        return self._table(cells, quote_cr=True) if "\r" in text else text

    def _cells(self, row: Row) -> list:
        text = row["text"].replace("\t", " ") if self.fmt == "tsv" else row["text"]
        prob = "" if row["prob"] is None else f"{row['prob']:.4f}"
        top = "|".join(f"{t['label']}:{t['prob']:.4f}" for t in row["top_k"] or [])
        return [row["line"], text, row["label"], row["emoji"], prob, top, row.get("error", "")]

    def _table(self, rows: Iterable[list], quote_cr: bool = False) -> str:
        buffer = io.StringIO()
        delimiter = "\t" if self.fmt == "tsv" else ","
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        if not quote_cr:
            writer.writerows(rows)
            return buffer.getvalue()
        quoting = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
        for row in rows:
            (quoting if any("\r" in str(cell) for cell in row) else writer).writerow(row)
        return buffer.getvalue()


def rows_to_text(rows: Iterable[Row], fmt: str) -> str:
    """All rows as one string (for downloads)."""
    writer = RowWriter(fmt)
    return writer.header() + writer.render(list(rows))


def read_upload(name: str, data: bytes) -> Iterator[tuple[int, str | None, str]]:
    """Lines of an uploaded file, as ``read_lines`` gives them. A ``.csv`` contributes its ``text``
    column (or its first); a row with undecodable bytes is marked unusable, like a bad line."""
    if not name.lower().endswith(".csv"):
        yield from read_lines(io.BytesIO(data))
        return
    rows = csv_rows(name, data.decode("utf-8-sig", errors="replace"))
    first = next(rows, None)
    if first is None:
        return
    named = [cell.strip().lower() for cell in first[1]]
    column = named.index("text") if "text" in named else 0
    if "text" not in named:
        rows = itertools.chain([first], rows)
    for number, row in rows:
        cell = row[column] if column < len(row) else ""
        usable = cell if cell.strip() and "\ufffd" not in cell else None
        yield number, usable, cell
