"""Batching rules of the products: matmul, linear, einsum, cross-entropy, and ops on stacks of examples.

Each turns a batch into the shape the op's forward already handles at NumPy
speed (one GEMM, one einsum), instead of one call per example.
"""

from __future__ import annotations

from math import prod

import numpy as np

from .rules import (
    _example_ndim,
    _op,
    _pad_after_batch,
    batch_size,
    batched_front,
    elementwise,
    loop,
    ndim_of,
    shape_of,
    to_front,
)


def _matmul(op, values, dims, params):
    (x, y), (dx, dy) = values, dims
    nx, ny = _example_ndim(x, dx), _example_ndim(y, dy)
    size = batch_size(values, dims)
    if dx is not None and dy is None and ny == 2:  # (B, ..., n) @ (n, p): the batch joins the rows, one GEMM
        xs = to_front(x, dx)
        if nx <= 2:
            return op(xs, y) if nx == 1 else _op("reshape")(
                op(_op("reshape")(xs, shape=(-1, shape_of(xs)[-1])), y), shape=shape_of(xs)[:-1] + (shape_of(y)[1],)), 0
        return op(xs, y), 0
    if dx is not None and dy is not None and nx == 2 and ny == 2 and shape_of(x)[-1] == 1 and dx != ndim_of(x) - 1:
        # (B, m, 1) @ (B, 1, p): outer products, one einsum pass (twice as fast as a broadcast multiply,
        # and B tiny GEMMs slower still)
        xs, ys = to_front(x, dx), to_front(y, dy)
        cols = _op("reshape")(xs, shape=(size, shape_of(xs)[1]))
        rows = _op("reshape")(ys, shape=(size, shape_of(ys)[2]))
        return _op("einsum")(cols, rows, subscripts="bi,bj->bij"), 0
    if dx is None and dy is not None and nx == 2 and ny <= 2:  # (m, n) @ (B, n[, p]): the batch joins the columns
        ys = to_front(y, dy)
        if ny == 1:  # (B, n) @ xᵀ: one GEMM, by the op that multiplies by a transpose (no transpose op first)
            return _op("linear")(ys, x), 0
        n, p = shape_of(ys)[1:]
        cols = _op("reshape")(_op("transpose")(ys, axes=(1, 0, 2)), shape=(n, size * p))
        out = _op("reshape")(op(x, cols), shape=(shape_of(x)[0], size, p))
        return _op("transpose")(out, axes=(1, 0, 2)), 0
    rank = max(max(nx, 2), max(ny, 2))
    xs, ys = x, y
    if dx is not None:
        xs = to_front(x, dx)
        if nx == 1:
            xs = _op("reshape")(xs, shape=(size, 1, shape_of(xs)[1]))
        xs = _pad_after_batch(xs, rank)
    if dy is not None:
        ys = to_front(y, dy)
        if ny == 1:
            ys = _op("reshape")(ys, shape=(size, shape_of(ys)[1], 1))
        ys = _pad_after_batch(ys, rank)
    if dx is None and nx == 1:
        xs = _op("reshape")(x, shape=(1, shape_of(x)[0]))
    if dy is None and ny == 1:
        ys = _op("reshape")(y, shape=(shape_of(y)[0], 1))
    out = op(xs, ys)
    return _op("reshape")(out, shape=(size,) + _matmul_shape(shape_of(x), shape_of(y), dx, dy)), 0


def _matmul_shape(sx, sy, dx, dy):
    """The shape of one example's matmul (np.matmul's rule: vectors lose their added axis)."""
    sx = sx if dx is None else sx[:dx] + sx[dx + 1:]
    sy = sy if dy is None else sy[:dy] + sy[dy + 1:]
    if len(sx) == 1 and len(sy) == 1:
        return ()
    if len(sx) == 1:
        return tuple(sy[:-2]) + tuple(sy[-1:])
    if len(sy) == 1:
        return tuple(sx[:-1])
    return tuple(np.broadcast_shapes(sx[:-2], sy[:-2])) + (sx[-2], sy[-1])


def _linear(op, values, dims, params):
    (x, w, *b), (dx, dw, *db) = values, dims
    if dw is None and all(d is None for d in db):
        return op(to_front(x, dx), w, *b, **params), 0
    if dw is not None:
        w, dw = to_front(w, dw), 0
    swapped = _op("transpose")(w, axes=(0,) + tuple(
        1 + a for a in _swap_last(ndim_of(w) - 1)) if dw == 0 else _swap_last(ndim_of(w)))
    out, dim = _matmul(_op("matmul"), [x, swapped], [dx, dw], {})
    if b and b[0] is not None:
        out, dim = elementwise(_op("add"), [out, b[0]], [dim, db[0]], {})
    return out, dim


def _swap_last(nd):
    return tuple(range(nd - 2)) + (nd - 1, nd - 2)


def _einsum(op, values, dims, params):
    if len(dims) == 2:  # the usual product of two (an outer product in a layer's VJP): unrolled
        (x, y), (dx, dy) = values, dims
        key = (params["subscripts"], dx is not None, dy is not None)
        subscripts = _EINSUM_SUBSCRIPTS.get(key)
        if subscripts is not None:
            return op(x if not dx else to_front(x, dx), y if not dy else to_front(y, dy), subscripts=subscripts), 0
    else:
        key = (params["subscripts"],) + tuple(d is not None for d in dims)
        subscripts = _EINSUM_SUBSCRIPTS.get(key)
    if subscripts is None:  # worked out once per (subscripts, which inputs are batched): rules ask it every sweep
        if len(_EINSUM_SUBSCRIPTS) > 1024:  # a bound, for code that makes up subscripts as it goes
            _EINSUM_SUBSCRIPTS.clear()
        subscripts = _EINSUM_SUBSCRIPTS[key] = _batched_subscripts(params["subscripts"], key[1:])
    moved = [to_front(v, d) if d is not None else v for v, d in zip(values, dims)]
    return op(*moved, subscripts=subscripts), 0


