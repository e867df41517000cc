"""Where the project's stand-in data lives (PTB, the Metheny MIDI): ``../shared/data`` beside the checkout, as in
CI, or where ``$NLP_RNN_SHARED_DATA`` says (a git worktree elsewhere has no ``../shared`` beside it)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NLP_RNN_SHARED_DATA", ROOT.parent / "shared" / "data"))
METHENY = SHARED_DATA / "jazz" / "original_metheny.mid"
PTB = Path(os.environ.get("NLP_RNN_PTB", SHARED_DATA / "ptb"))


def present(path: Path, what: str) -> bool:
    """Whether ``path`` is there; if not, one line on stderr saying what is left out and how to point at it,
    so that a run from elsewhere never drops the file silently."""
    if path.exists():
        return True
    print(f"note: {path} is absent, so {what} is left out (set NLP_RNN_SHARED_DATA to the folder holding "
          "jazz/ and ptb/)", file=sys.stderr)
    return False
