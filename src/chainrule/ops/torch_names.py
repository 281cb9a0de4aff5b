"""PyTorch's names for tensor functions chainrule has under others, and a few it lacked (topk, histogram).

Each is a composite of table ops (so differentiable where PyTorch's is),
except `clone`, a primitive because it must copy the data.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..core.registry import defop
from ..core.tensor import Tensor
from ._util import value_of
from .elementwise import clip, equal
from .shape import concatenate, expand_dims, getitem, transpose

# a copy of the data that stays in the graph (as torch.clone)
clone = defop("clone", lambda x: np.copy(x),  # np.copy dispatches (a CuPy array stays one)
              vjp=lambda g, ans, x: g, jvp="linear", derivative="1")

topk_result = namedtuple("topk", ["values", "indices"])
topk_result.__doc__ = """What topk returns: (values, indices), readable by name.

Example:
    >>> import chainrule as cr
    >>> cr.topk(cr.tensor([1.0, 3.0]), 1).indices.tolist()
    [1]
"""


def cat(tensors, dim=0):
    """Join tensors along an existing axis (torch.cat; numpy's concatenate).

    Example:
        >>> import chainrule as cr
        >>> cr.cat([cr.zeros((1, 2)), cr.ones((2, 2))], dim=0).shape
        (3, 2)
    """
    return concatenate(tensors, axis=dim)


def unsqueeze(input, dim):
    """Insert a size-1 axis at `dim` (torch.unsqueeze; numpy's expand_dims).

    Example:
        >>> import chainrule as cr
        >>> cr.unsqueeze(cr.zeros(3), 1).shape
        (3, 1)
    """
    return expand_dims(input, dim)


def movedim(input, source, destination):
    """Move axes `source` to positions `destination`, the others keeping their order (numpy's moveaxis).

    Example:
        >>> import chainrule as cr
        >>> cr.movedim(cr.zeros((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    nd = np.ndim(value_of(input))
    sources = [source] if isinstance(source, (int, np.integer)) else list(source)
    targets = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(sources) != len(targets):
        raise ValueError(f"movedim: {len(sources)} source dims but {len(targets)} destination dims")
    sources, targets = [s % nd for s in sources], [d % nd for d in targets]
    order = [a for a in range(nd) if a not in sources]
    for d, s in sorted(zip(targets, sources)):  # the moved axes land at their destinations
        order.insert(d, s)
    return transpose(input, tuple(order))


def clamp(input, min=None, max=None):
    """Values limited to [min, max] (torch.clamp; numpy's clip); the gradient passes at the bounds.

    Example:
        >>> import chainrule as cr
        >>> cr.clamp(cr.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
        tensor([0. , 0.5, 1. ])
    """
    return clip(input, min=min, max=max)


def eq(input, other):
    """Elementwise equality, a boolean tensor (torch.eq; numpy's equal).

    Example:
        >>> import chainrule as cr
        >>> cr.eq(cr.tensor([1.0, 2.0]), 2.0).tolist()
        [False, True]
    """
    return equal(input, other)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when |input - other| <= atol + rtol·|other| everywhere (a Python bool).

    Example:
        >>> import chainrule as cr
        >>> cr.allclose(cr.tensor([1.0]), cr.tensor([1.0 + 1e-9]))
        True
    """
    return bool(np.allclose(value_of(input), value_of(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input - other| <= atol + rtol·|other|, a boolean tensor.

    Example:
        >>> import chainrule as cr
        >>> cr.isclose(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 2.1])).tolist()
        [True, False]
    """
    return Tensor(np.isclose(value_of(input), value_of(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def numel(input):
    """The number of elements.

    Example:
        >>> import chainrule as cr
        >>> cr.numel(cr.zeros((2, 3)))
        6
    """
    return int(np.size(value_of(input)))


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) entries along `dim` and their indices, as (values, indices).

    Ties keep the earlier index first; the values are differentiable (the
    adjoint goes to the chosen entries).

    Example:
        >>> import chainrule as cr
        >>> values, indices = cr.topk(cr.tensor([1.0, 5.0, 3.0]), 2)
        >>> values.tolist(), indices.tolist()
        ([5.0, 3.0], [1, 2])
    """
    x = value_of(input)
    nd = x.ndim
    axis = dim % nd if nd else 0
    if not 0 <= k <= (x.shape[axis] if nd else 1):
        raise ValueError(f"topk: k ({k}) is out of range for dimension {dim} of size {x.shape[axis] if nd else 1}")
    if nd == 0:
        return topk_result(input, Tensor(np.array(0, dtype=np.int64)))
    order = np.argsort(-x if largest else x, axis=axis, kind="stable")
    picked = np.take(order, np.arange(k), axis=axis)
    grids = list(np.meshgrid(*[np.arange(n) for n in picked.shape], indexing="ij"))
    grids[axis] = picked
    values = getitem(input, index=tuple(grids))
    return topk_result(values, Tensor(picked.astype(np.int64)))


def histogram(input, bins=100, range=None, weight=None, density=False):
    """Counts in equal bins and the bin edges, as (hist, bin_edges); not differentiable.

    Example:
        >>> import chainrule as cr
        >>> hist, edges = cr.histogram(cr.tensor([0.0, 0.5, 1.0, 1.0]), bins=2)
        >>> hist.tolist(), edges.tolist()
        ([1.0, 3.0], [0.0, 0.5, 1.0])
    """
    x = value_of(input)
    counts, edges = np.histogram(x, bins=bins, range=range, density=density,
                                 weights=None if weight is None else value_of(weight))
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return Tensor(counts.astype(dtype)), Tensor(edges.astype(dtype))


def is_tensor(obj):
    """True for a chainrule Tensor.

    Example:
        >>> import chainrule as cr
        >>> cr.is_tensor(cr.zeros(1)), cr.is_tensor([1.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


__all__ = ["clone", "cat", "unsqueeze", "movedim", "clamp", "eq", "allclose", "isclose", "numel", "topk",
           "histogram", "is_tensor"]


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), __all__, "cr.")
