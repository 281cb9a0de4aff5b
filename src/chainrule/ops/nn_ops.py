"""The softmax family, with their own rules for numerical stability.

Composed from exp / sum / log, softmax overflows at inputs near 1e3 and its
log loses everything below 1e-308; these forms shift by the maximum first,
so they stay finite with finite gradients at ±1e4.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import defop
from ._util import value_of
from .elementwise import exp
from .reduce import sum
from .shape import expand_dims, reshape, swapaxes


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


# ---- fused layer and loss primitives (fewer nodes, fewer passes over the data) ----
def _linear(x, w, b=None):
    out = np.matmul(x, np.swapaxes(w, -1, -2))
    if b is not None:
        out += b  # out is fresh, so adding in place is safe
    return out


def _flat_rows(a, n):
    """a with all leading axes merged: shape (-1, n)."""
    return reshape(a, (-1, n))


def _linear_dweight(g, x):
    # Σ over every leading axis of gᵀ x: (out, in)
    if np.ndim(x) == 1:
        return reshape(g, (-1, 1)) * reshape(x, (1, -1))
    return swapaxes(_flat_rows(g, np.shape(g)[-1]), 0, 1) @ _flat_rows(x, np.shape(x)[-1])


linear = defop(
    "linear", _linear,
    vjp=(lambda g, ans, x, w, b=None: g @ w,
         lambda g, ans, x, w, b=None: _linear_dweight(g, x),
         lambda g, ans, x, w, b=None: g),  # the sweep sums g over the batch to b's shape
    jvp=(lambda t, ans, x, w, b=None: t @ swapaxes(w, -1, -2),
         lambda t, ans, x, w, b=None: x @ swapaxes(t, -1, -2),
         lambda t, ans, x, w, b=None: t),
    derivative="∂/∂x = G W, ∂/∂W = Gᵀ x, ∂/∂b = Σ G", doc="x Wᵀ + b in one op (PyTorch's layout)")


def _check_targets(logits, target):
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise ValueError(f"cross_entropy needs integer class targets, got dtype {target.dtype}")
    if np.shape(logits)[:-1] != target.shape:
        raise ValueError(f"cross_entropy: logits {np.shape(logits)} need targets of shape "
                         f"{np.shape(logits)[:-1]}, got {target.shape}")
    classes = np.shape(logits)[-1]
    if target.size and (target.min() < 0 or target.max() >= classes):
        raise ValueError(f"cross_entropy: targets must lie in [0, {classes}), got {target.min()}..{target.max()}")
    return target


def _softmax_xent(logits, target):
    logp = _log_softmax(logits, axis=-1)
    target = _check_targets(logits, target)
    return -np.take_along_axis(logp, target[..., None], axis=-1)[..., 0]


def _xent_direction(logits, target):
    """softmax(logits) - onehot(target): ∂ loss_i / ∂ logits_i."""
    p = softmax(logits, axis=-1)
    onehot = np.zeros(np.shape(logits), dtype=value_of(logits).dtype)
    np.put_along_axis(onehot, np.asarray(target)[..., None], 1.0, axis=-1)
    return p - onehot


softmax_cross_entropy = defop(
    "softmax_cross_entropy", _softmax_xent,
    vjp=(lambda g, ans, logits, target: expand_dims(g, -1) * _xent_direction(logits, target), None),
    jvp=(lambda t, ans, logits, target: sum(t * _xent_direction(logits, target), axis=-1), None),
    derivative="softmax(z) - onehot(y)", doc="Per-example -log softmax(z)[y], fused and stable.")
