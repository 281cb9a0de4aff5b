"""Test cases and loop-by-loop references for the convolution and pooling ops (ops/conv.py, ops/pooling.py).

The references are written the slow, obvious way: one output pixel at a time.
"""

import numpy as np

from op_specs import sample

NO_PAD = ((0, 0), (0, 0))


def _conv_params(stride=(1, 1), padding=NO_PAD, dilation=(1, 1), groups=1):
    return {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


def conv_reference(x, w, stride, padding, dilation, groups):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    (pt, pb), (pl, pr) = padding
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    ho = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, ho, wo))
    og = o // groups
    for oc in range(o):
        grp = oc // og
        for r in range(ho):
            for s in range(wo):
                r0, s0 = r * stride[0], s * stride[1]
                patch = xp[:, grp * cg:(grp + 1) * cg, r0:r0 + dilation[0] * (kh - 1) + 1:dilation[0],
                           s0:s0 + dilation[1] * (kw - 1) + 1:dilation[1]]
                out[:, oc, r, s] = np.sum(patch * w[oc], axis=(1, 2, 3))
    return out


def _adjoint_by_columns(forward_of, shape):
    """The matrix of a linear map, one basis vector at a time: its transpose is the adjoint."""
    size = int(np.prod(shape))
    columns = [forward_of(np.eye(size)[i].reshape(shape)).ravel() for i in range(size)]
    return np.array(columns)  # (input size, output size)


def input_grad_reference(g, w, x_shape, **p):
    matrix = _adjoint_by_columns(lambda x: conv_reference(x, w, **p), x_shape)
    return (matrix @ g.ravel()).reshape(x_shape)


def weight_grad_reference(x, g, w_shape, **p):
    matrix = _adjoint_by_columns(lambda w: conv_reference(x, w, **p), w_shape)
    return (matrix @ g.ravel()).reshape(w_shape)


def max_pool_reference(x, kernel_size, stride, padding, dilation, ceil_mode=False):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    rows = range(-ph, h + ph - dh * (kh - 1), sh)
    cols = range(-pw, w + pw - dw * (kw - 1), sw)
    if ceil_mode:  # PyTorch's docs: ⌈(size + 2p - span) / s⌉ + 1 windows, less one starting past the input
        rows = [r for r in range(-ph, h + ph, sh) if r < h and r <= h + ph - dh * (kh - 1) - 1 + sh - 1]
        cols = [s for s in range(-pw, w + pw, sw) if s < w and s <= w + pw - dw * (kw - 1) - 1 + sw - 1]
    out = np.full((n, c, len(rows), len(cols)), -np.inf)
    for a, r in enumerate(rows):
        for b, s in enumerate(cols):
            for i in range(kh):
                for j in range(kw):
                    y, z = r + i * dh, s + j * dw
                    if 0 <= y < h and 0 <= z < w:
                        out[:, :, a, b] = np.maximum(out[:, :, a, b], x[:, :, y, z])
    return out


def _window_maxima(x, kernel_size, stride, padding, dilation, ceil_mode=False):
    """{(n, c, output row, output column): (row, column) of x}: each window's first maximal entry (row-major)."""
    n, c, h, w = x.shape
    pooled = max_pool_reference(x, kernel_size, stride, padding, dilation, ceil_mode)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    where = {}
    for a, b, r, s in np.ndindex(*pooled.shape):
        for i in range(kh * kw):
            y, z = r * sh - ph + (i // kw) * dh, s * sw - pw + (i % kw) * dw
            if 0 <= y < h and 0 <= z < w and x[a, b, y, z] == pooled[a, b, r, s]:
                where[a, b, r, s] = (y, z)
                break
    return pooled.shape, where


def max_pool_scatter_reference(g, x, **p):
    out = np.zeros(x.shape)
    for (a, b, r, s), (y, z) in _window_maxima(x, **p)[1].items():
        out[a, b, y, z] += g[a, b, r, s]
    return out


def max_pool_gather_reference(t, x, **p):
    shape, where = _window_maxima(x, **p)
    out = np.zeros(shape)
    for (a, b, r, s), (y, z) in where.items():
        out[a, b, r, s] = t[a, b, y, z]
    return out


x1, w1 = sample((2, 3, 5, 4)), sample((4, 3, 2, 3))
grouped_x, grouped_w = sample((1, 4, 5, 5)), sample((6, 2, 3, 3))
strided = _conv_params((2, 1), ((1, 1), (0, 2)), (1, 2))
grouped = _conv_params((1, 2), ((1, 1), (1, 1)), (1, 1), 2)
out1 = conv_reference(x1, w1, **_conv_params())
out_s = conv_reference(x1, w1[:, :, :, :2], **strided)
out_g = conv_reference(grouped_x, grouped_w, **grouped)
pool = {"kernel_size": (2, 2), "stride": (2, 2), "padding": (0, 0), "dilation": (1, 1)}
pool_padded = {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1), "dilation": (1, 1), "ceil_mode": True}
pool_dilated = {"kernel_size": (2, 2), "stride": (1, 2), "padding": (0, 1), "dilation": (2, 1)}
pool_x, pool_padded_x, pool_dilated_x = sample((2, 3, 4, 6)), sample((1, 2, 5, 4)), sample((2, 1, 5, 5))
pooled = [(pool_x, pool), (pool_padded_x, pool_padded), (pool_dilated_x, pool_dilated)]

CASES = {
    "conv2d": [((x1, w1), _conv_params()), ((x1, w1[:, :, :, :2]), strided),
               ((grouped_x, grouped_w), grouped), ((sample((1, 1, 3, 3)), sample((1, 1, 3, 3))), _conv_params())],
    "conv2d_input_grad": [((sample(out1.shape), w1), {"x_shape": x1.shape, **_conv_params()}),
                          ((sample(out_s.shape), w1[:, :, :, :2]), {"x_shape": x1.shape, **strided}),
                          ((sample(out_g.shape), grouped_w), {"x_shape": grouped_x.shape, **grouped})],
    "conv2d_weight_grad": [((x1, sample(out1.shape)), {"w_shape": w1.shape, **_conv_params()}),
                           ((x1, sample(out_s.shape)), {"w_shape": (4, 3, 2, 2), **strided}),
                           ((grouped_x, sample(out_g.shape)), {"w_shape": grouped_w.shape, **grouped})],
    "max_pool2d": [((pool_x,), pool), ((pool_padded_x,), pool_padded), ((pool_dilated_x,), pool_dilated)],
    "max_pool2d_scatter": [((sample(max_pool_reference(x, **p).shape), x), p) for x, p in pooled],
    "max_pool2d_gather": [((sample(x.shape), x), p) for x, p in pooled],
}

REFERENCE = {
    "conv2d": conv_reference,
    "conv2d_input_grad": input_grad_reference,
    "conv2d_weight_grad": weight_grad_reference,
    "max_pool2d": max_pool_reference,
    "max_pool2d_scatter": max_pool_scatter_reference,
    "max_pool2d_gather": max_pool_gather_reference,
}
