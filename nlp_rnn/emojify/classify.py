"""Batch classification that streams: one output row per input line, in order, constant memory.

A line that is empty or not valid UTF-8 gives a row with an ``error`` field; the run goes on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TextIO

import orjson
import torch

from nlp_rnn.emojify.model import EmojiModel

FIELDS = ["line", "text", "label", "emoji", "prob", "top_k", "error"]


@dataclass
class Row:
    line: int
    text: str
    label: str = ""
    emoji: str = ""
    prob: float | None = None
    top_k: list | None = None
    error: str = ""
    file: str | None = None


def read_lines(handle: BinaryIO) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None if unusable, error) for every line of a binary stream."""
    for number, raw in enumerate(handle, start=1):
        raw = raw.rstrip(b"\r\n")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # UTF-8 byte-order mark
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None, raw.decode("utf-8", errors="replace")
            continue
        yield number, (text if text.strip() else None), text


def classify_stream(model: EmojiModel, lines: Iterable[tuple[int, str | None, str]], top_k: int = 3,
                    batch_size: int = 512) -> Iterator[Row]:
    """Rows for ``read_lines`` output, classified ``batch_size`` lines at a time."""
    batch: list[tuple[int, str | None, str]] = []
    for item in lines:
        batch.append(item)
        if len(batch) >= batch_size:
            yield from _classify_batch(model, batch, top_k)
            batch = []
    if batch:
        yield from _classify_batch(model, batch, top_k)


def _classify_batch(model: EmojiModel, batch: list, top_k: int) -> list[Row]:
    good = [text for _, text, _ in batch if text is not None]
    probs = model.probabilities(good) if good else torch.empty(0)  # (len(good), classes)
    k = min(top_k, len(model.labels))
    values, indices = probs.topk(k, dim=-1) if good else (probs, probs)
    values, indices = values.double().numpy().round(6).tolist(), indices.tolist()  # rounded once per batch
    choices = [{"label": label, "emoji": emoji} for label, emoji in zip(model.labels, model.emojis)]
    rows, j = [], 0
    for number, text, shown in batch:
        if text is None:
            error = "empty line" if shown.strip() == "" and "\ufffd" not in shown else "not valid UTF-8"
            rows.append(Row(number, shown, error=error))
            continue
        best, top = indices[j][0], [{**choices[i], "prob": p} for p, i in zip(values[j], indices[j])]
        rows.append(Row(number, text, choices[best]["label"], choices[best]["emoji"], values[j][0], top))
        j += 1
    return rows


class RowWriter:
    """tsv, csv or jsonl rows on a text stream; tsv/csv put top_k as "label:prob|..." in one cell."""

    def __init__(self, out: TextIO, fmt: str, with_file: bool = False):
        self.out, self.fmt = out, fmt
        self.fields = (["file"] if with_file else []) + FIELDS
        if fmt in ("csv", "tsv"):
            self.writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
            self.writer.writerow(self.fields)

    def write(self, row: Row) -> None:
        data = {name: getattr(row, name) for name in self.fields}
        if self.fmt == "jsonl":
            if not row.error:
                data.pop("error")
            self.out.write(orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE).decode())  # ~10× json.dumps
            return
        data["top_k"] = "|".join(f"{t['label']}:{t['prob']:.4f}" for t in row.top_k or [])
        data["prob"] = "" if row.prob is None else f"{row.prob:.4f}"
        data["text"] = row.text.replace("\t", " ") if self.fmt == "tsv" else row.text
        self.writer.writerow([data[name] for name in self.fields])


def rows_to_text(rows: Iterable[Row], fmt: str) -> str:
    """All rows as one string (for downloads)."""
    buffer = io.StringIO()
    writer = RowWriter(buffer, fmt)
    for row in rows:
        writer.write(row)
    return buffer.getvalue()


def read_upload(name: str, data: bytes) -> Iterator[tuple[int, str | None, str]]:
    """Lines of an uploaded file, as ``read_lines`` gives them. A ``.csv`` contributes its ``text``
    column (or its first); a row with undecodable bytes is marked unusable, like a bad line."""
    if not name.lower().endswith(".csv"):
        yield from read_lines(io.BytesIO(data))
        return
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace")))
    header = next(rows, None)
    if header is None:
        return
    named = [cell.strip().lower() for cell in header]
    column, first = (named.index("text"), 2) if "text" in named else (0, 1)
    if first == 1:
        rows = iter([header, *rows])
    for number, row in enumerate(rows, start=first):
        cell = row[column] if column < len(row) else ""
        usable = cell if cell.strip() and "\ufffd" not in cell else None
        yield number, usable, cell
