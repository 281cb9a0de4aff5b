"""The batching rules, by kind, and the table column they fill for the built-in ops.

Every rule has the form `rule(op, values, dims, params) -> (result, dim)`
(see chainrule.batching). Most move the batch axis to the front first
(`to_front`), so that the rest of the rule only shifts the op's axis
parameters by one.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..core.registry import OPS
from ..core.tensor import Tensor

_AXIS_DEFAULTS: dict[str, object] = {}


def _op(name):
    return OPS[name]


def batch_size(values, dims):
    """The length of the batch axis (the first batched value's)."""
    for v, d in zip(values, dims):
        if d is not None:
            return np.shape(v)[d]
    raise ValueError("no batched value")


def to_front(x, dim):
    """x with its batch axis `dim` moved to axis 0 (an op, so it is differentiable)."""
    if dim == 0:
        return x
    nd = np.ndim(x)
    axes = (dim,) + tuple(a for a in range(nd) if a != dim)
    return _op("transpose")(x, axes=axes)


def batched_front(x, dim, size):
    """x with a leading batch axis: moved there, or (unbatched x) broadcast along a new one."""
    if dim is not None:
        return to_front(x, dim)
    if not isinstance(x, Tensor):
        x = Tensor._wrap(np.asarray(x))
    return _op("broadcast_to")(x, shape=(size,) + tuple(np.shape(x)))


def _pad_after_batch(x, rank):
    """A front-batched x with size-1 axes after the batch so that one example has `rank` axes."""
    shape = np.shape(x)
    missing = rank - (len(shape) - 1)
    if missing <= 0:
        return x
    return _op("reshape")(x, shape=(shape[0],) + (1,) * missing + tuple(shape[1:]))


def _example_ndim(x, dim):
    return np.ndim(x) - (dim is not None)


def _shift_axis(axis, nd):
    """A per-example axis (or tuple of axes) as an axis of the front-batched array."""
    if isinstance(axis, (tuple, list)):
        return tuple(_shift_axis(a, nd) for a in axis)
    if not -nd <= axis < max(nd, 1):
        raise ValueError(f"axis {axis} is out of range for {nd} dimensions")
    return int(axis) % max(nd, 1) + 1


# ---- generic rules, by kind ----------------------------------------------------------
def elementwise(op, values, dims, params):
    """Elementwise ops (every `partial=` row): batch axes to the front, aligned, then broadcast."""
    rank = max(_example_ndim(v, d) for v, d in zip(values, dims))
    moved = [v if d is None else _pad_after_batch(to_front(v, d), rank) for v, d in zip(values, dims)]
    return op(*moved, **params), 0


def along_axis(none="all"):
    """Ops of one array with an `axis` parameter (reductions, softmax, argmax, ...).

    `none` says what axis=None means for the op: "all" axes (sum, max) or the
    "flattened" array (argmax, cumsum).
    """
    def rule(op, values, dims, params):
        x = to_front(values[0], dims[0])
        nd = np.ndim(x) - 1
        axis = params["axis"] if "axis" in params else _axis_default(op)
        if axis is None:
            if none == "flatten":
                x, axis = _op("reshape")(x, shape=(np.shape(x)[0], -1)), 1
            else:
                axis = tuple(range(1, nd + 1))
        else:
            axis = _shift_axis(axis, nd)
        rest = [batched_front(v, d, np.shape(x)[0]) if d is not None else v for v, d in zip(values[1:], dims[1:])]
        return op(x, *rest, **{**params, "axis": axis}), 0
    return rule


def _axis_default(op):
    if op.name not in _AXIS_DEFAULTS:
        _AXIS_DEFAULTS[op.name] = inspect.signature(op.forward).parameters["axis"].default
    return _AXIS_DEFAULTS[op.name]


def stacked_matrices(op, values, dims, params):
    """Ops that act on the last axes and broadcast over leading ones (np.linalg's stacked matrices)."""
    size = batch_size(values, dims)
    if sum(d is not None for d in dims) == 1 and len(values) == 1:
        return op(to_front(values[0], dims[0]), **params), 0
    rank = max(_example_ndim(v, d) for v, d in zip(values, dims))
    moved = [_pad_after_batch(batched_front(v, d, size), rank) if isinstance(v, Tensor) or d is not None else v
             for v, d in zip(values, dims)]
    return op(*moved, **params), 0


def loop(op, values, dims, params):
    """One call per batch element, stacked: correct for any op, and as slow as a Python loop."""
    size = batch_size(values, dims)
    getitem = _op("getitem")
    results = []
    for k in range(size):
        one = [v if d is None else getitem(v, index=(slice(None),) * d + (k,)) for v, d in zip(values, dims)]
        results.append(op(*one, **params))
    if not results:  # an empty batch: the op on zeros for the shape, with a batch of none
        example = [v if d is None else np.zeros(np.shape(v)[:d] + np.shape(v)[d + 1:]) for v, d in zip(values, dims)]
        out = op(*example, **params)
        return Tensor._wrap(np.zeros((0,) + np.shape(out), dtype=np.asarray(out._data).dtype)), 0
    return _op("concatenate")(*[_op("reshape")(r, shape=(1,) + np.shape(r)) for r in results], axis=0), 0


# ---- shape ops -------------------------------------------------------------------------
def _reshape(op, values, dims, params):
    x = to_front(values[0], dims[0])
    shape = params["shape"]
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return op(x, shape=(np.shape(x)[0],) + shape), 0


def _transpose(op, values, dims, params):
    x = to_front(values[0], dims[0])
    nd = np.ndim(x) - 1
    axes = params.get("axes")
    axes = tuple(range(nd, 0, -1)) if axes is None else tuple(a % max(nd, 1) + 1 for a in axes)
    return op(x, axes=(0,) + axes), 0


def _broadcast_to(op, values, dims, params):
    shape = tuple(params["shape"])
    x = _pad_after_batch(to_front(values[0], dims[0]), len(shape))
    return op(x, shape=(np.shape(x)[0],) + shape), 0


def _sum_to(op, values, dims, params):
    g = to_front(values[0], dims[0])
    shape = tuple(params["shape"])
    size, nd = np.shape(g)[0], np.ndim(g) - 1
    summed = op(g, shape=(size,) + (1,) * (nd - len(shape)) + shape)
    return _op("reshape")(summed, shape=(size,) + shape), 0


def _concatenate(op, values, dims, params):
    size = batch_size(values, dims)
    moved = [batched_front(v, d, size) for v, d in zip(values, dims)]
    axis = params.get("axis", 0)
    if axis is None:
        moved, axis = [_op("reshape")(m, shape=(size, -1)) for m in moved], 1
    else:
        axis = _shift_axis(axis, np.ndim(moved[0]) - 1)
    return op(*moved, **{**params, "axis": axis}), 0


def _index_result_dim(index):
    """Where the batch axis lands when `(slice(None),) + index` indexes a front-batched array.

    NumPy moves the axes of advanced (array) indices to the front when they are
    not next to each other; then the batch axis follows them.
    """
    parts = index if isinstance(index, tuple) else (index,)
    advanced = [i for i, p in enumerate(parts) if isinstance(p, (np.ndarray, list)) and not np.isscalar(p)]
    if len(advanced) > 1 and advanced != list(range(advanced[0], advanced[-1] + 1)):
        arrays = [np.asarray(parts[i]) for i in advanced]
        return len(np.broadcast_shapes(*[a.shape for a in arrays]))
    return 0


def _front_index(index):
    return (slice(None),) + (index if isinstance(index, tuple) else (index,))


def _getitem(op, values, dims, params):
    index = params["index"]
    if isinstance(index, np.ndarray) and index.dtype == bool and index.ndim > 1:
        index = np.nonzero(index)  # a mask of several axes: the same as its index arrays
    x = to_front(values[0], dims[0])
    return op(x, index=_front_index(index)), _index_result_dim(index)


def _scatter_add(op, values, dims, params):
    index = params["index"]
    if isinstance(index, np.ndarray) and index.dtype == bool and index.ndim > 1:
        index = np.nonzero(index)
    result_dim = _index_result_dim(index)
    g = values[0] if dims[0] == result_dim else _op("transpose")(values[0], axes=_move(np.ndim(values[0]), dims[0],
                                                                                         result_dim))
    size = np.shape(g)[result_dim]
    return op(g, index=_front_index(index), shape=(size,) + tuple(params["shape"])), 0


def _move(nd, src, dst):
    order = [a for a in range(nd) if a != src]
    order.insert(dst, src)
    return tuple(order)


# ---- contractions ----------------------------------------------------------------------
def _matmul(op, values, dims, params):
    (x, y), (dx, dy) = values, dims
    nx, ny = _example_ndim(x, dx), _example_ndim(y, dy)
    size = batch_size(values, dims)
    if dx is not None and dy is None and ny == 2:  # (B, ..., n) @ (n, p): the batch joins the rows, one GEMM
        xs = to_front(x, dx)
        if nx <= 2:
            return op(xs, y) if nx == 1 else _op("reshape")(
                op(_op("reshape")(xs, shape=(-1, np.shape(xs)[-1])), y), shape=np.shape(xs)[:-1] + (np.shape(y)[1],)), 0
        return op(xs, y), 0
    if dx is not None and dy is not None and nx == 2 and ny == 2 and np.shape(x)[-1] == 1 and dx != np.ndim(x) - 1:
        # (B, m, 1) @ (B, 1, p): outer products, one broadcast multiply instead of B tiny GEMMs
        return _op("mul")(to_front(x, dx), to_front(y, dy)), 0
    if dx is None and dy is not None and nx == 2 and ny <= 2:  # (m, n) @ (B, n[, p]): the batch joins the columns
        ys = to_front(y, dy)
        if ny == 1:
            return op(ys, _op("transpose")(x, axes=(1, 0))), 0  # (B, n) @ xᵀ: one GEMM
        n, p = np.shape(ys)[1:]
        cols = _op("reshape")(_op("transpose")(ys, axes=(1, 0, 2)), shape=(n, size * p))
        out = _op("reshape")(op(x, cols), shape=(np.shape(x)[0], size, p))
        return _op("transpose")(out, axes=(1, 0, 2)), 0
    rank = max(max(nx, 2), max(ny, 2))
    xs, ys = x, y
    if dx is not None:
        xs = to_front(x, dx)
        if nx == 1:
            xs = _op("reshape")(xs, shape=(size, 1, np.shape(xs)[1]))
        xs = _pad_after_batch(xs, rank)
    if dy is not None:
        ys = to_front(y, dy)
        if ny == 1:
            ys = _op("reshape")(ys, shape=(size, np.shape(ys)[1], 1))
        ys = _pad_after_batch(ys, rank)
    if dx is None and nx == 1:
        xs = _op("reshape")(x, shape=(1, np.shape(x)[0]))
    if dy is None and ny == 1:
        ys = _op("reshape")(y, shape=(np.shape(y)[0], 1))
    out = op(xs, ys)
    return _op("reshape")(out, shape=(size,) + _matmul_shape(np.shape(x), np.shape(y), dx, dy)), 0


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
        1 + a for a in _swap_last(np.ndim(w) - 1)) if dw == 0 else _swap_last(np.ndim(w)))
    out, dim = _matmul(_op("matmul"), [x, swapped], [dx, dw], {})
    if b and b[0] is not None:
        out, dim = elementwise(_op("add"), [out, b[0]], [dim, db[0]], {})
    return out, dim


