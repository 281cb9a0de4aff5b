"""The few primitives the engine itself applies, declared like any other op.

- `sum_to` undoes broadcasting: the reverse sweep sums an adjoint of the
  broadcast shape down to the input's shape (the one place this happens).
- `broadcast_to` does the opposite for tangents in forward mode.
- `cast` matches an adjoint's or tangent's dtype to its variable's.
- `alias` gives a transform a fresh tensor to seed without touching the
  caller's tensor (its graph link and outer tangents are kept).
- `real` and `conj` serve complex values: a real input's adjoint is the real
  part of a complex one, and a complex leaf's `.grad` is the conjugate of the
  sweep's adjoint (see docs/complex.md for the convention).

Complex numbers follow JAX inside the sweep: a VJP rule of a holomorphic op
is g · f'(z), with no conjugate, so the real rules serve complex inputs
unchanged; only non-holomorphic ops (abs, real, imag, conj, angle) need
their own complex rules.
"""

from __future__ import annotations

import numpy as np

from . import forward
from .backend import as_array
from .registry import defop


def _sum_to_shape(g, shape):
    """Sum `g` over the axes along which `shape` was broadcast to g.shape."""
    if g.shape == shape:
        return g
    if np.broadcast_shapes(g.shape, shape) != g.shape:
        raise ValueError(f"cannot sum an array of shape {g.shape} down to shape {shape}: "
                         "it is not a broadcast of that shape")
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    out = np.sum(g, axis=axes, keepdims=True) if axes else g
    return out.reshape(shape)


sum_to = defop(
    "sum_to", lambda g, shape: _sum_to_shape(as_array(g), tuple(shape)),
    vjp=lambda g, ans, x, shape: broadcast_to(g, shape=x.shape),
    jvp="linear", notation=("sum_to {0}", ("broadcast {g}",), ("sum_to {t}",)),
    derivative="adjoint broadcast back to the input shape")

broadcast_to = defop(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    vjp=lambda g, ans, x, shape: sum_to(g, shape=np.shape(x)),
    jvp="linear", view=True, notation=("broadcast {0}", ("Σ {g} over broadcast axes",), ("broadcast {t}",)),
    derivative="adjoint summed over the broadcast axes")

def _cast_vjp(g, ans, x, dtype):
    # from real to complex, the adjoint is the real part of the complex one (JAX's convention): taken
    # explicitly, not by a complex-to-real cast (which NumPy warns about)
    if g.dtype.kind == "c" and x.dtype.kind != "c":
        g = real(g)
    return cast(g, dtype=x.dtype)


cast = defop(
    "cast", lambda x, dtype: as_array(x).astype(dtype, copy=False),
    vjp=_cast_vjp,
    jvp="linear", notation=("{0}", ("{g}",), ("{t}",)),
    derivative="adjoint cast back to the input dtype")

alias = defop(
    "alias", lambda x: x,
    vjp=lambda g, ans, x: g,
    jvp="linear", view=True, notation=("{0}", ("{g}",), ("{t}",)),
    derivative="1")

real = defop(
    "real", lambda x: np.real(x).copy() if np.iscomplexobj(x) else np.copy(x),
    vjp=lambda g, ans, x: g,
    jvp="linear", notation=("Re {0}", ("{g}",), ("Re {t}",)),
    derivative="1 (the adjoint of the real part)")

conj = defop(
    "conj", np.conjugate,
    vjp=lambda g, ans, x: conj(g),
    jvp="linear", notation=("conj {0}", ("conj {g}",), ("conj {t}",)),
    derivative="conjugate of the adjoint")

forward.install_engine_ops(broadcast_to=broadcast_to, cast=cast, alias=alias)
