"""N-d convolutions with a batch on both sides, as one gather and one einsum.

When both a signal and its kernel carry a batch (per-example kernel gradients
under `vmap(grad)`), no single call of scipy.signal.convolve does every
example. Written out, example β's full convolution is

    out[β, o] = Σ_j x[β, o - j] · k[β, j]      (x zero outside its extent),

so gathering the windows x[β, o - j] of the zero-padded signal (one
advanced index per convolved axis) leaves one einsum with the kernels. Both
steps are ops of the table, so the result differentiates like any other.
The windows hold |out| · |kernel| numbers per example; above `LIMIT` of
them the rule runs once per example instead.
"""

from __future__ import annotations

import string

import numpy as np

from .rules import _op, batch_size, batched_front, loop, shape_of

LIMIT = 1 << 22  # numbers in the gathered windows of the whole batch


def _padded(x, pads):
    """Front-batched x with `pads[a]` zeros on both sides of each axis a after the batch."""
    shape = shape_of(x)
    place = (slice(None),) + tuple(slice(p, p + n) for p, n in zip(pads, shape[1:]))
    return _op("scatter_add")(x, index=place, shape=shape[:1] + tuple(n + 2 * p for n, p in zip(shape[1:], pads)))


def _windows_index(out_shape, kernel_shape):
    """One index array per axis: entry (o_1, j_1, o_2, j_2, ...) of axis a is o_a + (m_a - 1) - j_a."""
    count = len(out_shape)
    arrays = []
    for a, (o, m) in enumerate(zip(out_shape, kernel_shape)):
        shape = [1] * (2 * count)
        shape[2 * a], shape[2 * a + 1] = o, m
        arrays.append((np.arange(o)[:, None] + (m - 1) - np.arange(m)[None, :]).reshape(shape))
    return tuple(arrays)


def full_convolutions(x, k):
    """Each example's full convolution of front-batched x (B, n...) with front-batched k (B, m...), or None
    when the windows would exceed LIMIT.

    Example:
        >>> import numpy as np
        >>> full_convolutions(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0]]))
        array([[1., 3., 2.]])
    """
    signal, kernel = shape_of(x)[1:], shape_of(k)[1:]
    out = tuple(n + m - 1 for n, m in zip(signal, kernel))
    if not signal:  # 0-d examples: products
        return _op("mul")(x, k)
    if shape_of(x)[0] * int(np.prod(out)) * int(np.prod(kernel)) > LIMIT:
        return None
    windows = _op("getitem")(_padded(x, [m - 1 for m in kernel]),
                             index=(slice(None),) + _windows_index(out, kernel))  # (B, o_1, j_1, o_2, j_2, ...)
    letters = iter(string.ascii_letters)
    o_letters = [next(letters) for _ in out]
    j_letters = [next(letters) for _ in out]
    batch = next(letters)
    subscripts = (batch + "".join(o + j for o, j in zip(o_letters, j_letters)) + "," + batch + "".join(j_letters)
                  + "->" + batch + "".join(o_letters))
    return _op("einsum")(windows, k, subscripts=subscripts)


def convolve_every_example(op, values, dims, params):
    """scipy.signal.convolve with batches on both sides (or any case the one-sided rules cannot take): the
    full convolutions of every example at once, then the slice that `mode` keeps."""
    (x, k), (dx, dk) = values, dims
    size = batch_size(values, dims)
    xs, ks = batched_front(x, dx, size), batched_front(k, dk, size)
    signal, kernel = shape_of(xs)[1:], shape_of(ks)[1:]
    if len(signal) != len(kernel) or (params.get("mode") == "valid" and not (
            all(n >= m for n, m in zip(signal, kernel)) or all(m >= n for n, m in zip(signal, kernel)))):
        return loop(op, values, dims, params)  # the op itself says what is wrong
    full = full_convolutions(xs, ks)
    if full is None:
        return loop(op, values, dims, params)
    mode = params.get("mode", "full")
    if mode == "full":
        return full, 0
    if mode == "same":  # centred on the signal, its size
        kept = signal
    else:  # "valid": where neither input is padded
        kept = tuple(abs(n - m) + 1 for n, m in zip(signal, kernel))
    starts = [(n + m - 1 - s) // 2 for n, m, s in zip(signal, kernel, kept)]
    return _op("getitem")(full, index=(slice(None),) + tuple(slice(b, b + s) for b, s in zip(starts, kept))), 0


def conv_valid_every_example(op, values, dims, params):
    """conv_valid with batches on both sides: out[β, i, j, o] = Σ_d Σ_l a[β, i, d, o + l] · b[β, j, d, m-1-l],
    the windows of a gathered once, b flipped along the convolved axes, one einsum."""
    (a, b), (da, db) = values, dims
    size = batch_size(values, dims)
    a, b = batched_front(a, da, size), batched_front(b, db, size)
    ignore_a, ignore_b, dot = params["ignore_a"], params["ignore_b"], params["dot"]
    conv = len(shape_of(a)) - 1 - ignore_a - dot
    signal, kernel = shape_of(a)[1 + ignore_a + dot:], shape_of(b)[1 + ignore_b + dot:]
    out = tuple(n - m + 1 for n, m in zip(signal, kernel))
    free = int(np.prod(shape_of(a)[:1 + ignore_a + dot]))
    if (len(kernel) != conv or any(o < 1 for o in out)
            or free * int(np.prod(out)) * int(np.prod(kernel)) > LIMIT):
        return loop(op, values, dims, params)  # the op itself says what is wrong, or the windows are too large
    index = [np.arange(o)[:, None] + np.arange(m)[None, :] for o, m in zip(out, kernel)]
    for axis, pair in enumerate(index):
        shape = [1] * (2 * conv)
        shape[2 * axis:2 * axis + 2] = pair.shape
        index[axis] = pair.reshape(shape)
    lead = (slice(None),) * (1 + ignore_a + dot)
    windows = _op("getitem")(a, index=lead + tuple(index))  # (B, i..., d..., o_1, l_1, o_2, l_2, ...)
    flipped = _op("getitem")(b, index=(Ellipsis,) + (slice(None, None, -1),) * conv)
    letters = iter(string.ascii_letters)
    z = next(letters)
    i_, j_, d_ = ("".join(next(letters) for _ in range(n)) for n in (ignore_a, ignore_b, dot))
    o_, l_ = ("".join(next(letters) for _ in range(conv)) for _ in range(2))
    subscripts = (z + i_ + d_ + "".join(o + l for o, l in zip(o_, l_)) + "," + z + j_ + d_ + l_
                  + "->" + z + i_ + j_ + o_)
    return _op("einsum")(windows, flipped, subscripts=subscripts), 0
