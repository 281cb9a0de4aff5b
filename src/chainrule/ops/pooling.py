"""Pooling over (N, C, H, W) arrays: max pooling as rows of the op table, average pooling as composites.

Max pooling routes the adjoint to the maximal entry of each window; ties go
to the first maximal entry in row-major window order, as PyTorch's CPU
kernel. The windows are strided views of the padded input (one elementwise
maximum per kernel offset, never a loop over pixels). Average pooling is a
grouped convolution with a constant kernel; adaptive average pooling is two
matrix products with averaging matrices.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.backend import as_array, like
from ..core.registry import defop
from ._util import constant_like, value_of, zeros_like
from .conv import _batched, _offset, _pad, _pair, _single, conv2d_op
from .linalg import matmul
from .shape import expand_dims, squeeze


# ---- max pooling ----------------------------------------------------------------------------
def _pool_geometry(shape, kernel, stride, padding, dilation, ceil_mode, op):
    """Output size and the padding to apply (extra at the end for ceil_mode), per axis."""
    sizes, pads = [], []
    for size, k, s, p, d in zip(shape[2:], kernel, stride, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise ValueError(f"{op}: padding {p} must be at most half the kernel span {d * (k - 1) + 1}")
        span = d * (k - 1) + 1
        out = (size + 2 * p - span + ((s - 1) if ceil_mode else 0)) // s + 1
        if ceil_mode and (out - 1) * s >= size + p:  # the last window must start inside the input
            out -= 1
        if out <= 0:
            raise ValueError(f"{op}: a window spanning {span} does not fit an input of size {size}")
        sizes.append(out)
        pads.append((p, p + max(0, (out - 1) * s + span - size - 2 * p)))
    return tuple(sizes), tuple(pads)


def _max_padded(x, kernel, stride, padding, dilation, ceil_mode):
    out_hw, pads = _pool_geometry(x.shape, kernel, stride, padding, dilation, ceil_mode, "max_pool2d")
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    return _pad(x, pads, low), out_hw, pads


def _max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode=False):
    x = as_array(x)
    if x.ndim != 4:
        raise ValueError(f"max_pool2d takes a (N, C, H, W) input, got shape {x.shape}")
    xp, out_hw, _ = _max_padded(x, kernel_size, stride, padding, dilation, ceil_mode)
    best = None
    for i in range(kernel_size[0]):  # one elementwise maximum per kernel offset (NaN propagates)
        for j in range(kernel_size[1]):
            view = _offset(xp, i, j, stride, dilation, out_hw)
            best = view.copy() if best is None else np.maximum(best, view, out=best)
    return best


def _argmax_index(x, ans, kernel_size, stride, padding, dilation, ceil_mode=False):
    """Flat index into x of each window's maximum `ans`: the first entry (row-major) equal to it on ties.

    Each kernel offset sets one bit of a per-window code where its entry equals the maximum; a lookup table
    turns the code into the offset of its lowest bit. A few passes over the output, no sort, no argmax."""
    x, ans = value_of(x), value_of(ans)
    xp, (ho, wo), ((pt, _), (pl, _)) = _max_padded(x, kernel_size, stride, padding, dilation, ceil_mode)
    n, c, h, w = x.shape
    kh, kw = kernel_size
    offsets = np.array([i * dilation[0] * w + j * dilation[1] for i in range(kh) for j in range(kw)])
    nan = x.dtype.kind == "f" and np.isnan(ans).any()
    if kh * kw <= 16 and type(x) is np.ndarray:  # the lookup table is a host array: NumPy only
        code_type = np.uint8 if kh * kw <= 8 else np.uint16
        code = np.zeros(ans.shape, dtype=code_type)
        for k in range(kh * kw):
            view = _offset(xp, k // kw, k % kw, stride, dilation, (ho, wo))
            hit = (view == ans) | np.isnan(view) if nan else view == ans
            code |= hit.astype(code_type) << code_type(k)
        relative = offsets[_lowest_bit(kh * kw)[code]]
    else:  # large windows: a running comparison, offset by offset
        best, relative = None, None
        for k in range(kh * kw):
            view = _offset(xp, k // kw, k % kw, stride, dilation, (ho, wo))
            if best is None:
                best, relative = view.copy(), np.full(view.shape, offsets[0], like=like(x))
                continue
            wins = view > best
            if nan:
                wins |= np.isnan(view) & ~np.isnan(best)
            np.copyto(best, view, where=wins)
            np.copyto(relative, offsets[k], where=wins)
    rows = (np.arange(ho, like=like(x)) * stride[0] - pt) * w
    cols = np.arange(wo, like=like(x)) * stride[1] - pl
    return relative + (np.arange(n * c, like=like(x)).reshape(n, c, 1, 1) * (h * w) + rows.reshape(ho, 1) + cols)


@functools.lru_cache(maxsize=16)
def _lowest_bit(bits):
    """table[code] = the position of code's lowest set bit, for codes of `bits` bits (read-only, shared)."""
    codes = np.arange(1 << bits)
    table = np.zeros(codes.shape, dtype=np.intp)
    for k in range(bits - 1, -1, -1):  # fill from the top bit down: the lowest one is written last
        table[(codes >> k) & 1 == 1] = k
    table.flags.writeable = False
    return table


