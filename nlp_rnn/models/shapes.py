"""The weight shapes a stored config implies, found without allocating or initialising the model.

A tampered ``checkpoint.json`` (``hidden_size`` 10⁶, ``num_layers`` 64) would take minutes and many
GB to build before ``load_state_dict`` noticed the stored weights do not fit. The model is built on
torch's ``meta`` device instead (shapes, no storage) and its shapes compared with the tensors' own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from nlp_rnn.errors import DataError

# init functions whose meta kernels are written in Python: the first call imports torch._dynamo
# (seconds); on meta tensors there is nothing to initialise, so they are skipped
_NO_OP_ON_META = {torch.Tensor.normal_, nn.init.normal_, nn.init.trunc_normal_, nn.init.orthogonal_}


class _SkipInit(TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _NO_OP_ON_META:
            return args[0] if args else kwargs["tensor"]
        return func(*args, **kwargs)


def expected_shapes(build: Callable[[], nn.Module]) -> dict[str, tuple[int, ...]]:
    """name → shape of every entry of the state dict of the model ``build()`` makes, on the meta device."""
    with torch.device("meta"), _SkipInit():
        model = build()
    return {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}


def check_shapes(expected: dict[str, tuple[int, ...]], stored: dict[str, torch.Tensor], skip: set[str],
                 source: str | Path) -> None:
    """Raise DataError unless ``stored`` holds exactly the weights ``expected`` (minus ``skip``), shape for shape."""
    wanted = {name: shape for name, shape in expected.items() if name not in skip}
    extra, missing = sorted(set(stored) - set(wanted)), sorted(set(wanted) - set(stored))
    if extra or missing:
        raise DataError(source, f"weights do not match the model's parameters (missing {missing[:3]}, "
                        f"unexpected {extra[:3]})", "retrain the model")
    for name, shape in wanted.items():
        if tuple(stored[name].shape) != shape:
            raise DataError(source, f"weights do not fit the config: {name} is {tuple(stored[name].shape)}, "
                            f"the config makes {shape}", "retrain the model")
