"""The softmax family, with their own rules for numerical stability.

Composed from exp / sum / log, softmax overflows at inputs near 1e3 and its
log loses everything below 1e-308; these forms shift by the maximum first,
so they stay finite with finite gradients at ±1e4.
"""

from __future__ import annotations

from math import isfinite

import numpy as np

from ..core.backend import as_array, like
from ..core.registry import defop
from ..core.tensor import Tensor
from ._util import constant_like, device_like
from .elementwise import exp
from .reduce import sum
from .shape import expand_dims, reshape, swapaxes

# The reductions below call the ufuncs' reduce directly: ndarray.max / .sum go through a
# Python wrapper that costs as much as the work itself on a small batch, in every step.
_max, _sum, _min = np.maximum.reduce, np.add.reduce, np.minimum.reduce


def _shift_by_max(x, axis):
    """x minus its maximum along `axis` (a fresh array), so exp() cannot overflow; a slice of all
    -inf (or with inf, nan) is shifted by 0 instead. x is a non-empty ndarray."""
    m = _max(x, axis=axis, keepdims=True)
    # m·m is finite when every entry of m is (a huge one overflows it, which only takes the slow
    # path): one BLAS call, where isfinite + all cost as much as the softmax itself on a small batch
    if not isfinite(np.vdot(m, m)):
        m = np.where(np.isfinite(m), m, 0)
    return x - m


def _log_softmax(x, axis=-1):
    x = as_array(x)
    if not x.size:
        return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))
    shifted = _shift_by_max(x, axis)
    shifted -= np.log(_sum(np.exp(shifted), axis=axis, keepdims=True))
    return shifted


def _softmax(x, axis=-1):
    return np.exp(_log_softmax(x, axis))


log_softmax = defop(
    "log_softmax", _log_softmax,
    vjp=lambda g, ans, x, axis=-1: g - exp(ans) * sum(g, axis=axis, keepdims=True),
    jvp=lambda t, ans, x, axis=-1: t - sum(exp(ans) * t, axis=axis, keepdims=True),
    notation=("log_softmax {0}", ("{g} - softmax {0} × Σ {g}",), ("{t} - Σ softmax {0} × {t}",)),
    derivative="δ_ij - softmax_j")
softmax = defop(
    "softmax", _softmax,
    vjp=lambda g, ans, x, axis=-1: ans * (g - sum(g * ans, axis=axis, keepdims=True)),
    jvp=lambda t, ans, x, axis=-1: ans * (t - sum(t * ans, axis=axis, keepdims=True)),
    notation=("softmax {0}", ("{out} × ({g} - Σ {g} × {out})",), ("{out} × ({t} - Σ {t} × {out})",)),
    derivative="softmax_i (δ_ij - softmax_j)")


# ---- fused layer and loss primitives (fewer nodes, fewer passes over the data) ----
# Their array_vjp rules are the textbook matrix products on ndarrays, used
# when nothing is recorded; their vjp rules compose chainrule ops (higher order).
def _linear(x, w, b=None):
    out = np.matmul(x, w.T if w.ndim == 2 else np.swapaxes(w, -1, -2))
    if b is not None:
        out += b  # out is fresh, so adding in place is safe
    return out


def _flat_rows(a, n):
    """a with all leading axes merged: shape (-1, n)."""
    return reshape(a, (-1, n))


def _linear_dweight(g, ans, x, w, b=None):
    # Σ over every leading axis of gᵀ x: (out, in)
    if np.ndim(x) == 1:
        return reshape(g, (-1, 1)) * reshape(x, (1, -1))
    return swapaxes(_flat_rows(g, np.shape(g)[-1]), 0, 1) @ _flat_rows(x, np.shape(x)[-1])


def _linear_dweight_array(g, ans, x, w, b=None):
    if g.ndim == 2:
        return g.T @ x
    if x.ndim == 1:
        return np.multiply.outer(g, x)
    return g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1])


def _linear_dbias_array(g, ans, x, w, b=None):
    # Σ over every leading axis of g; other bias shapes are left to the sweep's sum_to
    if b.ndim == 1 and g.ndim > 1:
        return _sum(g if g.ndim == 2 else g.reshape(-1, g.shape[-1]), axis=0)
    return g


