"""The weight shapes a stored config implies, found without allocating or initialising the model.

A tampered ``checkpoint.json`` (``hidden_size`` 10⁶, ``num_layers`` 64) would take minutes and many
GB to build before ``load_state_dict`` noticed the stored weights do not fit. The model is built on
torch's ``meta`` device instead (shapes, no storage) and its shapes compared with the tensors' own.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

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
