"""What a training run's ``--out`` already holds, checked before the first step.

Training writes a manifest and tensor files into ``--out``; into a folder that holds another kind
of model (a text model where an Emojify one is trained) or files that are not a model at all,
that mixes two things into one folder. Such a folder stops the run with one line, unless the user
says ``--resume`` (continue what is there) or ``--force`` (train into it anyway; nothing of
theirs is removed either way: a save removes only files that an earlier manifest of ours named).
"""

from __future__ import annotations

import json
from pathlib import Path

from nlp_rnn import checkpoint
from nlp_rnn.errors import UserError
from nlp_rnn.train_state import RESUME

NAMES = {"textgen": "a text model", "emojify": "an Emojify model", "jazz": "a jazz model"}
SIDE_FILES = {"auto.json", "members"}  # Emojify --model auto: its stored choice and its other members


def check_out_folder(out: str | Path, app: str, resume: bool = False, force: bool = False) -> None:
    """Raise UserError if ``out`` holds something other than nothing or an ``app`` model (see the module doc)."""
    path = Path(out)
    if resume or force or not path.exists():
        return
    if not path.is_dir():
        raise UserError(f"{out}: exists and is not a folder; give a new or empty folder for the model")
    found = contents(path)
    if found is not None and found != app:
        what = NAMES.get(found, found)
        raise UserError(f"{out}: holds {what}, not {NAMES.get(app, app)}; give another --out, "
                        "or --force to train into it anyway")


def contents(path: Path) -> str | None:
    """The app of the model in ``path`` ("textgen", "emojify", "jazz", another kind), a description of
    what else is there, or None for a folder with nothing but (unfinished) training files of ours."""
    manifest = path / checkpoint.CHECKPOINT
    if manifest.is_file():
        try:
            meta = json.loads(manifest.read_text("utf-8"))
            extra = meta.get("extra") if isinstance(meta.get("extra"), dict) else {}
            return str(extra.get("app") or meta["kind"])
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            return f"a {checkpoint.CHECKPOINT} nlp-rnn cannot read"
    foreign = sorted(p.name for p in path.iterdir() if not p.name.startswith(".") and p.name != RESUME
                     and p.suffix != ".safetensors" and p.name not in SIDE_FILES)
    if foreign:
        listed = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        return f"files that are not an nlp-rnn model ({listed})"
    return None