def _swap_last(nd):
    return tuple(range(nd - 2)) + (nd - 1, nd - 2)


def _einsum(op, values, dims, params):
    subscripts = params["subscripts"].replace(" ", "")
    ins, _, out = subscripts.partition("->")
    terms = ins.split(",")
    if "->" not in subscripts:  # implicit output: the letters used once, sorted (ellipsis first)
        letters = [c for c in ins if c.isalpha()]
        out = ("..." if "..." in ins else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    free = next(c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in subscripts)
    moved = []
    for k, (v, d) in enumerate(zip(values, dims)):
        if d is not None:
            moved.append(to_front(v, d))
            terms[k] = free + terms[k]
        else:
            moved.append(v)
    return op(*moved, subscripts=",".join(terms) + "->" + free + out), 0


def _softmax_cross_entropy(op, values, dims, params):
    (logits, target), (dl, dt) = values, dims
    size = batch_size(values, dims)
    logits = batched_front(logits, dl, size)
    target = np.asarray(target._data if isinstance(target, Tensor) else target)
    if dt is not None:
        target = np.moveaxis(target, dt, 0)
    else:
        target = np.broadcast_to(target, (size,) + target.shape)
    reduction = params.get("reduction", "none")
    classes = np.shape(logits)[-1]
    rows = op(_op("reshape")(logits, shape=(-1, classes)), target.reshape(-1), reduction="none")  # the fast 2-d form
    losses = _op("reshape")(rows, shape=target.shape)  # one loss per row of every example
    if reduction == "none":
        return losses, 0
    per_example = _op("reshape")(losses, shape=(size, -1))
    total = _op("sum")(per_example, axis=1)
    count = max(per_example.shape[1], 1)
    return (total if reduction == "sum" else total / count), 0


def fold_into_first_axis(rank):
    """Ops on a stack of examples along axis 0 (conv2d, max_pool2d on (N, C, H, W)): the batch joins that axis.

    Only the first argument may be batched, and one example must have `rank`
    axes; otherwise the op runs once per example (the `loop` rule).
    """
    def rule(op, values, dims, params):
        if dims[0] is None or any(d is not None for d in dims[1:]) or _example_ndim(values[0], dims[0]) != rank:
            return loop(op, values, dims, params)
        x = to_front(values[0], dims[0])
        size, n = np.shape(x)[:2]
        out = op(_op("reshape")(x, shape=(size * n,) + np.shape(x)[2:]), *values[1:], **params)
        return _op("reshape")(out, shape=(size, n) + np.shape(out)[1:]), 0
    return rule


# ---- the column of the table -----------------------------------------------------------
ELEMENTWISE = ("add", "sub", "div", "abs", "neg", "relu", "where", "equal", "not_equal", "greater",
               "greater_equal", "less", "less_equal", "cast", "alias", "real", "conj", "imag", "angle", "clone",
               "betainc", "gammainc", "gammaincc", "stdtr", "gammasgn")
REDUCTIONS = ("sum", "prod", "max", "min", "logsumexp", "euclidean_norm", "softmax", "log_softmax")
FLATTENING = ("argmax", "argmin", "argsort", "cumsum", "cumprod")  # axis=None: along the flattened array
STACKED = ("cholesky", "det", "inv", "eigh_values", "eigh_vectors", "pinv", "qr_q", "qr_r",
           "slogdet_logabsdet", "slogdet_sign", "svd_u", "svd_vh", "svdvals")
OWN = {"reshape": _reshape, "transpose": _transpose, "broadcast_to": _broadcast_to, "sum_to": _sum_to,
       "concatenate": _concatenate, "getitem": _getitem, "scatter_add": _scatter_add, "matmul": _matmul,
       "linear": _linear, "einsum": _einsum, "softmax_cross_entropy": _softmax_cross_entropy}
FOLDED = ("conv2d", "max_pool2d")  # one example (N, C, H, W): the batch joins N
# correct and slow, one call per example: forwards that do not broadcast a batch, or sum over examples
LOOPED = ("solve", "solve_triangular", "solve_sylvester", "sqrtm", "conv2d_input_grad", "conv2d_weight_grad",
          "conv_valid", "convolve", "scatter_flat")


def install(defbatch):
    """Fill the batching column for every built-in op that has a rule."""
    for op in OPS.values():
        if op.partial is not None and op.batch is None:
            defbatch(op, elementwise)
    table = {**{n: elementwise for n in ELEMENTWISE}, **{n: along_axis() for n in REDUCTIONS},
             **{n: along_axis("flatten") for n in FLATTENING}, **{n: stacked_matrices for n in STACKED},
             **{n: loop for n in LOOPED}, **{n: fold_into_first_axis(4) for n in FOLDED}, **OWN}
    for name, rule in table.items():
        if name in OPS:
            defbatch(name, rule)
