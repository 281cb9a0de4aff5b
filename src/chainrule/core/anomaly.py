"""NaN/Inf hunting for `detect_anomaly`: name the op and the user's line.

Only imported while anomaly mode is on, so normal runs pay nothing.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from .backend import as_array
from .errors import AnomalyError
from .tensor import Tensor

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_line() -> str:
    """`file:line (source)` of the innermost frame outside chainrule."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return "an unknown line"
    import linecache

    src = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    return f"{where} ({src})" if src else where


def _bad_value(a) -> str | None:
    a = as_array(a)
    if a.dtype.kind not in "fc" or np.isfinite(a).all():
        return None
    return "nan" if np.isnan(a).any() else ("inf" if (a == np.inf).any() else "-inf")


def check_forward(op, out, args):
    """Raise if `out` is the first non-finite value (all inputs were finite)."""
    origin = user_line()
    if out._node is not None:
        out._node.origin = origin
    bad = _bad_value(out._data)
    if bad is None:
        return
    if any(_bad_value(a._data if isinstance(a, Tensor) else a) for a in args):
        return  # produced earlier; that op raised already unless it ran outside the block
    raise AnomalyError(f"{op.name} produced {bad} in the forward pass at {origin}")


def check_backward(node, argnum, grad):
    """Raise if a VJP rule produced a non-finite adjoint."""
    bad = _bad_value(grad._data if isinstance(grad, Tensor) else grad)
    if bad is not None:
        made_at = node.origin or "a line run outside detect_anomaly"
        raise AnomalyError(
            f"the backward rule of {node.op.name} produced {bad} for input {argnum}; "
            f"the {node.op.name} was applied at {made_at}")
