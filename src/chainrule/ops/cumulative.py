"""Running sums and products along an axis (cumsum, cumprod), differences (diff), and the
product of the others, which `prod`'s derivative is made of.

cumsum is a linear row: its adjoint is the reversed running sum of g. cumprod is a row
whose value is NumPy's and whose rules run a Hillis–Steele scan, ⌈log₂ n⌉ rounds of
`y_i ← y_i · y_(i-s)`, back (VJP) or forward (JVP) with the product rule: each round is
a product of two tensors, so every derivative, of every order, is exact (no division by
x, which is what breaks at zeros).
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array
from ..core.registry import defop
from ..core.tensor import Tensor
from ._util import constant_like, device_like, normalize_axes, value_of
from .shape import concatenate_op, getitem, reshape_op, transpose_op


def _along(ndim, axis, part):
    """An index tuple taking `part` (a slice) along `axis`, everything elsewhere."""
    return (slice(None),) * axis + (part,) + (slice(None),) * (ndim - axis - 1)


def _flip_along(x, axis):
    return getitem(x, index=_along(np.ndim(value_of(x)), axis, slice(None, None, -1)))


def _reversed_cumsum(g, axis):
    return _flip_along(cumsum_op(_flip_along(g, axis), axis=axis), axis)


def _cumsum_vjp(g, ans, x, axis=None):
    if axis is None:  # NumPy flattens first
        return reshape_op(_reversed_cumsum(g, 0), shape=np.shape(x))
    return _reversed_cumsum(g, axis)


cumsum_op = defop("cumsum", lambda x, axis=None: np.cumsum(x, axis=axis),
                  vjp=_cumsum_vjp, jvp="linear",
                  derivative="adjoint summed from the end: ḡ_i = Σ_(j≥i) g_j")


def cumsum(x, axis=None):
    """Running sum along `axis` (of the flattened array when axis is None), as numpy.cumsum.

    Example:
        >>> import chainrule as cr
        >>> cr.cumsum(cr.tensor([1.0, 2.0, 3.0]))
        tensor([1., 3., 6.])
    """
    if axis is not None:
        axis = normalize_axes(axis, np.ndim(value_of(x)))[0]
    return cumsum_op(x, axis=axis)


def _filled_along(x, axis, n, fill):
    xv = value_of(x)
    shape = list(xv.shape)
    shape[axis] = n
    block = np.full(shape, fill, dtype=xv.dtype, like=device_like(xv))
    return Tensor._wrap(block) if isinstance(x, Tensor) else block


def _shifted(y, axis, s, fill):
    """y moved s places along `axis` towards the end, `fill` entering at the front."""
    n = np.shape(value_of(y))[axis]
    earlier = getitem(y, index=_along(np.ndim(value_of(y)), axis, slice(None, n - s)))
    return concatenate_op(_filled_along(y, axis, s, fill), earlier, axis=axis)


def _unshifted(z, axis, s):
    """The adjoint of _shifted: z moved s places towards the front, zeros entering at the end."""
    later = getitem(z, index=_along(np.ndim(value_of(z)), axis, slice(s, None)))
    return concatenate_op(later, _filled_along(z, axis, s, 0), axis=axis)


def _scan_rounds(x, axis):
    """The rounds of the Hillis–Steele scan y ← y · (y shifted by s), s = 1, 2, 4, ...:
    cumprod as ⌈log₂ n⌉ products, every one differentiable exactly. Returns [(y, s), ...]."""
    n, rounds, s = np.shape(value_of(x))[axis], [], 1
    while s < n:
        rounds.append((x, s))
        x = x * _shifted(x, axis, s, 1)
        s *= 2
    return rounds


def _cumprod_vjp(g, ans, x, axis=None):
    if axis is None:  # NumPy flattens first
        return reshape_op(_cumprod_vjp(g, ans, reshape_op(x, shape=(-1,)), 0), shape=np.shape(value_of(x)))
    for y, s in reversed(_scan_rounds(x, axis)):  # back through each round: the product rule
        g = g * _shifted(y, axis, s, 1) + _unshifted(g * y, axis, s)
    return g


def _cumprod_jvp(t, ans, x, axis=None):
    if axis is None:
        return _cumprod_jvp(reshape_op(t, shape=(-1,)), ans, reshape_op(x, shape=(-1,)), 0)
    for y, s in _scan_rounds(x, axis):  # forward through each round: the product rule
        t = t * _shifted(y, axis, s, 1) + y * _shifted(t, axis, s, 0)
    return t


cumprod_op = defop(
    "cumprod", lambda x, axis=None: np.cumprod(x, axis=axis), vjp=_cumprod_vjp, jvp=_cumprod_jvp,
    derivative="∂y_j/∂x_i = Π_(k≤j, k≠i) x_k (i ≤ j)",
    convention="exact at zeros, at every order: the rules run the scan of products back and forth, no division by x")


def cumprod(x, axis=None):
    """Running product along `axis` (of the flattened array when axis is None), as numpy.cumprod.

    Its derivatives are exact at zeros, at every order (they never divide by x).

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([2.0, 0.0, 3.0], requires_grad=True)
        >>> cr.cumprod(x).sum().backward(); x.grad
        tensor([1., 8., 0.])
    """
    if axis is not None:
        axis = normalize_axes(axis, np.ndim(value_of(x)))[0]
    return cumprod_op(x, axis=axis)


def others_product(x, axes):
    """For each element, the product of the other elements along `axes` (a tuple):
    ∂ prod(x) / ∂ x_i, computed from running products from both ends, so exact with zeros.

    Example:
        >>> import numpy as np
        >>> others_product(np.array([0.0, 2.0, 3.0]), (0,))
        array([6., 0., 0.])
    """
    shape = np.shape(value_of(x))
    kept = [a for a in range(len(shape)) if a not in axes]
    perm = tuple(kept) + tuple(axes)
    n = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    if n == 0:  # nothing to multiply: the (empty) result needs no running products
        return x * 0
    moved = transpose_op(x, axes=perm)
    rows = reshape_op(moved, shape=tuple(shape[a] for a in kept) + (n,))  # the reduced elements along the last axis
    last, one = len(kept), _filled_along(rows, len(kept), 1, 1)
    before = concatenate_op(one, getitem(rows, index=_along(last + 1, last, slice(None, n - 1))), axis=last)
    after = concatenate_op(getitem(rows, index=_along(last + 1, last, slice(1, None))), one, axis=last)
    others = cumprod_op(before, axis=last) * _flip_along(cumprod_op(_flip_along(after, last), axis=last), last)
    return transpose_op(reshape_op(others, shape=np.shape(value_of(moved))), axes=tuple(np.argsort(perm)))


def diff(x, n=1, axis=-1, prepend=None, append=None):
    """n-th discrete difference along `axis`, `x[1:] - x[:-1]` n times, as numpy.diff
    (`prepend` / `append`: values joined to x along the axis first, broadcast as NumPy does).

    Example:
        >>> import chainrule as cr
        >>> cr.diff(cr.tensor([1.0, 4.0, 9.0, 16.0]), n=2)
        tensor([2., 2.])
    """
    if n < 0:
        raise ValueError(f"diff: order n must be non-negative, got {n}")
    x = x if isinstance(x, Tensor) else as_array(x)
    ndim = np.ndim(value_of(x))
    if ndim == 0:
        raise ValueError("diff needs at least a 1-d input (numpy.diff does too)")
    axis = normalize_axes(axis, ndim)[0]
    if prepend is not None or append is not None:
        x = concatenate_op(*[_as_slab(e, x, axis) if e is not x else x for e in (prepend, x, append)
                             if e is not None], axis=axis)
    for _ in range(n):
        x = getitem(x, index=_along(ndim, axis, slice(1, None))) - getitem(x, index=_along(ndim, axis, slice(None, -1)))
    return x


def gradient(f, *spacing, axis=None, edge_order=1):
    """Derivative estimates of sampled values, as numpy.gradient with uniform spacing: central
    differences inside, one-sided ones (first or second order) at the ends; a list when there
    are several axes. Linear in f, so differentiable to every order.

    Example:
        >>> import chainrule as cr
        >>> cr.gradient(cr.tensor([1.0, 4.0, 9.0, 16.0]))
        tensor([3., 4., 6., 7.])
    """
    f = f if isinstance(f, Tensor) else as_array(f)
    ndim = np.ndim(value_of(f))
    axes = normalize_axes(axis, ndim)
    if len(spacing) not in (0, 1, len(axes)) or any(np.ndim(h) for h in spacing):
        raise ValueError("gradient: give one number as the spacing, or one per axis (sample coordinates "
                         "are not supported here)")
    steps = [float(h) for h in spacing] * (len(axes) if len(spacing) == 1 else 1) or [1.0] * len(axes)
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, got {edge_order}")
    out = [_gradient_along(f, ndim, a, h, edge_order) for a, h in zip(axes, steps)]
    return out[0] if len(out) == 1 else out


def _gradient_along(f, ndim, axis, h, edge_order):
    n = np.shape(value_of(f))[axis]
    if n < edge_order + 1:
        raise ValueError(f"gradient: axis {axis} has {n} samples; edge_order={edge_order} needs {edge_order + 1}")

    def at(part):
        return getitem(f, index=_along(ndim, axis, part))

    inside = (at(slice(2, None)) - at(slice(None, -2))) / (2 * h)
    if edge_order == 1:
        first = (at(slice(1, 2)) - at(slice(0, 1))) / h
        last = (at(slice(n - 1, n)) - at(slice(n - 2, n - 1))) / h
    else:
        first = (-3 * at(slice(0, 1)) + 4 * at(slice(1, 2)) - at(slice(2, 3))) / (2 * h)
        last = (3 * at(slice(n - 1, n)) - 4 * at(slice(n - 2, n - 1)) + at(slice(n - 3, n - 2))) / (2 * h)
    return concatenate_op(first, inside, last, axis=axis)


def _as_slab(values, x, axis):
    """`values` shaped to join x along `axis`: a scalar (or 0-d) becomes one slice of it."""
    from ..core.engine_ops import broadcast_to

    if isinstance(values, (int, float)):  # a Python number takes x's dtype (NEP 50: it never promotes x)
        values = constant_like(values, value_of(x))
    if np.ndim(value_of(values)) == 0:
        shape = list(np.shape(value_of(x)))
        shape[axis] = 1
        return broadcast_to(values, shape=tuple(shape))
    return values


__all__ = ["cumsum", "cumprod", "diff", "gradient"]
