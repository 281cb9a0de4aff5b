"""Convolution and pooling over (N, C, H, W) arrays, as rows of the op table.

A convolution is one matrix product once every receptive field is laid out
as a row ("im2col"): the windows are a strided view of the padded input,
copied once into a (rows, C·kh·kw) matrix. Three ops close the set under
differentiation, which is what gives exact gradients of any order:

    conv2d(x, w)                  y = x ⋆ w
    conv2d_input_grad(g, w)       ∂⟨g, x ⋆ w⟩/∂x   (the transposed convolution)
    conv2d_weight_grad(x, g)      ∂⟨g, x ⋆ w⟩/∂w

Each is bilinear, and each one's VJP is one of the three again. The only
Python loop is over the kh·kw kernel offsets (col2im), never over pixels.

Max pooling routes the adjoint to the maximal entry of each window; ties go
to the first maximal entry in row-major window order, as PyTorch's CPU
kernel. Average pooling is a grouped convolution with a constant kernel.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.registry import defop
from ._util import constant_like, value_of
from .linalg import matmul
from .shape import expand_dims, getitem, reshape, squeeze

_strided = np.lib.stride_tricks.as_strided


# ---- argument normalisation ---------------------------------------------------------
def _pair(v, name, op):
    if isinstance(v, (int, np.integer)):
        return (int(v), int(v))
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * 2
    if len(v) != 2:
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {v}")
    return v


def _pads(padding, kernel, dilation, op):
    """Padding as ((top, bottom), (left, right)); 'valid' is none, 'same' keeps the size (stride 1)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":  # the odd one out goes after, as PyTorch
            total = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in total)
        raise ValueError(f"{op}: padding must be an int, a pair, 'valid' or 'same', got {padding!r}")
    ph, pw = _pair(padding, "padding", op)
    if ph < 0 or pw < 0:
        raise ValueError(f"{op}: padding must be non-negative, got {(ph, pw)}")
    return ((ph, ph), (pw, pw))


def _out_size(size, pads, kernel, stride, dilation, op):
    span = dilation * (kernel - 1) + 1
    out = (size + pads[0] + pads[1] - span) // stride + 1
    if out <= 0:
        raise ValueError(f"{op}: a kernel spanning {span} does not fit an input of size {size} "
                         f"padded by {pads}; use a smaller kernel or more padding")
    return out


def _pad(x, pads, value=0.0):
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + pt + pb, w + pl + pr), value, dtype=x.dtype)
    out[:, :, pt:pt + h, pl:pl + w] = x
    return out


def _windows(xp, kernel, stride, dilation, out_hw):
    """The receptive fields of a padded input, a read-only view of shape (N, C, Ho, Wo, kh, kw)."""
    s = xp.strides
    shape = xp.shape[:2] + tuple(out_hw) + tuple(kernel)
    strides = (s[0], s[1], s[2] * stride[0], s[3] * stride[1], s[2] * dilation[0], s[3] * dilation[1])
    return _strided(xp, shape, strides, writeable=False)


def _geometry(x_shape, w_shape, stride, padding, dilation, groups, op="conv2d"):
    n, c, h, w = x_shape
    o, cg, kh, kw = w_shape
    if cg * groups != c or o % groups:
        raise ValueError(f"{op}: input has {c} channels and weight shape {tuple(w_shape)} with groups={groups}; "
                         f"need in_channels = weight.shape[1]·groups and out_channels divisible by groups")
    ho = _out_size(h, padding[0], kh, stride[0], dilation[0], op)
    wo = _out_size(w, padding[1], kw, stride[1], dilation[1], op)
    return ho, wo


def _offset(xp, i, j, stride, dilation, out_hw):
    """xp[:, :, i·dh + sh·r, j·dw + sw·c] for every output pixel (r, c): one kernel offset, a strided view."""
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_hw
    return xp[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw]


def _im2col(x, kernel, stride, padding, dilation, out_hw):
    """(C·kh·kw, N·Ho·Wo): one column per receptive field, rows ordered (c, i, j) like weight.reshape(O, -1).

    Rows before columns: the copy reads runs along the image width, every product below is a plain 2-D
    one (BLAS), and conv2d's output keeps the (O, N·Ho·Wo) layout of the product as a view."""
    c = x.shape[1]
    win = _windows(_pad(x, padding), kernel, stride, dilation, out_hw)  # (N, C, Ho, Wo, kh, kw)
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kernel[0] * kernel[1], -1)


def _per_group(a, b, groups, transpose_b=False):
    """Block-diagonal product: a's and b's rows split into `groups` blocks, block k of a times block k of b."""
    p, q = a.shape[0] // groups, b.shape[0] // groups
    blocks = []
    for k in range(groups):
        ak, bk = a[k * p:(k + 1) * p], b[k * q:(k + 1) * q]
        blocks.append(ak @ (bk.T if transpose_b else bk))
    return blocks[0] if groups == 1 else np.concatenate(blocks)


