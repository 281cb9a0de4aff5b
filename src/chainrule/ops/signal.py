"""scipy.signal.convolve as a row of the op table, in every mode and any number of dimensions.

Every mode is a centred slice of the full convolution, so one pair of rules
serves all three: the adjoint g is put back into a full-size array of zeros
(the adjoint of slicing), and the full convolution's adjoints are
correlations, that is convolutions with the other input flipped, in 'valid'
mode (g ⋆ k and g ⋆ x). Convolution is bilinear, so its JVP is the op itself
on one tangent at a time. Values come from SciPy (imported on first use).
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from ._util import value_of
from .shape import getitem, scatter_add
from .special import _floating_dtype, scipy_module

MODES = ("full", "same", "valid")


def _convolve(x, k, mode="full"):
    if mode not in MODES:
        raise ValueError(f"convolve: mode must be one of {MODES}, got {mode!r}")
    if np.ndim(x) != np.ndim(k):
        raise ValueError(f"convolve: both inputs need the same number of dimensions, got {np.ndim(x)} and "
                         f"{np.ndim(k)}")
    out = scipy_module("scipy.signal").convolve(x, k, mode=mode)
    return np.asarray(out, dtype=_floating_dtype(x, k))


def _flipped(a):
    return getitem(a, index=(slice(None, None, -1),) * len(a.shape))


def _full_adjoint(g, x, k):
    """g, placed where its slice sits in the full convolution (zeros around it)."""
    full = tuple(n + m - 1 for n, m in zip(value_of(x).shape, value_of(k).shape))
    if tuple(g.shape) == full:
        return g
    starts = [(f - n) // 2 for f, n in zip(full, g.shape)]
    index = tuple(slice(s, s + n) for s, n in zip(starts, g.shape))
    return scatter_add(g, index=index, shape=full)


convolve = defop(
    "convolve", _convolve,
    vjp=(lambda g, ans, x, k, mode="full": convolve(_full_adjoint(g, x, k), _flipped(k), mode="valid"),
         lambda g, ans, x, k, mode="full": convolve(_full_adjoint(g, x, k), _flipped(x), mode="valid")),
    jvp=(lambda t, ans, x, k, mode="full": convolve(t, k, mode=mode),
         lambda t, ans, x, k, mode="full": convolve(x, t, mode=mode)),
    derivative="∂/∂x: adjoint correlated with k; ∂/∂k: adjoint correlated with x (both in 'valid' mode)")
