"""How an ``--model auto`` checkpoint holds its ensemble, read alike by the torch and the numpy loader.

Member 0 is the checkpoint itself, its ``extra.auto`` naming the members and the temperature; the
others are ordinary checkpoints in ``members/1``, ``members/2``, ... beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nlp_rnn.errors import DataError

MAX_MEMBERS = 16


def ensemble_of(auto: dict, directory: Path) -> tuple[list[Path], float]:
    """(the other members' folders, the temperature) that ``auto`` describes; DataError when it is damaged."""
    try:
        count, temperature = len(auto["members"]), float(auto.get("temperature", 1.0))
        if not 0.01 <= temperature <= 100 or not 1 <= count <= MAX_MEMBERS:
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise DataError(directory / "checkpoint.json", "damaged ensemble description (extra.auto)",
                        "retrain the model") from None
    return [directory / "members" / str(i) for i in range(1, count)], temperature


def check_member(member, top, directory: Path) -> None:
    """DataError unless ``member`` (a loaded model) reads the same words and gives the same labels as ``top``."""
    same_words = (member.vocabulary is None) == (top.vocabulary is None) and (
        top.vocabulary is None or member.vocabulary.index_to_token == top.vocabulary.index_to_token)
    if member.labels != top.labels or member.vectors != top.vectors or member.tokenizer != top.tokenizer or not same_words:
        raise DataError(directory, "ensemble member does not match the model it belongs to", "retrain the model")


def load_members(auto: dict, directory: Path, top, load: Callable[[Path], object]) -> tuple[list, float]:
    """(the other members' classifiers, the temperature) of the ensemble ``auto`` describes, each member read
    by ``load`` (the torch or the numpy loader) and checked against ``top``, the model of ``directory``."""
    folders, temperature = ensemble_of(auto, directory)
    classifiers = []
    for folder in folders:
        member = load(folder)
        check_member(member, top, folder)
        classifiers.extend(member.classifiers)
    return classifiers, temperature