def _output_rows(g):
    """An (N, O, Ho, Wo) array as (O, N·Ho·Wo) (free when it has conv2d's own layout)."""
    return g.transpose(1, 0, 2, 3).reshape(g.shape[1], -1)


# ---- the three convolution ops --------------------------------------------------------------
def _conv2d(x, w, stride, padding, dilation, groups):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"conv2d takes a (N, C, H, W) input and a (O, C/groups, kh, kw) weight, "
                         f"got shapes {x.shape} and {w.shape}")
    ho, wo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    cols = _im2col(x, w.shape[2:], stride, padding, dilation, (ho, wo))
    o, n = w.shape[0], x.shape[0]
    out = _per_group(w.reshape(o, -1), cols, groups)  # (O, N·Ho·Wo)
    return out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)


def _conv2d_input_grad(g, w, x_shape, stride, padding, dilation, groups):
    g, w = np.asarray(g), np.asarray(w)
    n, c, h, wd = x_shape
    ho, wo = g.shape[2:]
    o, cg, kh, kw = w.shape
    og, rows = o // groups, _output_rows(g)
    # rows of the product ordered (i, j, c): each kernel offset's adjoint is then one contiguous block
    blocks = [w[k * og:(k + 1) * og].transpose(2, 3, 1, 0).reshape(-1, og) @ rows[k * og:(k + 1) * og]
              for k in range(groups)]
    dcols = blocks[0] if groups == 1 else np.concatenate([b.reshape(kh, kw, cg, -1) for b in blocks], axis=2)
    dcols = dcols.reshape(kh, kw, c, n, ho, wo)
    (pt, pb), (pl, pr) = padding
    dx = np.zeros((c, n, h + pt + pb, wd + pl + pr), dtype=np.result_type(g, w))  # (C, N, ...) like dcols
    for i in range(kh):  # col2im: one strided add per kernel offset, none per pixel
        for j in range(kw):
            _offset(dx, i, j, stride, dilation, (ho, wo))[...] += dcols[i, j]
    return dx[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)


def _conv2d_weight_grad(x, g, w_shape, stride, padding, dilation, groups):
    x, g = np.asarray(x), np.asarray(g)
    cols = _im2col(x, w_shape[2:], stride, padding, dilation, g.shape[2:])
    return _per_group(_output_rows(g), cols, groups, transpose_b=True).reshape(w_shape)


def _conv_vjp_x(g, ans, x, w, **p):
    return conv2d_input_grad(g, w, x_shape=tuple(x.shape), **p)


def _conv_vjp_w(g, ans, x, w, **p):
    return conv2d_weight_grad(x, g, w_shape=tuple(w.shape), **p)


# cross-correlation of (N, C, H, W) with (O, C/groups, kh, kw), as PyTorch's conv2d without its bias
conv2d_op = defop(
    "conv2d", _conv2d,
    vjp=(_conv_vjp_x, _conv_vjp_w),
    jvp=(lambda t, ans, x, w, **p: conv2d_op(t, w, **p), lambda t, ans, x, w, **p: conv2d_op(x, t, **p)),
    derivative="∂/∂x = conv2d_input_grad(G, w), ∂/∂w = conv2d_weight_grad(x, G)")

# the transposed convolution: the adjoint of conv2d's input
conv2d_input_grad = defop(
    "conv2d_input_grad", _conv2d_input_grad,
    vjp=(lambda h, ans, g, w, x_shape, **p: conv2d_op(h, w, **p),
         lambda h, ans, g, w, x_shape, **p: conv2d_weight_grad(h, g, w_shape=tuple(w.shape), **p)),
    jvp=(lambda t, ans, g, w, x_shape, **p: conv2d_input_grad(t, w, x_shape=x_shape, **p),
         lambda t, ans, g, w, x_shape, **p: conv2d_input_grad(g, t, x_shape=x_shape, **p)),
    derivative="∂/∂g = conv2d(H, w), ∂/∂w = conv2d_weight_grad(H, g)")

