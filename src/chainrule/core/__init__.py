"""The engine: Tensor, the op table, the reverse and forward sweeps."""

from . import engine_ops  # noqa: F401  (registers sum_to, broadcast_to, cast, alias)
from .errors import AnomalyError, ChainruleError, GraphFreedError, InplaceModificationError, OpError
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from .registry import OPS, Op, defop
from .tensor import Tensor

__all__ = ["Tensor", "Op", "OPS", "defop", "no_grad", "enable_grad", "detect_anomaly",
           "is_grad_enabled", "ChainruleError", "GraphFreedError", "InplaceModificationError",
           "AnomalyError", "OpError"]
