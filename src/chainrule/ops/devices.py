"""Moving tensors between devices: the `to_device` row, and Tensor.to / .cpu() / .cuda().

A move is an op like any other, so a gradient flows back across it (to the
device the input came from), as in PyTorch. Which device an array is on and
how it is copied is the backend seam's business (chainrule.core.backend);
this file only records the move.
"""

from __future__ import annotations

import numpy as np

from ..core import backend
from ..core.registry import defop
from ..core.tensor import Tensor

to_device = defop(
    "to_device", lambda x, device: backend.to_device(x, device),
    vjp=lambda g, ans, x, device: to_device(g, device=_device_of(x)),
    jvp="linear", notation=("{0} on device", ("{g} moved back",), ("{t} on device",)),
    derivative="1 (the adjoint moved back to the input's device)")


def _device_of(x):
    return x.device if isinstance(x, Tensor) else backend.device_of(x)


def _is_device(arg):
    return isinstance(arg, str) or (hasattr(arg, "type") and hasattr(arg, "index"))


def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False):
    """This tensor on `device` and/or with `dtype` (torch's Tensor.to); itself when nothing changes.

    Positional arguments are read as torch reads them: a device name ('cpu', 'cuda', 'cuda:1'),
    a dtype, or another tensor whose device and dtype are taken.

    Example:
        >>> import chainrule as cr
        >>> x = cr.ones(2)
        >>> x.to("cpu") is x, x.to(cr.float32).dtype
        (True, dtype('float32'))
    """
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif _is_device(arg) and not is_dtype_name(arg):
            device = arg
        else:
            dtype = arg
    out = self
    if device is not None and backend.device_of(self._data) != _canonical(device, self._data):
        out = to_device(out, device=str(device))
    if dtype is not None and np.dtype(dtype) != out.dtype:
        out = out.astype(dtype)
    if copy and out is self:
        out = self.clone()
    return out


def is_dtype_name(arg):
    """Whether arg is a string NumPy reads as a dtype ("float32"), not a device name ("cuda").

    Example:
        >>> is_dtype_name("float32"), is_dtype_name("cuda")
        (True, False)
    """
    if not isinstance(arg, str):
        return False
    try:
        np.dtype(arg)
        return True
    except TypeError:
        return False


def _canonical(device, array):
    """'cuda' means the current CUDA device: compare it with the array's as 'cuda:<its index>'."""
    kind, index = backend.parse_device(device)
    if index is None and kind != "cpu":
        here = backend.device_of(array)
        return here if here.partition(":")[0] == kind else kind
    return kind if index is None else f"{kind}:{index}"


def cpu(self):
    """This tensor on the host (itself when it is there already), as torch's Tensor.cpu().

    Example:
        >>> import chainrule as cr
        >>> x = cr.ones(2)
        >>> x.cpu() is x
        True
    """
    return to(self, "cpu")


def cuda(self, device=None):
    """This tensor on a CUDA GPU (needs CuPy: pip install 'chainrule[gpu]'), as torch's Tensor.cuda().

    Example:
        >>> import chainrule as cr
        >>> x = cr.ones(2)
        >>> x.cuda().device if cr.cuda.is_available() else "cuda:0"
        'cuda:0'
    """
    return to(self, "cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))


Tensor.to, Tensor.cpu, Tensor.cuda = to, cpu, cuda
