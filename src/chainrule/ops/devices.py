"""Devices, as PyTorch names them: `x.to(device / dtype / other)`, `device=` arguments, `.device`.

chainrule computes on the CPU with NumPy, so "cpu" (or a cr.device of it) is taken everywhere and any
other device is refused with a message saying how PyTorch programs pick the device.
"""

from __future__ import annotations

import numpy as np

from ..core.engine_ops import cast
from ..core.tensor import Tensor
from .torch_names import clone

_DEVICE_TYPES = ("cpu", "cuda", "mps", "meta", "xpu")


def is_device(obj):
    """True for a device: a cr.device, or a name such as "cpu" or "cuda:0" (not a dtype).

    Example:
        >>> import chainrule as cr
        >>> is_device("cuda:0"), is_device(cr.device("cpu")), is_device("float32"), is_device(cr.float32)
        (True, True, False, False)
    """
    if hasattr(obj, "type") and not isinstance(obj, np.dtype) and not isinstance(obj, type):  # a cr.device
        return True
    return isinstance(obj, str) and obj.partition(":")[0] in _DEVICE_TYPES


def check_device(device, what):
    """Refuse any device but the CPU, saying what to do (cr.cuda.is_available() is False).

    Example:
        >>> check_device("cpu", "here") is None
        True
        >>> check_device("cuda", "cr.zeros")
        Traceback (most recent call last):
        ...
        RuntimeError: cr.zeros: chainrule computes on the CPU, so device 'cuda' is not available ...
    """
    if device is None:
        return
    kind = getattr(device, "type", None) or str(device).partition(":")[0]
    if kind != "cpu":
        raise RuntimeError(f"{what}: chainrule computes on the CPU, so device {str(device)!r} is not available "
                           "(cr.cuda.is_available() is False); pick the device with "
                           "'cuda' if cr.cuda.is_available() else 'cpu'")


def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """x.to(dtype), x.to(device), x.to(device, dtype), x.to(other): x itself when nothing changes, as PyTorch.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([1.0, 2.0])
        >>> x.to("cpu") is x, x.to(cr.float64).dtype, x.to(cr.zeros(1, dtype=cr.int64)).dtype
        (True, dtype('float64'), dtype('int64'))
    """
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif is_device(arg):
            device = arg
        else:
            dtype = arg
    check_device(device, "Tensor.to")
    result = self if dtype is None or np.dtype(dtype) == self.dtype else _astype(self, np.dtype(dtype))
    return clone(self) if copy and result is self else result


def cpu_device():
    """The device every tensor is on (what `x.device` gives).

    Example:
        >>> str(cpu_device())
        'cpu'
    """
    from ..cuda import device  # (imported when asked: cuda sits above ops)

    return device("cpu")


def _astype(x, dtype):
    if dtype.kind not in "fc":  # an integer or bool result has no derivative: the graph ends here
        return Tensor._wrap(x._data.astype(dtype))
    return cast(x, dtype=dtype)