def _routed(g, x, ans, p):
    """g (the pooled shape) added at each window's maximum in x: an array of x's shape (NumPy only)."""
    g = as_array(g)
    flat = np.bincount(np.ravel(_argmax_index(x, ans, **p)), weights=g.ravel(), minlength=np.size(x))
    return flat.astype(g.dtype, copy=False).reshape(np.shape(x))


def _max_pool_array_vjp(g, ans, x, **p):
    return _routed(g, x, ans, p)


def _max_pool_scatter(g, x, **p):
    return _routed(g, x, _max_pool2d(x, **p), p)


def _max_pool_gather(t, x, **p):
    return as_array(t).reshape(-1)[_argmax_index(x, _max_pool2d(x, **p), **p)]


# The derivative of max pooling as two ops of the table, each the other's adjoint: reading an array at
# the windows' maxima of x, and adding an array there. The maxima are found from x inside each op (not
# passed in as ops' parameters), so under vmap every example finds its own.
max_pool2d_op = defop(
    "max_pool2d", _max_pool2d,
    vjp=lambda g, ans, x, **p: max_pool2d_scatter(g, x, **p),
    jvp=lambda t, ans, x, **p: max_pool2d_gather(t, x, **p),
    array_vjp=(_max_pool_array_vjp,),
    derivative="adjoint routed to each window's maximum",
    convention="ties: the first maximal entry of the window (row-major) gets the whole adjoint, as PyTorch")

max_pool2d_scatter = defop(
    "max_pool2d_scatter", _max_pool_scatter,
    vjp=(lambda h, ans, g, x, **p: max_pool2d_gather(h, x, **p), lambda h, ans, g, x, **p: zeros_like(x)),
    jvp=(lambda t, ans, g, x, **p: max_pool2d_scatter(t, x, **p), lambda t, ans, g, x, **p: zeros_like(ans)),
    derivative="∂/∂g: the adjoint read at the windows' maxima (max_pool2d_gather); 0 for x (it picks the maxima)",
    convention="ties: the first maximal entry of the window (row-major), as max_pool2d")

max_pool2d_gather = defop(
    "max_pool2d_gather", _max_pool_gather,
    vjp=(lambda h, ans, t, x, **p: max_pool2d_scatter(h, x, **p), lambda h, ans, t, x, **p: zeros_like(x)),
    jvp=(lambda u, ans, t, x, **p: max_pool2d_gather(u, x, **p), lambda u, ans, t, x, **p: zeros_like(ans)),
    derivative="∂/∂t: the adjoint added at the windows' maxima (max_pool2d_scatter); 0 for x (it picks the maxima)",
    convention="ties: the first maximal entry of the window (row-major), as max_pool2d")


