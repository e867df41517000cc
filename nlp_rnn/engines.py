"""Which engine runs a command that only infers: numpy, or torch.

Importing torch costs about 1.9 s of CPU before anything else happens, most of a command's start-up
when it classifies a few lines. ``auto`` (the default) takes numpy whenever the command would run on
the CPU in fp32 anyway, which is decided without importing torch: ``--device cpu``, or ``auto`` (the
flag's default, or ``$NLP_RNN_DEVICE``) with a torch built for the CPU alone (its ``version.py``
names no CUDA or ROCm version; on macOS MPS may be there, so torch decides). Anything else (a GPU,
bf16 or fp16 autocast) takes torch. Large inputs stay on numpy too: a million lines of the default
ensemble took 38 s of CPU on numpy against 43 s on torch (README, Emojify engines).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from nlp_rnn.device_names import requested
from nlp_rnn.errors import UserError

ENGINES = ("auto", "numpy", "torch")
_VERSION = re.compile(r"^(?:cuda|hip)\b[^=\n]*=\s*(\S+)", re.M)  # cuda: Optional[str] = '12.4' (or None)


def choose(engine: str, device: str | None, precision: str) -> str:
    """``numpy`` or ``torch`` for ``--engine``, ``--device`` and ``--precision``; UserError for numpy off the CPU."""
    if engine == "torch":
        return "torch"
    on_cpu = precision == "fp32" and runs_on_cpu(device)
    if engine == "numpy" and not on_cpu:
        raise UserError(f"--engine numpy runs in fp32 on the CPU only (here --device {device or 'auto'}, --precision "
                        f"{precision}); drop --engine or use --engine torch")
    return "numpy" if on_cpu else "torch"


def runs_on_cpu(device: str | None) -> bool:
    """True when ``devices.resolve(device)`` would give the CPU, found without importing torch."""
    spec = requested(device)
    return spec == "cpu" or (spec == "auto" and not torch_may_see_accelerator())


def torch_may_see_accelerator() -> bool:
    """False when the installed torch is a CPU-only build (read from its version.py, not imported)."""
    if sys.platform == "darwin":
        return True
    found = importlib.util.find_spec("torch")
    if found is None or found.origin is None:
        return False
    try:
        text = (Path(found.origin).parent / "version.py").read_text(encoding="utf-8")
    except OSError:
        return True  # cannot tell: let torch decide
    return any(value != "None" for value in _VERSION.findall(text))
