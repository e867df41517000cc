"""Small models train on one intra-op thread (the lab's experiments, Emojify's automatic choice).

Their matrices are tiny (16-100 units), so torch's per-op fork/join over several threads costs far
more than the arithmetic it splits, and on a shared machine every op also waits for a thread the OS
has put aside (a browser redrawing a chart is enough). Measured on this 2-core machine
(``python -m bench lab_speed``): the default sine run took 1.6 s of CPU on 1 thread, 52 s on 2;
Emojify V1 on 132 sentences 1.7 s against 27 s.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch


@contextmanager
def one_thread():
    """Run the block with ``torch.set_num_threads(1)``; the previous count is restored after.

    torch keeps the count per calling thread (OpenMP's own setting), so a Streamlit session that
    runs a lab experiment does not slow down another session's training.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