# ---- public functions (PyTorch's signatures) --------------------------------------------------
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over each kernel window (stride defaults to the kernel size), as torch's max_pool2d.

    Ties send the whole adjoint to the first maximal entry of the window.

    Example:
        >>> import chainrule as cr
        >>> cr.max_pool2d(cr.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    if return_indices:
        raise NotImplementedError("max_pool2d(return_indices=True) is not supported")
    x, unbatched = _batched(input, 2, "max_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "max_pool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "max_pool2d")
    out = max_pool2d_op(x, kernel_size=kernel, stride=stride, padding=_pair(padding, "padding", "max_pool2d"),
                        dilation=_pair(dilation, "dilation", "max_pool2d"), ceil_mode=bool(ceil_mode))
    return squeeze(out, 0) if unbatched else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over windows of (N, C, L): max_pool2d over a height-1 image.

    Example:
        >>> import chainrule as cr
        >>> cr.max_pool1d(cr.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[3., 2.]]])
    """
    x, unbatched = _batched(input, 1, "max_pool1d")
    k = _single(kernel_size)
    s = k if stride is None or stride == [] else _single(stride)
    out = max_pool2d(expand_dims(x, 2), (1, k), (1, s), (0, _single(padding)), (1, _single(dilation)),
                     ceil_mode, return_indices)
    out = squeeze(out, 2)
    return squeeze(out, 0) if unbatched else out


def _avg_divisor(size, kernel, stride, pad, out, count_include_pad):
    """PyTorch's divisor per output position along one axis."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    full = end - start
    inside = np.minimum(end, size) - np.maximum(start, 0)
    return full if count_include_pad else inside


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over each kernel window, as torch's avg_pool2d (a grouped convolution with a constant kernel).

    Example:
        >>> import chainrule as cr
        >>> cr.avg_pool2d(cr.arange(16.0).reshape(1, 1, 4, 4), 2)
        tensor([[[[ 2.5,  4.5],
                  [10.5, 12.5]]]])
    """
    x, unbatched = _batched(input, 2, "avg_pool2d")
    kernel = _pair(kernel_size, "kernel_size", "avg_pool2d")
    stride = kernel if stride is None or stride == [] else _pair(stride, "stride", "avg_pool2d")
    padding = _pair(padding, "padding", "avg_pool2d")
    shape = value_of(x).shape
    out_hw, pads = _pool_geometry(shape, kernel, stride, padding, (1, 1), ceil_mode, "avg_pool2d")
    c = shape[1]
    ones = constant_like(np.ones((c, 1) + kernel), x)
    sums = conv2d_op(x, ones, stride=stride, padding=pads, dilation=(1, 1), groups=c)
    if divisor_override:
        out = sums / float(divisor_override)
    else:
        dh, dw = (_avg_divisor(shape[2 + a], kernel[a], stride[a], padding[a], out_hw[a], count_include_pad)
                  for a in (0, 1))
        out = sums / constant_like(np.outer(dh, dw), x)
    return squeeze(out, 0) if unbatched else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over windows of (N, C, L): avg_pool2d over a height-1 image.

    Example:
        >>> import chainrule as cr
        >>> cr.avg_pool1d(cr.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2)
        tensor([[[2., 1.]]])
    """
    x, unbatched = _batched(input, 1, "avg_pool1d")
    k = _single(kernel_size)
    s = k if stride is None or stride == [] else _single(stride)
    out = squeeze(avg_pool2d(expand_dims(x, 2), (1, k), (1, s), (0, _single(padding)), ceil_mode,
                             count_include_pad), 2)
    return squeeze(out, 0) if unbatched else out


def _adaptive_matrix(size, out, like):
    """(out, size): row i averages PyTorch's window [⌊i·size/out⌋, ⌈(i+1)·size/out⌉)."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return constant_like(inside / (end - start)[:, None], like)


def adaptive_avg_pool2d(input, output_size):
    """Mean over PyTorch's adaptive windows, giving `output_size` (an int, pair, or None entries = keep).

    Example:
        >>> import chainrule as cr
        >>> cr.adaptive_avg_pool2d(cr.ones((2, 3, 7, 5)), (2, 1)).shape
        (2, 3, 2, 1)
    """
    x, unbatched = _batched(input, 2, "adaptive_avg_pool2d")
    h, w = value_of(x).shape[2:]
    sizes = (output_size, output_size) if isinstance(output_size, (int, np.integer)) else tuple(output_size)
    oh, ow = (s if s is not None else d for s, d in zip(sizes, (h, w)))
    rows, cols = _adaptive_matrix(h, oh, x), _adaptive_matrix(w, ow, x)
    out = matmul(matmul(rows, x), cols.T)
    return squeeze(out, 0) if unbatched else out


def adaptive_avg_pool1d(input, output_size):
    """Mean over PyTorch's adaptive windows of (N, C, L).

    Example:
        >>> import chainrule as cr
        >>> cr.adaptive_avg_pool1d(cr.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 1)
        tensor([[[1.5]]])
    """
    x, unbatched = _batched(input, 1, "adaptive_avg_pool1d")
    out = squeeze(adaptive_avg_pool2d(expand_dims(x, 2), (1, _single(output_size))), 2)
    return squeeze(out, 0) if unbatched else out


__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d"]


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), __all__, "cr.")
