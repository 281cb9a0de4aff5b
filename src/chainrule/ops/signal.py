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

from ..core.backend import like, on_host
from ..core.registry import defop
from ._util import value_of
from .shape import getitem, scatter_add, transpose_op
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
    "convolve", on_host(_convolve),  # SciPy's: a GPU array's values go to the host and back
    vjp=(lambda g, ans, x, k, mode="full": convolve(_full_adjoint(g, x, k), _flipped(k), mode="valid"),
         lambda g, ans, x, k, mode="full": convolve(_full_adjoint(g, x, k), _flipped(x), mode="valid")),
    jvp=(lambda t, ans, x, k, mode="full": convolve(t, k, mode=mode),
         lambda t, ans, x, k, mode="full": convolve(x, t, mode=mode)),
    derivative="∂/∂x: adjoint correlated with k; ∂/∂k: adjoint correlated with x (both in 'valid' mode)")


# ---- the generalised convolution of HIPS autograd's convolve(A, B, axes, dot_axes) -----------------
# One row in a canonical layout: a is (ignore_a..., dot..., n...), b is (ignore_b..., dot..., m...) with
# n >= m along every convolved axis; the result, (ignore_a..., ignore_b..., n - m + 1...), is
#     out[i, j, k] = Σ_d Σ_l a[i, d, k + l] · b[j, d, m - 1 - l]     (a 'valid' convolution, dot axes summed).
# 'full' mode and the other orientation are built on it (zero padding, transposes) in chainrule.scipy.signal.
def _conv_valid(a, b, ignore_a, ignore_b, dot):
    conv = a.ndim - ignore_a - dot
    if b.ndim != ignore_b + dot + conv:
        raise ValueError(f"conv_valid: b has {b.ndim} axes, expected {ignore_b + dot + conv}")
    conv_a, conv_b = tuple(range(ignore_a + dot, a.ndim)), tuple(range(ignore_b + dot, b.ndim))
    kernel = [b.shape[i] for i in conv_b]
    if any(a.shape[i] < k for i, k in zip(conv_a, kernel)):
        raise ValueError(f"conv_valid: a {a.shape} must be at least as large as b {b.shape} along the convolved axes")
    windows = np.lib.stride_tricks.sliding_window_view(a, kernel, axis=conv_a)  # (ignore_a, dot, out, kernel)
    flipped = b[(Ellipsis,) + (slice(None, None, -1),) * conv]
    summed_w = tuple(range(ignore_a, ignore_a + dot)) + tuple(range(a.ndim, a.ndim + conv))
    summed_b = tuple(range(ignore_b, ignore_b + dot)) + conv_b
    out = np.tensordot(windows, flipped, axes=(summed_w, summed_b))  # (ignore_a, out, ignore_b)
    order = (tuple(range(ignore_a)) + tuple(range(ignore_a + conv, out.ndim))
             + tuple(range(ignore_a, ignore_a + conv)))
    return np.ascontiguousarray(np.transpose(out, order), like=like(out))


def _move(x, groups):
    """x with its axis groups (lists of axis numbers) put in the given order."""
    order = tuple(i for group in groups for i in group)
    return x if order == tuple(range(len(order))) else transpose_op(x, axes=order)


def _flip_last(x, count):
    return getitem(x, index=(Ellipsis,) + (slice(None, None, -1),) * count)


def _pad_last(x, count, width):
    """x zero-padded by width[i] on both sides of each of its last `count` axes."""
    shape = tuple(x.shape)
    lead = len(shape) - count
    place = (slice(None),) * lead + tuple(slice(w, w + n) for w, n in zip(width, shape[lead:]))
    return scatter_add(x, index=place, shape=shape[:lead] + tuple(n + 2 * w for n, w in zip(shape[lead:], width)))


def _axes(start, count):
    return list(range(start, start + count))


def _conv_valid_da(g, ans, a, b, ignore_a, ignore_b, dot):
    # ∂/∂a[i, d, p] = Σ_j Σ_l g[i, j, p - m + 1 + l] · b[j, d, l]: g (zero-padded) correlated with b, that is
    # convolved with b flipped, the ignore_b axes summed
    conv = len(a.shape) - ignore_a - dot
    kernel = list(b.shape)[ignore_b + dot:]
    b_as_kernel = _flip_last(_move(b, [_axes(ignore_b, dot), _axes(0, ignore_b), _axes(ignore_b + dot, conv)]), conv)
    padded = _pad_last(g, conv, [k - 1 for k in kernel])
    return conv_valid(padded, b_as_kernel, ignore_a=ignore_a, ignore_b=dot, dot=ignore_b)


def _conv_valid_db(g, ans, a, b, ignore_a, ignore_b, dot):
    # ∂/∂b[j, d, m-1-l] = Σ_i Σ_k a[i, d, k + l] · g[i, j, k]: a correlated with g ('valid'), the ignore_a axes
    # summed, which is a convolved with g flipped; the result is indexed by m-1-l, so it is flipped back
    conv = len(a.shape) - ignore_a - dot
    a_first = _move(a, [_axes(ignore_a, dot), _axes(0, ignore_a), _axes(ignore_a + dot, conv)])
    g_kernel = _flip_last(_move(g, [_axes(ignore_a, ignore_b), _axes(0, ignore_a), _axes(ignore_a + ignore_b, conv)]),
                          conv)
    flipped_grad = conv_valid(a_first, g_kernel, ignore_a=dot, ignore_b=ignore_b, dot=ignore_a)  # (dot, ignore_b, m)
    return _flip_last(_move(flipped_grad, [_axes(dot, ignore_b), _axes(0, dot), _axes(dot + ignore_b, conv)]), conv)


conv_valid = defop(
    "conv_valid", _conv_valid,
    vjp=(_conv_valid_da, _conv_valid_db),
    jvp=(lambda t, ans, a, b, **p: conv_valid(t, b, **p), lambda t, ans, a, b, **p: conv_valid(a, t, **p)),
    derivative="∂/∂a: the adjoint convolved in full with b; ∂/∂b: a correlated with the adjoint",
    convention="canonical layout (ignore, dot, convolved axes) with a at least as large as b: "
               "HIPS autograd's convolve(A, B, axes, dot_axes) is built on it")
