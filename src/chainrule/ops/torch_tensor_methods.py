"""PyTorch's Tensor methods that small scripts reach for: `expand`, `chunk`, `split`, `masked_fill`, `gather`,
`index_select`, `norm`, `mm`, ... each a composite of table ops (so differentiable, and batched under vmap,
wherever PyTorch's is), with PyTorch's meaning where it differs from NumPy's.

Example:
    >>> import chainrule as cr
    >>> x = cr.arange(6.0).reshape(2, 3)
    >>> [c.shape for c in x.chunk(2, dim=1)], x.masked_fill(x > 3, 0.0).tolist()
    ([(2, 2), (2, 1)], [[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]])
"""

from __future__ import annotations

import math

import numpy as np

from ..core.engine_ops import broadcast_to, cast
from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from . import arrays
from . import elementwise as E
from . import reduce as R
from . import shape as S
from ._util import normalize_axes, value_of


def _shape(x):
    return x._data.shape


def expand(self, *sizes):
    """The tensor broadcast to `sizes` (-1 keeps an axis), as torch's expand: a view, no copy.

    Example:
        >>> import chainrule as cr
        >>> cr.tensor([[1.0], [2.0]]).expand(2, 3).tolist()
        [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]
    """
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    shape, lead = _shape(self), len(sizes) - len(_shape(self))
    if lead < 0:
        raise ChainruleError(f"expand: {len(sizes)} sizes for a tensor of {len(shape)} axes; give at least as many")
    target = tuple(shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    if any(s == -1 for s in target[:lead]):
        raise ChainruleError("expand: -1 can only keep an existing axis, not size a new leading one")
    return broadcast_to(self, shape=target)


def _bounds(sizes):
    starts = np.cumsum([0] + list(sizes)).tolist()
    return [(a, b) for a, b in zip(starts, starts[1:])]


def _pieces(self, dim, sizes):
    dim = normalize_axes(dim, len(_shape(self)))[0]
    lead = (slice(None),) * dim
    return tuple(S.getitem(self, index=lead + (slice(a, b),)) for a, b in _bounds(sizes))


def split(self, split_size_or_sections, dim=0):
    """Pieces along `dim`: of `split_size_or_sections` each (the last smaller), or of the listed sizes (torch's
    split, not numpy's, which counts sections).

    Example:
        >>> import chainrule as cr
        >>> [p.tolist() for p in cr.arange(5.0).split(2)]
        [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """
    n = _shape(self)[normalize_axes(dim, len(_shape(self)))[0]]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise ChainruleError(f"split: sizes {sizes} add up to {sum(sizes)}, but the axis has {n}")
    else:
        size = int(split_size_or_sections)
        if size <= 0:
            raise ChainruleError(f"split: the piece size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else [])
    return _pieces(self, dim, sizes)


def chunk(self, chunks, dim=0):
    """At most `chunks` pieces along `dim`, each of ceil(n / chunks) (the last smaller), as torch's chunk.

    Example:
        >>> import chainrule as cr
        >>> [p.shape for p in cr.zeros((5, 2)).chunk(3)]
        [(2, 2), (2, 2), (1, 2)]
    """
    if int(chunks) <= 0:
        raise ChainruleError(f"chunk: the number of chunks must be positive, got {chunks}")
    n = _shape(self)[normalize_axes(dim, len(_shape(self)))[0]]
    return split(self, max(1, math.ceil(n / int(chunks))), dim) if n else (self,)


def unbind(self, dim=0):
    """The slices along `dim`, that axis removed, as a tuple (torch's unbind).

    Example:
        >>> import chainrule as cr
        >>> [r.tolist() for r in cr.eye(2).unbind()]
        [[1.0, 0.0], [0.0, 1.0]]
    """
    dim = normalize_axes(dim, len(_shape(self)))[0]
    return tuple(S.getitem(self, index=(slice(None),) * dim + (i,)) for i in range(_shape(self)[dim]))


def narrow(self, dim, start, length):
    """`length` entries along `dim` from `start` (torch's narrow): a view.

    Example:
        >>> import chainrule as cr
        >>> cr.arange(5.0).narrow(0, 1, 3).tolist()
        [1.0, 2.0, 3.0]
    """
    dim = normalize_axes(dim, len(_shape(self)))[0]
    n = _shape(self)[dim]
    start = start + n if start < 0 else start
    if not 0 <= start <= start + length <= n:
        raise ChainruleError(f"narrow: entries {start}..{start + length} are outside the axis of {n}")
    return S.getitem(self, index=(slice(None),) * dim + (slice(start, start + length),))


def masked_fill(self, mask, value):
    """`value` where `mask` is True, the tensor elsewhere (torch's masked_fill; mask broadcasts).

    Example:
        >>> import chainrule as cr
        >>> cr.tensor([1.0, -2.0]).masked_fill(cr.tensor([False, True]), 0.0).tolist()
        [1.0, 0.0]
    """
    if value_of(mask).dtype != np.bool_:
        raise ChainruleError("masked_fill needs a boolean mask (e.g. x > 0)")
    return E.where(mask, value, self)


def gather(self, dim, index):
    """Entries picked along `dim` by `index` (torch's gather): out[i][j] = x[index[i][j]][j] for dim 0. `index`
    has the tensor's number of axes and may be shorter than it along the others.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.tensor([[1.0, 2.0], [3.0, 4.0]]).gather(1, np.array([[1], [0]])).tolist()
        [[2.0], [3.0]]
    """
    idx = np.asarray(value_of(index))
    nd = len(_shape(self))
    if idx.ndim != nd:
        raise ChainruleError(f"gather: index has {idx.ndim} axes, the tensor {nd}; give it as many")
    dim = normalize_axes(dim, nd)[0]
    if any(i > n for a, (i, n) in enumerate(zip(idx.shape, _shape(self))) if a != dim):
        raise ChainruleError(f"gather: index of shape {idx.shape} is larger than the tensor {_shape(self)} "
                             f"along an axis other than {dim}")
    part = S.getitem(self, index=tuple(slice(None) if a == dim else slice(0, i) for a, i in enumerate(idx.shape)))
    return arrays.take_along_axis(part, idx, axis=dim)


def index_select(self, dim, index):
    """Whole slices along `dim` at the 1-d `index` (torch's index_select).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.eye(3).index_select(0, np.array([2, 0])).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    idx = np.asarray(value_of(index))
    if idx.ndim > 1:
        raise ChainruleError(f"index_select needs a 1-d index, got {idx.ndim} axes")
    return arrays.take(self, idx.reshape(-1), axis=dim)


def norm(self, p="fro", dim=None, keepdim=False):
    """The p-norm over `dim` (all entries by default; torch's Tensor.norm): p = 2 or "fro", 1, inf, -inf, 0
    (the count of nonzeros) or any other number. Its gradient at 0 is 0, as PyTorch's.

    Example:
        >>> import chainrule as cr
        >>> float(cr.tensor([3.0, -4.0]).norm()), float(cr.tensor([3.0, -4.0]).norm(1))
        (5.0, 7.0)
    """
    axis = None if dim is None else (tuple(dim) if isinstance(dim, (list, tuple)) else dim)
    if p in ("fro", 2, 2.0):
        return R.sqrt_or_zero(R.sum(self * self, axis=axis, keepdims=keepdim))
    a = E.abs(self)
    if p in (1, 1.0):
        return R.sum(a, axis=axis, keepdims=keepdim)
    if p == math.inf:
        return R.max(a, axis=axis, keepdims=keepdim)
    if p == -math.inf:
        return R.min(a, axis=axis, keepdims=keepdim)
    if p == 0:
        return R.sum(cast(E.not_equal(self, 0), dtype=self.dtype), axis=axis, keepdims=keepdim)
    if not isinstance(p, (int, float)):
        raise ChainruleError(f"norm: p must be a number, 'fro', inf or -inf, got {p!r}")
    return R.sum(a ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


def mm(self, other):
    """The matrix product of two 2-d tensors (torch's mm; matmul broadcasts, mm does not).

    Example:
        >>> import chainrule as cr
        >>> cr.eye(2).mm(cr.ones((2, 3))).shape
        (2, 3)
    """
    if len(_shape(self)) != 2 or np.ndim(value_of(other)) != 2:
        raise ChainruleError(f"mm needs two 2-d tensors, got {_shape(self)} and {np.shape(value_of(other))}; "
                             "use matmul (@) for others")
    return self @ other


def bmm(self, other):
    """Matrix products of two batches of matrices, (b, n, m) @ (b, m, p) (torch's bmm).

    Example:
        >>> import chainrule as cr
        >>> cr.ones((4, 2, 3)).bmm(cr.ones((4, 3, 5))).shape
        (4, 2, 5)
    """
    a, b = _shape(self), np.shape(value_of(other))
    if len(a) != 3 or len(b) != 3 or a[0] != b[0]:
        raise ChainruleError(f"bmm needs two 3-d tensors with the same batch, got {a} and {b}")
    return self @ other


def _as_bool(x):
    return x if value_of(x).dtype == np.bool_ else E.not_equal(x, 0)


def _all(self, dim=None, keepdim=False):
    # no entry is zero: a boolean tensor made by ops (so cr.jit guards a branch on it, and vmap batches it)
    zeros = cast(E.equal(_as_bool(self), False), dtype=np.int64)
    return E.equal(R.sum(zeros, axis=dim, keepdims=keepdim), 0)


def _any(self, dim=None, keepdim=False):
    return E.not_equal(R.sum(cast(_as_bool(self), dtype=np.int64), axis=dim, keepdims=keepdim), 0)


METHODS = {
    "expand": expand,
    "expand_as": lambda self, other: expand(self, *np.shape(value_of(other))),
    "split": split, "split_with_sizes": lambda self, split_sizes, dim=0: split(self, list(split_sizes), dim),
    "chunk": chunk, "unbind": unbind, "narrow": narrow,
    "masked_fill": masked_fill,
    "masked_select": lambda self, mask: S.getitem(broadcast_to(self, shape=np.broadcast_shapes(
        _shape(self), np.shape(value_of(mask)))), index=np.asarray(value_of(mask), dtype=bool)),
    "gather": gather, "take_along_dim": lambda self, indices, dim=None: arrays.take_along_axis(
        self, np.asarray(value_of(indices)), axis=dim),
    "index_select": index_select,
    "norm": norm,
    "amax": lambda self, dim=None, keepdim=False: R.max(self, axis=dim, keepdims=keepdim),
    "amin": lambda self, dim=None, keepdim=False: R.min(self, axis=dim, keepdims=keepdim),
    "type_as": lambda self, other: self.type(value_of(other).dtype),
    "contiguous": lambda self, memory_format=None: self,
    "mm": mm, "bmm": bmm,
    "neg": lambda self: E.neg(self), "rsqrt": lambda self: 1.0 / E.sqrt(self),
    "lerp": lambda self, end, weight: self + weight * (end - self),
    "addcmul": lambda self, tensor1, tensor2, value=1: self + value * tensor1 * tensor2,
    "addcdiv": lambda self, tensor1, tensor2, value=1: self + value * tensor1 / tensor2,
    "logical_not": lambda self: E.equal(_as_bool(self), False),
    "logical_and": lambda self, other: E.mul(_as_bool(self), _as_bool(other)),
    "logical_or": lambda self, other: E.add(_as_bool(self), _as_bool(other)),
    "isnan": lambda self: np.isnan(self), "isinf": lambda self: np.isinf(self),
    "isfinite": lambda self: np.isfinite(self),
    "all": _all, "any": _any,
    "count_nonzero": lambda self, dim=None: R.sum(cast(_as_bool(self), dtype=np.int64), axis=dim),
    "nonzero": lambda self, as_tuple=False: (tuple(Tensor(i) for i in np.nonzero(np.asarray(value_of(self))))
                                             if as_tuple else Tensor(np.argwhere(np.asarray(value_of(self))))),
    "new_empty": lambda self, *size, dtype=None, requires_grad=False: Tensor(np.zeros(
        S._shape_arg(size), dtype=dtype or self.dtype), requires_grad=requires_grad),
}

__all__ = ["METHODS", "expand", "split", "chunk", "unbind", "narrow", "masked_fill", "gather", "index_select",
           "norm", "mm", "bmm"]
