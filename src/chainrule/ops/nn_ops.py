"""The softmax family, with their own rules for numerical stability.

Composed from exp / sum / log, softmax overflows at inputs near 1e3 and its
log loses everything below 1e-308; these forms shift by the maximum first,
so they stay finite with finite gradients at ±1e4.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from .elementwise import exp
from .reduce import sum


def _log_softmax(x, axis=-1):
    x = np.asarray(x)
    m = np.max(x, axis=axis, keepdims=True) if x.size else 0
    shifted = x - np.where(np.isfinite(m), m, 0)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax(x, axis=-1):
    return np.exp(_log_softmax(x, axis))


log_softmax = defop(
    "log_softmax", _log_softmax,
    vjp=lambda g, ans, x, axis=-1: g - exp(ans) * sum(g, axis=axis, keepdims=True),
    jvp=lambda t, ans, x, axis=-1: t - sum(exp(ans) * t, axis=axis, keepdims=True),
    derivative="δ_ij - softmax_j")
softmax = defop(
    "softmax", _softmax,
    vjp=lambda g, ans, x, axis=-1: ans * (g - sum(g * ans, axis=axis, keepdims=True)),
    jvp=lambda t, ans, x, axis=-1: ans * (t - sum(t * ans, axis=axis, keepdims=True)),
    derivative="softmax_i (δ_ij - softmax_j)")
