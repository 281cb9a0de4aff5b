"""Convolution over (N, C, H, W) arrays, as rows of the op table.

A convolution is one matrix product once every receptive field is laid out
as a row ("im2col"): the windows are a strided view of the padded input,
copied once into a (C·kh·kw, rows) matrix. Three ops close the set under
differentiation, which is what gives exact gradients of any order:

    conv2d(x, w)                  y = x ⋆ w
    conv2d_input_grad(g, w)       ∂⟨g, x ⋆ w⟩/∂x   (the transposed convolution)
    conv2d_weight_grad(x, g)      ∂⟨g, x ⋆ w⟩/∂w

Each is bilinear, and each one's VJP is one of the three again. The only
Python loop is over the kh·kw kernel offsets (col2im), never over pixels.

Pooling (max, average, adaptive) is in ops/pooling.py, on the same windows.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, like
from ..core.registry import defop
from ._util import value_of
from .shape import expand_dims, reshape, squeeze

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
    out = np.full((n, c, h + pt + pb, w + pl + pr), value, dtype=x.dtype, like=like(x))
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
    xp = _pad(x, padding)
    if type(xp) is not np.ndarray:  # another backend's array (CuPy): no as_strided, one slice per kernel offset
        win = np.stack([_offset(xp, i, j, stride, dilation, out_hw) for i in range(kernel[0])
                        for j in range(kernel[1])])  # (kh·kw, N, C, Ho, Wo)
        win = win.reshape((kernel[0], kernel[1]) + win.shape[1:])
        return win.transpose(3, 0, 1, 2, 4, 5).reshape(c * kernel[0] * kernel[1], -1)
    win = _windows(xp, kernel, stride, dilation, out_hw)  # (N, C, Ho, Wo, kh, kw)
    return win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kernel[0] * kernel[1], -1)


def _per_group(a, b, groups, transpose_b=False):
    """Block-diagonal product: a's and b's rows split into `groups` blocks, block k of a times block k of b."""
    if groups == 1:
        return a @ (b.T if transpose_b else b)
    p, q = a.shape[0] // groups, b.shape[0] // groups
    a, b = a.reshape(groups, p, -1), b.reshape(groups, q, -1)
    out = np.matmul(a, b.transpose(0, 2, 1) if transpose_b else b)  # one batched product (vmap folds examples here)
    return out.reshape(groups * p, -1)


def _output_rows(g):
    """An (N, O, Ho, Wo) array as (O, N·Ho·Wo) (free when it has conv2d's own layout)."""
    return g.transpose(1, 0, 2, 3).reshape(g.shape[1], -1)


# ---- the three convolution ops --------------------------------------------------------------
def _conv2d(x, w, stride, padding, dilation, groups):
    x, w = as_array(x), as_array(w)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"conv2d takes a (N, C, H, W) input and a (O, C/groups, kh, kw) weight, "
                         f"got shapes {x.shape} and {w.shape}")
    ho, wo = _geometry(x.shape, w.shape, stride, padding, dilation, groups)
    cols = _im2col(x, w.shape[2:], stride, padding, dilation, (ho, wo))
    o, n = w.shape[0], x.shape[0]
    out = _per_group(w.reshape(o, -1), cols, groups)  # (O, N·Ho·Wo)
    return out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)


def _conv2d_input_grad(g, w, x_shape, stride, padding, dilation, groups):
    g, w = as_array(g), as_array(w)
    n, c, h, wd = x_shape
    ho, wo = g.shape[2:]
    o, cg, kh, kw = w.shape
    og, rows = o // groups, _output_rows(g)
    # rows of the product ordered (i, j, c): each kernel offset's adjoint is then one contiguous block
    if groups == 1:
        dcols = w.transpose(2, 3, 1, 0).reshape(-1, og) @ rows
    else:  # one batched product over the groups, (group, i, j, c) rows put in (i, j, group, c) order
        per_group = w.reshape(groups, og, cg, kh, kw).transpose(0, 3, 4, 2, 1).reshape(groups, -1, og)
        dcols = np.matmul(per_group, rows.reshape(groups, og, -1)).reshape(groups, kh, kw, cg, -1)
        dcols = dcols.transpose(1, 2, 0, 3, 4)
    dcols = dcols.reshape(kh, kw, c, n, ho, wo)
    (pt, pb), (pl, pr) = padding
    dx = np.zeros((c, n, h + pt + pb, wd + pl + pr), dtype=np.result_type(g, w), like=like(g))  # (C, N, ...) like dcols
    for i in range(kh):  # col2im: one strided add per kernel offset, none per pixel
        for j in range(kw):
            _offset(dx, i, j, stride, dilation, (ho, wo))[...] += dcols[i, j]
    return dx[:, :, pt:pt + h, pl:pl + wd].transpose(1, 0, 2, 3)


def _conv2d_weight_grad(x, g, w_shape, stride, padding, dilation, groups):
    x, g = as_array(x), as_array(g)
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


__all__ = ["conv1d", "conv2d"]


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), __all__, "cr.")
