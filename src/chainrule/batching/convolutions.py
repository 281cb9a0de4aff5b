"""Batching rules of the convolutions (conv2d and its two adjoints), and of the linear solves.

A convolution of (N, C, H, W) with (O, C/groups, kh, kw) already runs many
independent convolutions at once: one per image (the N axis) and one per
group. A batch whose examples share the weight joins N; a batch of weights
(per-example weights, or per-example weight gradients under `vmap(grad)`)
becomes groups: example b's channels are the block b of B·C channels, its
filters the block b of B·O filters, and `groups · B` keeps the blocks apart.
One forward call, whatever the batch size.
"""

from __future__ import annotations

from .rules import _example_ndim, _op, _pad_after_batch, batch_size, batched_front, loop, shape_of, to_front
from .windows import conv_valid_every_example, convolve_every_example


def _channels_as_groups(x, dim, size):
    """(N, C, ...) per example, batched on `dim`, as (N, B·C, ...): example b's channels are block b."""
    x = batched_front(x, dim, size)  # (B, N, C, ...)
    b, n, c, *rest = shape_of(x)
    return _op("reshape")(_op("transpose")(x, axes=(1, 0) + tuple(range(2, 3 + len(rest)))),
                          shape=(n, b * c) + tuple(rest))


def _filters_as_groups(w, dim, size):
    """(O, C/groups, kh, kw) per example as (B·O, C/groups, kh, kw)."""
    w = batched_front(w, dim, size)
    b, o, *rest = shape_of(w)
    return _op("reshape")(w, shape=(b * o,) + tuple(rest))


def _split_channels(out, size, c):
    """(N, B·C, ...) back to (N, B, C, ...): the batch on axis 1."""
    n, _, *rest = shape_of(out)
    return _op("reshape")(out, shape=(n, size, c) + tuple(rest)), 1


def _fold_into_n(x, dim):
    x = to_front(x, dim)
    size, n, *rest = shape_of(x)
    return _op("reshape")(x, shape=(size * n,) + tuple(rest)), size, n


def _unfold_n(out, size, n):
    return _op("reshape")(out, shape=(size, n) + shape_of(out)[1:]), 0


def _conv2d(op, values, dims, params):
    (x, w), (dx, dw) = values, dims
    if dw is None:  # shared weights: the batch joins N
        folded, size, n = _fold_into_n(x, dx)
        return _unfold_n(op(folded, w, **params), size, n)
    size = batch_size(values, dims)
    if not size:  # no examples: no groups to form (the loop makes the empty result)
        return loop(op, values, dims, params)
    out = op(_channels_as_groups(x, dx, size), _filters_as_groups(w, dw, size),
             **{**params, "groups": params["groups"] * size})
    filters = [n for axis, n in enumerate(shape_of(w)) if axis != dw][0]  # one example's O
    return _split_channels(out, size, filters)


def _conv2d_input_grad(op, values, dims, params):
    (g, w), (dg, dw) = values, dims
    n, c, h, wd = params["x_shape"]
    if dw is None:
        folded, size, n = _fold_into_n(g, dg)
        out = op(folded, w, **{**params, "x_shape": (size * n, c, h, wd)})
        return _unfold_n(out, size, n)
    size = batch_size(values, dims)
    if not size:
        return loop(op, values, dims, params)
    out = op(_channels_as_groups(g, dg, size), _filters_as_groups(w, dw, size),
             **{**params, "x_shape": (n, size * c, h, wd), "groups": params["groups"] * size})
    return _split_channels(out, size, c)


def _conv2d_weight_grad(op, values, dims, params):
    (x, g), (dx, dg) = values, dims
    size = batch_size(values, dims)
    if not size:
        return loop(op, values, dims, params)
    o, cg, kh, kw = params["w_shape"]
    out = op(_channels_as_groups(x, dx, size), _channels_as_groups(g, dg, size),
             **{**params, "w_shape": (size * o, cg, kh, kw), "groups": params["groups"] * size})
    return _op("reshape")(out, shape=(size, o, cg, kh, kw)), 0


def solves(op, values, dims, params):
    """solve(a, b) and solve_triangular(a, b): NumPy's solve broadcasts a stack of systems, once b's
    batch is read as a stack of right-hand sides (a vector b as a one-column matrix).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> a, b = np.stack([np.eye(2), 2 * np.eye(2)]), np.ones((2, 2))
        >>> out, dim = solves(cr.core.OPS["solve"], [a, b], [0, 0], {})
        >>> out
        array([[1. , 1. ],
               [0.5, 0.5]])
    """
    (a, b), (da, db) = values, dims
    size = batch_size(values, dims)
    na, nb = _example_ndim(a, da), _example_ndim(b, db)
    if da is not None:
        a = to_front(a, da)
    if nb == 1:  # one right-hand side per system
        if db is None:
            return op(a, b, **params), 0  # a's batch leads: b broadcasts as one vector
        b = to_front(b, db)
        column = _op("reshape")(b, shape=(size,) + (1,) * (na - 2) + (shape_of(b)[1], 1))
        out = op(a, column, **params)
        return _op("reshape")(out, shape=shape_of(out)[:-1]), 0
    rank = max(na, nb)
    if da is not None:
        a = _pad_after_batch(a, rank)
    b = _pad_after_batch(to_front(b, db), rank) if db is not None else b
    return op(a, b, **params), 0


def _conv_valid(op, values, dims, params):
    # a batch on one side is one more of that side's free ("ignore") axes; on both sides, the windows of a
    # meet the flipped b in one einsum (windows.py)
    (a, b), (da, db) = values, dims
    if da is not None and db is not None:
        return conv_valid_every_example(op, values, dims, params)
    if da is not None:
        return op(to_front(a, da), b, **{**params, "ignore_a": params["ignore_a"] + 1}), 0
    return op(a, to_front(b, db), **{**params, "ignore_b": params["ignore_b"] + 1}), params["ignore_a"]


def _convolve(op, values, dims, params):
    # scipy.signal.convolve of N-d arrays: a batch axis on one side meets a size-1 axis on the other, which
    # convolves each example with the same kernel (in 'full' mode either way round). Batches on both sides
    # (and the modes that would centre on the wrong side) gather windows instead (windows.py).
    (x, k), (dx, dk) = values, dims
    mode = params.get("mode", "full")
    if dk is None:
        x = to_front(x, dx)
        if mode != "valid" or all(a >= b for a, b in zip(shape_of(x)[1:], shape_of(k))):
            return op(x, _op("reshape")(k, shape=(1,) + shape_of(k)), **params), 0
    elif dx is None and mode == "full":
        return op(_op("reshape")(x, shape=(1,) + shape_of(x)), to_front(k, dk), **params), 0
    return convolve_every_example(op, values, dims, params)


CONVOLUTIONS = {"conv2d": _conv2d, "conv2d_input_grad": _conv2d_input_grad, "conv2d_weight_grad": _conv2d_weight_grad,
                "conv_valid": _conv_valid, "convolve": _convolve, "solve": solves, "solve_triangular": solves}