linear = defop(
    "linear", _linear,
    vjp=(lambda g, ans, x, w, b=None: g @ w, _linear_dweight, lambda g, ans, x, w, b=None: g),
    jvp=(lambda t, ans, x, w, b=None: t @ swapaxes(w, -1, -2),
         lambda t, ans, x, w, b=None: x @ swapaxes(t, -1, -2),
         lambda t, ans, x, w, b=None: t),
    array_vjp=(lambda g, ans, x, w, b=None: g @ w, _linear_dweight_array, _linear_dbias_array),
    notation=("{0} @ {1}ᵀ + {2}", ("{g} @ {1}", "{g}ᵀ @ {0}", "Σ {g}"), ("{t} @ {1}ᵀ", "{0} @ {t}ᵀ", "{t}")),
    derivative="∂/∂x = G W, ∂/∂W = Gᵀ x, ∂/∂b = Σ G")

REDUCTIONS = ("mean", "sum", "none")


def _check_targets(logits, target, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    target = as_array(target)
    if target.dtype.kind not in "iu":
        raise ValueError(f"cross_entropy needs integer class targets, got dtype {target.dtype}")
    if logits.shape[:-1] != target.shape:
        raise ValueError(f"cross_entropy: logits {np.shape(logits)} need targets of shape "
                         f"{np.shape(logits)[:-1]}, got {target.shape}")
    return target


def _softmax_xent_saving(logits, target, reduction="none"):
    # The loss and, saved for the backward pass, its VJP direction softmax - onehot, both from one
    # shifted exponential: the same few passes a hand-written NumPy loss makes. On a small batch each
    # NumPy call costs more than its arithmetic, so the calls are few (this runs in every training step).
    x = as_array(logits)
    target = _check_targets(x, target, reduction)
    classes = x.shape[-1]
    if not x.size:
        losses, direction = np.zeros(target.shape, x.dtype, like=like(x)), np.zeros_like(x)
        return (losses if reduction == "none" else _reduced(losses, reduction)), direction
    rows = x if x.ndim == 2 else x.reshape(-1, classes)
    picked = target.reshape(-1)
    if reduction == "none":
        losses, direction = _xent_rows(_shift_by_max(rows, axis=1), picked, classes)
        return losses.reshape(target.shape), (direction if x.ndim == 2 else direction.reshape(x.shape))
    # A reduced loss is finite exactly when every row's maximum is (a non-finite one makes its row nan):
    # so shift by the raw maximum, and only when the total is not finite redo it with _shift_by_max's guard.
    losses, direction = _xent_rows(rows - _max(rows, axis=1, keepdims=True), picked, classes)
    total = _reduced(losses, reduction)
    if not isfinite(total):
        losses, direction = _xent_rows(_shift_by_max(rows, axis=1), picked, classes)
        total = _reduced(losses, reduction)
    return total, (direction if x.ndim == 2 else direction.reshape(x.shape))


def _xent_rows(z, picked, classes):
    """(losses, softmax - onehot) of shifted scores z (rows, classes) and their classes `picked`."""
    e = np.exp(z)
    s = _sum(e, axis=1, keepdims=True)
    index = _rows(z.shape[0], z)
    try:  # indexing rejects a class >= classes itself; a negative one would wrap, so check that here
        if picked.dtype.kind == "i" and _min(picked) < 0:
            raise IndexError
        losses = np.log(s[:, 0]) - z[index, picked]  # -log softmax(x)[target]
    except IndexError:
        raise ValueError(f"cross_entropy: targets must lie in [0, {classes}), "
                         f"got {picked.min()}..{picked.max()}") from None
    direction = e
    direction /= s  # (in place: no new array for the direction, whatever the batch)
    if not direction.flags.c_contiguous:  # laid out as a transposed input was: its flat view would be a copy
        direction = np.ascontiguousarray(direction)
    # -1 at each row's target through flat positions (checked in range above): a 2-D fancy-index update
    # costs twice as much (uint64 classes plus the int64 row starts would give floats: those are cast first)
    if picked.dtype.kind == "u" and picked.dtype.itemsize == 8:
        picked = picked.astype(np.int64)
    direction.reshape(-1)[_rows(z.shape[0], z, classes) + picked] -= 1
    return losses, direction


def _reduced(losses, reduction):
    total = _sum(losses, axis=None)
    # an empty batch gives nan for the mean, as NumPy's mean
    return total if reduction == "sum" else total / losses.size


_ROWS: dict[tuple[int, int], np.ndarray] = {}


def _rows(n, on, step=1):
    """np.arange(n) * step (the flat position where each row of `step` columns starts), made once per batch
    size and step for up to 4096 rows (read-only: it is shared); on the device of `on`."""
    if type(on) is not np.ndarray:
        return np.arange(0, n * step, step, like=like(on))
    rows = _ROWS.get((n, step))
    if rows is None:
        rows = np.arange(0, n * step, step)
        if n <= 4096:
            rows.flags.writeable = False
            _ROWS[n, step] = rows
    return rows


def _onehot(target, like):
    # a comparison with the class numbers (not an in-place put), so a batch of targets under vmap works too
    classes = np.arange(np.shape(like)[-1], like=device_like(target))
    target = target if isinstance(target, Tensor) else as_array(target)
    return constant_like(target[..., None] == classes, like)


def _xent_direction(logits, target):
    """softmax(logits) - onehot(target): ∂ loss_i / ∂ logits_i (differentiable in logits)."""
    return softmax(logits, axis=-1) - _onehot(target, logits)


def _xent_scale(g, target, reduction):
    """The adjoint of each example's loss: g itself, or g shared out by the reduction."""
    if reduction == "none":
        return expand_dims(g, -1)
    return g / max(target.size, 1) if reduction == "mean" else g


def _xent_vjp(g, ans, logits, target, reduction="none"):
    # one op of the table (not softmax, a one-hot and their arithmetic): so the rule on Tensors (higher order,
    # vmap) is one recorded or batched step, as the array rule is
    return softmax_cross_entropy_backward(g, logits, target, reduction=reduction)


_EXACT_QUOTIENT = (np.dtype(np.float32), np.dtype(np.float64))


def _xent_array_vjp(g, ans, logits, target, reduction="none", saved=None):
    # the forward pass's direction, scaled (a new array: saved may be reused by a retained graph)
    n = max(target.size, 1)
    if reduction == "mean" and type(g) is np.ndarray and g.ndim == 0 and g.dtype in _EXACT_QUOTIENT and n < 1 << 24:
        # g / n as a Python float: NumPy's 0-d division costs as much as the product. The same value: n is
        # exact in float32 below 2**24, and a float64 quotient of float32 numbers rounds to their float32
        # quotient exactly (not so for float16, whose integers are exact only up to 2048)
        return saved * (g.item() / n)
    return saved * (g[..., None] if reduction == "none" else _xent_scale(g, target, reduction))


def _xent_jvp(t, ans, logits, target, reduction="none"):
    per_example = sum(t * _xent_direction(logits, target), axis=-1)
    if reduction == "none":
        return per_example
    return sum(per_example) / max(target.size, 1) if reduction == "mean" else sum(per_example)


def _xent_backward(g, logits, target, reduction="none"):
    # the loss's adjoint for its logits on arrays: the saving forward's direction, scaled
    direction = _softmax_xent_saving(logits, target, "none")[1]
    g = as_array(g)
    if reduction == "none":
        return direction * g[..., None]
    return direction * (g / max(np.size(target), 1) if reduction == "mean" else g)


def _softmax_jvp(t, logits):
    """The softmax's Jacobian (symmetric) applied to t along the class axis."""
    s = softmax(logits, axis=-1)
    return s * (t - sum(t * s, axis=-1, keepdims=True))


def _xent_backward_dg(h, ans, g, logits, target, reduction="none"):
    return _xent_jvp(h, None, logits, target, reduction)  # linear in g: Σ over the classes of h · direction


def _xent_backward_dlogits(h, ans, g, logits, target, reduction="none"):
    return _softmax_jvp(h * _xent_scale(g, target, reduction), logits)


def _xent_backward_jvp_logits(t, ans, g, logits, target, reduction="none"):
    return _xent_scale(g, target, reduction) * _softmax_jvp(t, logits)


# The derivative of the loss as an op of its own (as max pooling's are): what its VJP rule calls on Tensors
softmax_cross_entropy_backward = defop(
    "softmax_cross_entropy_backward", _xent_backward,
    vjp=(_xent_backward_dg, _xent_backward_dlogits, None),
    jvp=(lambda t, ans, g, logits, target, reduction="none": softmax_cross_entropy_backward(
        t, logits, target, reduction=reduction), _xent_backward_jvp_logits, None),
    notation=("xent'({1}, y) {0}", ("Σ {g} × (softmax {1} - onehot y)", "softmax'({1}) ({g} × {0})", ""),
              ("xent'({1}, y) {t}", "{0} × softmax'({1}) {t}", "")),
    derivative="∂/∂g: softmax(z) - onehot(y); ∂/∂z: g × the softmax's Jacobian")

softmax_cross_entropy = defop(
    "softmax_cross_entropy", lambda logits, target, reduction="none": _softmax_xent_saving(
        logits, target, reduction)[0],
    vjp=(_xent_vjp, None), jvp=(_xent_jvp, None),
    saving_forward=_softmax_xent_saving, array_vjp=(_xent_array_vjp, None),
    notation=("xent({0}, y)", ("{g} × (softmax {0} - onehot y)", ""), ("Σ {t} × (softmax {0} - onehot y)", "")),
    derivative="softmax(z) - onehot(y)")
