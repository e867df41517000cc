"""Reading labelled sentences.

Two CSV layouts, told apart by the first row:
- classic (no header): ``sentence,label_index`` with 0-4 = heart, baseball, smile, disappointed,
  fork_and_knife; extra columns are ignored, trailing tabs/spaces stripped;
- headered: ``text,label[,...]``, a label being an emoji, an ``:alias:`` or a name; other
  columns are ignored except ``split`` (train/valid), which the bundled dataset uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from nlp_rnn.csv_rows import csv_rows
from nlp_rnn.emojify.labels import CLASSIC, canonical_label
from nlp_rnn.errors import DataError, require_file

BUNDLED = "bundled"
CLASSIC_INDEXES = {str(i) for i in range(len(CLASSIC))}


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # class name
    line: int  # 1-based line in the source file
    split: str = ""  # "train" / "valid" when the file says


def bundled_path() -> Path:
    return Path(str(resources.files("nlp_rnn.emojify") / "data" / "emojify_sentences.csv"))


def read_examples(path: str | Path) -> list[Example]:
    """All examples in a CSV file (``"bundled"`` = the shipped dataset). Raises DataError naming the line."""
    path = bundled_path() if str(path) == BUNDLED else require_file(path, "CSV file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise DataError(path, "bytes that are not UTF-8", "save the file as UTF-8", line=line) from None
    rows = list(csv_rows(path, text))
    if not rows:
        raise DataError(path, "empty file", "give one sentence and its label per line")
    header = [cell.strip().lower() for cell in rows[0][1]]
    if header[:2] == ["text", "label"]:
        split_column = header.index("split") if "split" in header else None
        examples = [_headered(path, number, row, split_column) for number, row in rows[1:]]
    else:
        examples = [_classic(path, number, row) for number, row in rows]
    examples = [e for e in examples if e is not None]
    if not examples:
        raise DataError(path, "no labelled sentences", "give one sentence and its label per line")
    return examples


def _classic(path: Path, number: int, row: list[str]) -> Example | None:
    if not any(cell.strip() for cell in row):
        return None
    if len(row) < 2:
        raise DataError(path, "expected sentence,label_index", "add the label (0-4) after a comma", line=number)
    label = row[1].strip()
    if label not in CLASSIC_INDEXES:  # ASCII digits only: "²" and "٣" pass str.isdigit()
        raise DataError(path, f"label {label!r} is not 0-4",
                        "use 0-4 (heart, baseball, smile, disappointed, fork_and_knife) or a text,label header",
                        line=number)
    return Example(_sentence(path, number, row[0]), CLASSIC[int(label)][0], number)


def _headered(path: Path, number: int, row: list[str], split_column: int | None) -> Example | None:
    if not any(cell.strip() for cell in row):
        return None
    if len(row) < 2 or not row[1].strip():
        raise DataError(path, "missing label", "write text,label (quote text that holds commas)", line=number)
    split = row[split_column].strip().lower() if split_column is not None and split_column < len(row) else ""
    return Example(_sentence(path, number, row[0]), canonical_label(row[1]), number, split)


def _sentence(path: Path, number: int, text: str) -> str:
    text = text.strip()
    if not text:
        raise DataError(path, "empty sentence", "write a sentence before the label", line=number)
    return text


CARVE_FROM = 500  # sentences; a smaller file without a split trains on all of them (see train_valid)


def train_valid(examples: list[Example], valid_fraction: float = 0.15, seed: int = 0,
                carve_from: int = CARVE_FROM, source: str | Path = "the data") -> tuple[list, list]:
    """Use the file's split column if it has one; otherwise carve a stratified validation set from
    a file of at least ``carve_from`` sentences. A smaller file is all training data (no validation,
    a fixed number of epochs): a validation set of a few dozen sentences picks epochs badly and the
    sentences it holds back are missed more (on 132-sentence files, carving 15% cost V1 7 points and
    V2 6 points of test accuracy; bench/emojify_quality.py). ``source`` names the data in errors."""
    if any(e.split for e in examples):
        train = [e for e in examples if e.split != "valid"]
        if not train:
            raise DataError(source, f"the split column marks all {len(examples):,} rows 'valid': no training rows",
                            "mark some rows 'train', or drop the split column")
        return train, [e for e in examples if e.split == "valid"]
    if len(examples) < carve_from:
        return list(examples), []
    import random

    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example)
    train, valid = [], []
    for label in sorted(by_label):
        group = by_label[label][:]
        rng.shuffle(group)
        cut = int(round(len(group) * valid_fraction)) if len(group) >= 4 else 0
        valid.extend(group[:cut])
        train.extend(group[cut:])
    return train, valid