_EINSUM_SUBSCRIPTS: dict = {}


def _batched_subscripts(subscripts, batched):
    """Einsum subscripts with a fresh letter for the batch axis, in front of each batched input and the output."""
    subscripts = subscripts.replace(" ", "")
    ins, _, out = subscripts.partition("->")
    terms = ins.split(",")
    if "->" not in subscripts:  # implicit output: the letters used once, sorted (ellipsis first)
        letters = [c for c in ins if c.isalpha()]
        out = ("..." if "..." in ins else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    free = next(c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in subscripts)
    terms = [free + term if b else term for term, b in zip(terms, batched)]
    return ",".join(terms) + "->" + free + out


def _softmax_cross_entropy(op, values, dims, params):
    (logits, target), (dl, dt) = values, dims
    size = batch_size(values, dims)
    logits = batched_front(logits, dl, size)
    # the class targets with the batch in front, by ops (cr.jit's tracer must see them, or bake them in)
    target = batched_front(target, dt, size)
    reduction = params.get("reduction", "none")
    classes = shape_of(logits)[-1]
    shape = shape_of(target)
    rows = op(_op("reshape")(logits, shape=(-1, classes)), _op("reshape")(target, shape=(-1,)),
              reduction="none")  # the fast 2-d form
    if reduction == "none":
        return _op("reshape")(rows, shape=shape), 0  # one loss per row of every example
    count = prod(shape[1:])  # rows per example
    if count == 1:  # one row per example (a loss of one labelled example): its loss is the mean and the sum
        return rows, 0
    total = _op("sum")(_op("reshape")(rows, shape=(size, count)), axis=1)
    return (total if reduction == "sum" else total / max(count, 1)), 0


def _softmax_cross_entropy_backward(op, values, dims, params):
    # every example's rows at once, as reduction="none" rows: each example's adjoint g shared out over its
    # rows as its reduction did (divided by the rows of one example for "mean"). The op broadcasts g
    # against the rows (and its adjoint for g is summed back by the engine), so g is only given axes.
    (g, logits, target), (dg, dl, dt) = values, dims
    size = batch_size(values, dims)
    logits = batched_front(logits, dl, size)
    target = batched_front(target, dt, size)  # (by ops, as in the forward rule)
    reduction = params.get("reduction", "none")
    rank = ndim_of(target)
    if reduction == "none":
        g = g if dg is None else _pad_after_batch(to_front(g, dg), rank - 1)
    else:  # g: one adjoint per example, on the rows of its example
        if dg is not None and rank > 1:
            g = _op("reshape")(to_front(g, dg), shape=(size,) + (1,) * (rank - 1))
        count = prod(shape_of(target)[1:])
        if reduction == "mean" and count > 1:
            g = _op("div")(g, count)
    return op(g, logits, target, reduction="none"), 0


def fold_into_first_axis(rank):
    """Ops on a stack of examples along axis 0 (conv2d, max_pool2d on (N, C, H, W)): the batch joins that axis.

    Only the first argument may be batched, and one example must have `rank`
    axes; otherwise the op runs once per example (the `loop` rule).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> x, w = cr.tensor(np.ones((3, 2, 1, 4, 4))), np.ones((1, 1, 3, 3))
        >>> out, dim = fold_into_first_axis(4)(cr.core.OPS["conv2d"], [x, w], [0, None],
        ...                                    dict(stride=(1, 1), padding=((0, 0), (0, 0)), dilation=(1, 1), groups=1))
        >>> out.shape
        (3, 2, 1, 2, 2)
    """
    def rule(op, values, dims, params):
        if dims[0] is None or any(d is not None for d in dims[1:]) or _example_ndim(values[0], dims[0]) != rank:
            return loop(op, values, dims, params)
        x = to_front(values[0], dims[0])
        size, n = shape_of(x)[:2]
        out = op(_op("reshape")(x, shape=(size * n,) + shape_of(x)[2:]), *values[1:], **params)
        return _op("reshape")(out, shape=(size, n) + shape_of(out)[1:]), 0
    return rule


def fold_all_into_first_axis(rank):
    """Ops of several (N, C, H, W) arrays that act on each of the N alike (max pooling's adjoints): every
    argument's batch joins its N (an unbatched argument is repeated along the batch first).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> g, x = np.ones((3, 1, 1, 1, 1)), np.arange(4.0).reshape(1, 1, 2, 2)
        >>> out, dim = fold_all_into_first_axis(4)(cr.core.OPS["max_pool2d_scatter"], [g, x], [0, None],
        ...     dict(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1)))
        >>> out.shape, float(out[:, 0, 0, 1, 1].sum())
        ((3, 1, 1, 2, 2), 3.0)
    """
    def rule(op, values, dims, params):
        if any(_example_ndim(v, d) != rank for v, d in zip(values, dims)):
            return loop(op, values, dims, params)
        size = batch_size(values, dims)
        folded = []
        for v, d in zip(values, dims):
            v = batched_front(v, d, size)
            n = shape_of(v)[1]
            folded.append(_op("reshape")(v, shape=(size * n,) + shape_of(v)[2:]))
        out = op(*folded, **params)
        return _op("reshape")(out, shape=(size, n) + shape_of(out)[1:]), 0
    return rule


PRODUCTS = {"matmul": _matmul, "linear": _linear, "einsum": _einsum, "softmax_cross_entropy": _softmax_cross_entropy,
            "softmax_cross_entropy_backward": _softmax_cross_entropy_backward}
