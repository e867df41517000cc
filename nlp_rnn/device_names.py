"""Device and precision names, checked without importing torch (``--device`` is parsed before a command
decides whether it needs torch at all; ``devices`` resolves the names to torch devices)."""

from __future__ import annotations

import os
import re

from nlp_rnn.errors import UserError

DEVICE_ENV = "NLP_RNN_DEVICE"
DEVICE_CHOICES = "auto, cpu, cuda, cuda:N or mps"
PRECISIONS = ("fp32", "bf16", "fp16")
_SPEC = re.compile(r"auto|cpu|mps|cuda(:\d+)?|meta")  # meta: shapes without storage, for tests and tools


def check_spec(spec: str) -> str:
    """``spec`` if it is a device name we know, else a UserError (the argparse type of ``--device``)."""
    if not _SPEC.fullmatch(spec.strip().lower()):
        raise UserError(f"--device {spec!r} is not a device; use {DEVICE_CHOICES}")
    return spec.strip().lower()


def requested(spec: str | None) -> str:
    """The device name a command asked for: ``spec``, else ``$NLP_RNN_DEVICE``, else ``auto`` (checked)."""
    return check_spec(spec or os.environ.get(DEVICE_ENV) or "auto")
