"""What ``--json`` prints: strict JSON (RFC 8259) that any parser reads.

``json.dumps`` writes a NaN or an infinity as the bare words ``NaN`` / ``Infinity``, which are not
JSON; a value that is not a finite number is written as ``null`` instead.
"""

from __future__ import annotations

import json
import math


def to_json(value, ensure_ascii: bool = True) -> str:
    return json.dumps(_finite(value), ensure_ascii=ensure_ascii, allow_nan=False)


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
