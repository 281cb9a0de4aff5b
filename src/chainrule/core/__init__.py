"""The engine: Tensor, the op table, the reverse and forward sweeps.

Imports inside core form a tree: errors, modes and node at the bottom;
tensor on them; forward on tensor; the registry on forward; engine_ops on
the registry; graph and reverse on top. What a lower module's objects need
from a higher one is attached from above (`reverse.install()` gives Tensor
its `backward`; engine_ops hands forward mode its ops).
"""

from . import (
           engine_ops,  # noqa: F401  (registers sum_to, broadcast_to, cast, alias, real, conj)
           reverse,
)
from .backend import DeviceError
from .errors import AnomalyError, ChainruleError, GraphFreedError, InplaceModificationError, OpError
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .registry import OPS, Op, defop
from .tensor import Tensor, array_of

reverse.install()

__all__ = ["Tensor", "Op", "OPS", "defop", "no_grad", "enable_grad", "set_grad_enabled", "detect_anomaly",
           "is_grad_enabled", "ChainruleError", "GraphFreedError", "InplaceModificationError",
           "AnomalyError", "OpError", "DeviceError", "array_of"]