# the adjoint of conv2d's weight
conv2d_weight_grad = defop(
    "conv2d_weight_grad", _conv2d_weight_grad,
    vjp=(lambda k, ans, x, g, w_shape, **p: conv2d_input_grad(g, k, x_shape=tuple(x.shape), **p),
         lambda k, ans, x, g, w_shape, **p: conv2d_op(x, k, **p)),
    jvp=(lambda t, ans, x, g, w_shape, **p: conv2d_weight_grad(t, g, w_shape=w_shape, **p),
         lambda t, ans, x, g, w_shape, **p: conv2d_weight_grad(x, t, w_shape=w_shape, **p)),
    derivative="∂/∂x = conv2d_input_grad(g, K), ∂/∂g = conv2d(x, K)")


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
    x = np.asarray(x)
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
    if kh * kw <= 16:
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
                best, relative = view.copy(), np.full(view.shape, offsets[0])
                continue
            wins = view > best
            if nan:
                wins |= np.isnan(view) & ~np.isnan(best)
            np.copyto(best, view, where=wins)
            np.copyto(relative, offsets[k], where=wins)
    rows = (np.arange(ho) * stride[0] - pt) * w
    cols = np.arange(wo) * stride[1] - pl
    return relative + (np.arange(n * c).reshape(n, c, 1, 1) * (h * w) + rows.reshape(ho, 1) + cols)


@functools.lru_cache(maxsize=16)
def _lowest_bit(bits):
    """table[code] = the position of code's lowest set bit, for codes of `bits` bits (read-only, shared)."""
    codes = np.arange(1 << bits)
    table = np.zeros(codes.shape, dtype=np.intp)
    for k in range(bits - 1, -1, -1):  # fill from the top bit down: the lowest one is written last
        table[(codes >> k) & 1 == 1] = k
    table.flags.writeable = False
    return table


def _max_pool_vjp(g, ans, x, **p):
    return reshape(scatter_flat(g, index=_argmax_index(x, ans, **p), size=int(np.prod(x.shape))), tuple(x.shape))


max_pool2d_op = defop(
    "max_pool2d", _max_pool2d,
    vjp=_max_pool_vjp,
    jvp=lambda t, ans, x, **p: getitem(reshape(t, (-1,)), index=_argmax_index(x, ans, **p)),
    derivative="adjoint routed to each window's maximum",
    convention="ties: the first maximal entry of the window (row-major) gets the whole adjoint, as PyTorch")


def _scatter_flat(g, index, size):
    g = np.asarray(g)
    return np.bincount(np.ravel(index), weights=g.ravel(), minlength=size).astype(g.dtype, copy=False)


# a 1-D array of `size` zeros with g added at the flat `index` (repeats accumulate)
scatter_flat = defop(
    "scatter_flat", _scatter_flat,
    vjp=lambda h, ans, g, index, size: getitem(h, index=index),
    jvp="linear", derivative="adjoint gathered at the index")


# ---- public functions (PyTorch's signatures) --------------------------------------------------
def _dims(x):
    return np.ndim(value_of(x))


def _batched(x, spatial, op):
    """x with a batch axis (PyTorch takes unbatched (C, ...) inputs too) and whether one was added."""
    nd = _dims(x)
    if nd == spatial + 1:
        return expand_dims(x, 0), True
    if nd != spatial + 2:
        raise ValueError(f"{op} takes a (N, C, {'H, W' if spatial == 2 else 'L'}) or unbatched input, "
                         f"got {nd} dimensions")
    return x, False


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) of (N, C, H, W) with (O, C/groups, kh, kw), as torch's.

    `padding` is an int, a pair, 'valid' or 'same'.

    Example:
        >>> import chainrule as cr
        >>> cr.conv2d(cr.ones((1, 1, 4, 4)), cr.ones((2, 1, 3, 3)), padding=1).shape
        (1, 2, 4, 4)
    """
    x, unbatched = _batched(input, 2, "conv2d")
    kernel = value_of(weight).shape[2:]
    dilation = _pair(dilation, "dilation", "conv2d")
    stride = _pair(stride, "stride", "conv2d")
    if padding == "same" and stride != (1, 1):
        raise ValueError("conv2d: padding='same' needs stride 1")
    out = conv2d_op(x, weight, stride=stride, padding=_pads(padding, kernel, dilation, "conv2d"),
                    dilation=dilation, groups=int(groups))
    if bias is not None:
        out = out + reshape(bias, (1, -1, 1, 1))
    return squeeze(out, 0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of (N, C, L) with (O, C/groups, k): conv2d over a height-1 image.

    Example:
        >>> import chainrule as cr
        >>> cr.conv1d(cr.ones((2, 3, 10)), cr.ones((4, 3, 3)), stride=2).shape
        (2, 4, 4)
    """
    x, unbatched = _batched(input, 1, "conv1d")
    pad = padding if isinstance(padding, str) else (0, _single(padding))
    out = conv2d(expand_dims(x, 2), expand_dims(weight, 2), bias, (1, _single(stride)), pad,
                 (1, _single(dilation)), groups)
    out = squeeze(out, 2)
    return squeeze(out, 0) if unbatched else out


def _single(v):
    return int(v if isinstance(v, (int, np.integer)) else tuple(v)[0])


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


__all__ = ["conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d"]


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), __all__, "cr.")
