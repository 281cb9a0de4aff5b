"""The few primitives the engine itself applies, declared like any other op.

- `sum_to` undoes broadcasting: the reverse sweep sums an adjoint of the
  broadcast shape down to the input's shape (the one place this happens).
- `broadcast_to` does the opposite for tangents in forward mode.
- `cast` matches an adjoint's or tangent's dtype to its variable's.
- `alias` gives a transform a fresh tensor to seed without touching the
  caller's tensor (its graph link and outer tangents are kept).
"""

from __future__ import annotations

import numpy as np

from .registry import defop


def _sum_to_shape(g, shape):
    """Sum `g` over the axes along which `shape` was broadcast to g.shape."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    out = np.sum(g, axis=axes, keepdims=True) if axes else g
    return out.reshape(shape)


sum_to = defop(
    "sum_to", lambda g, shape: _sum_to_shape(np.asarray(g), tuple(shape)),
    vjp=lambda g, ans, x, shape: broadcast_to(g, shape=x.shape),
    jvp="linear",
    derivative="adjoint broadcast back to the input shape",
    doc="Sum over broadcast axes so the result has `shape` (undoes broadcasting).")

broadcast_to = defop(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    vjp=lambda g, ans, x, shape: sum_to(g, shape=np.shape(x)),
    jvp="linear",
    derivative="adjoint summed over the broadcast axes",
    doc="Repeat along new or size-1 axes to `shape`, as numpy.broadcast_to.")

cast = defop(
    "cast", lambda x, dtype: np.asarray(x).astype(dtype, copy=False),
    vjp=lambda g, ans, x, dtype: cast(g, dtype=x.dtype),
    jvp="linear",
    derivative="adjoint cast back to the input dtype",
    doc="Convert to another floating dtype.")

alias = defop(
    "alias", lambda x: x,
    vjp=lambda g, ans, x: g,
    jvp="linear",
    derivative="1",
    doc="Identity; a fresh tensor standing for the same value.")
