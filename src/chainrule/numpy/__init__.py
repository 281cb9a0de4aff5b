"""`import chainrule.numpy as np`: NumPy's names and meanings, differentiable.

A NumPy program differentiates by changing its import::

    >>> import chainrule as cr
    >>> import chainrule.numpy as np
    >>> def f(x):
    ...     return np.sum(np.tanh(x) ** 2, axis=0) / np.var(x)
    >>> g = cr.grad(f)(np.array([0.5, -1.0, 2.0]))
    >>> g.shape
    (3,)

Functions with a derivative map to chainrule's ops (by the name table in
`_table.py`, looked up when first used, so ops added later appear by
themselves); functions without one (comparisons, `argsort`, `floor`,
`isnan`, `shape`, ...) run NumPy on the arrays and return plain results;
array creation (`array`, `zeros`, `linspace`, `random.*`) gives plain
ndarrays as NumPy does (`grad` converts its inputs); constants and dtypes
are NumPy's. A name chainrule does not cover raises AttributeError saying
it has no derivative rule yet:

    >>> np.sinc_of_the_moon
    Traceback (most recent call last):
    ...
    chainrule.numpy._resolve.NumpyNamespaceError: chainrule.numpy.sinc_of_the_moon: ...

Values on plain arrays are NumPy's; on tensors they are recorded. Complex
numbers are not supported yet.
"""

from __future__ import annotations

import sys as _sys

import numpy as _np

from ..core.tensor import STAND_IN_TYPES as _STAND_IN_TYPES
from ..core.tensor import Tensor as _Tensor
from ..ops import numpy_dispatch as _numpy_dispatch
from . import _arrays, _math, _products, fft, linalg
from . import random as random
from ._creation import array as array  # the re-exports: NumPy's array-making names
from ._creation import as_array_arg, to_plain
from ._creation import asanyarray as asanyarray
from ._creation import asarray as asarray
from ._creation import ascontiguousarray as ascontiguousarray
from ._creation import concatenate as concatenate
from ._creation import copy as copy
from ._creation import stack as stack
from ._resolve import (
    find_op,
    missing,
    numpy_constant,
    wrap_elementwise,
    wrap_function,
    wrap_passthrough,
    wrap_reduction,
)
from ._table import (
    BINARY,
    FUNCTIONS,
    PASSTHROUGH,
    PREFER_COMPOSITE,
    REDUCTIONS,
    SEQUENCE_FUNCTIONS,
    UNARY,
)

newaxis = None
_COMPOSITES = {name: getattr(m, name) for m in (_math, _arrays, _products) for name in m.__all__}


# ---- making arrays (array, asarray, copy, stack, concatenate: see _creation.py) ------------------
def full(shape, fill_value, dtype=None, **kwargs):
    """numpy.full; a tensor fill value is broadcast differentiably.

    Example:
        >>> import chainrule as cr, chainrule.numpy as np
        >>> np.full((2,), cr.tensor(3.0, requires_grad=True)).sum()
        tensor(6., op=sum)
    """
    if isinstance(fill_value, _Tensor):
        from ..ops import broadcast_to

        out = broadcast_to(fill_value, (shape,) if isinstance(shape, int) else tuple(shape))
        return out if dtype is None else out.astype(dtype)
    return _np.full(shape, fill_value, dtype=dtype, **kwargs)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """numpy.linspace, differentiable in start and stop when they are tensors (else NumPy's array).

    Example:
        >>> import chainrule as cr, chainrule.numpy as np
        >>> float(cr.grad(lambda a: np.linspace(a, 1.0, 5).sum())(0.0))
        2.5
    """
    if not (isinstance(start, _Tensor) or isinstance(stop, _Tensor)) or retstep or axis != 0:
        return _np.linspace(to_plain(start), to_plain(stop), num, endpoint, retstep, dtype, axis)
    from .. import ops
    from ..ops.shape import getitem

    steps = max(num - 1 if endpoint else num, 1)
    fraction = _np.arange(num, dtype=float) / steps
    shape = (num,) + (1,) * max(_np.ndim(to_plain(start)), _np.ndim(to_plain(stop)))
    fraction = fraction.reshape(shape)
    out = ops.add(start, ops.mul(ops.sub(stop, start), fraction))
    if endpoint and num > 1:  # the last point is exactly stop, as NumPy makes it
        out = ops.concatenate([getitem(out, index=slice(0, -1)),
                               ops.expand_dims(ops.add(ops.mul(start, 0.0), stop), 0)])
    return out if dtype is None else out.astype(dtype)


class _Joiner:
    """np.r_ and np.c_: index expressions joining arrays and ranges along an axis."""

    def __init__(self, columns):
        self.columns = columns

    def __getitem__(self, key):
        parts = key if isinstance(key, tuple) else (key,)
        if not any(isinstance(p, _Tensor) for p in parts):
            return (_np.c_ if self.columns else _np.r_)[to_plain(key)]
        pieces = []
        for p in parts:
            if isinstance(p, slice):
                p = _np.r_[p]
            elif not isinstance(p, _Tensor):
                p = _np.asarray(p)
            pieces.append(p)
        from . import _arrays

        if self.columns:
            return concatenate([_arrays.atleast_2d(p) if _np.ndim(to_plain(p)) != 1 else p.reshape(-1, 1)
                                for p in pieces], axis=-1)
        return concatenate([_arrays.atleast_1d(p) for p in pieces], axis=0)


r_ = _Joiner(columns=False)
c_ = _Joiner(columns=True)


# ---- functions whose NumPy signature differs from the op's --------------------------------
def where(condition, x=None, y=None):
    """numpy.where(condition, x, y), differentiable in x and y; where(condition) is nonzero (plain).

    Example:
        >>> import chainrule.numpy as np
        >>> np.where(np.array([True, False]), 1.0, 2.0)
        array([1., 2.])
    """
    if x is None and y is None:
        return _np.nonzero(to_plain(condition))
    from ..ops import where as where_op

    if isinstance(condition, _Tensor):  # its array; a vmap stand-in itself (the op batches it)
        cond = condition if type(condition) in _STAND_IN_TYPES else condition._data
    else:
        cond = _np.asarray(to_plain(condition))
    return where_op(cond, as_array_arg(x), as_array_arg(y))


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None, **kwargs):
    """numpy.clip: numbers as bounds use the clip op; array bounds go through maximum/minimum.

    Example:
        >>> import chainrule.numpy as np
        >>> np.clip(np.array([-2.0, 0.5, 3.0]), -1, 1)
        array([-1. ,  0.5,  1. ])
    """
    lo, hi = (a_min if a_min is not None else min), (a_max if a_max is not None else max)
    if out is not None or kwargs:
        from ._resolve import _unsupported

        return _unsupported("clip", "out=", (a, lo, hi), dict(kwargs, out=out), _np.clip)
    from .. import ops

    a = as_array_arg(a)
    if all(b is None or _np.ndim(to_plain(b)) == 0 and not isinstance(b, _Tensor) for b in (lo, hi)):
        return ops.clip(a, min=None if lo is None else float(lo), max=None if hi is None else float(hi))
    if lo is not None:
        a = ops.maximum(a, lo)
    return a if hi is None else ops.minimum(a, hi)


def reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    """numpy.reshape (row-major only), differentiable.

    Example:
        >>> import chainrule.numpy as np
        >>> np.reshape(np.arange(6.0), (2, -1)).shape
        (2, 3)
    """
    from .. import ops

    if order != "C":
        raise ValueError("chainrule.numpy.reshape: only order='C' (row-major) is supported")
    shape = newshape if shape is None else shape
    return ops.reshape(as_array_arg(a), (shape,) if isinstance(shape, int) else tuple(shape))


def einsum(*operands, **kwargs):
    """numpy.einsum, differentiable: the subscripts string or NumPy's interleaved (operand, sublist) form.

    Example:
        >>> import chainrule.numpy as np
        >>> np.einsum(np.ones((2, 3)), [0, 1], np.ones((3, 4)), [1, 2], [0, 2]).shape
        (2, 4)
    """
    contraction = find_op("einsum")
    if contraction is None:
        raise missing(__name__, "einsum")
    if operands and not isinstance(operands[0], str):
        operands = _interleaved_to_subscripts(operands)
    return contraction(operands[0], *(as_array_arg(x) for x in operands[1:]), **kwargs)


def _interleaved_to_subscripts(args):
    """einsum(a, [0, 1], b, [1, 2], [0, 2]) as ("ab,bc->ac", a, b)."""
    def letters(sublist):
        return "".join("..." if s is Ellipsis else "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[s]
                       for s in sublist)

    output = args[-1] if len(args) % 2 else None  # an odd count ends with the output sublist
    body = args[:-1] if output is not None else args
    arrays, sublists = list(body[0::2]), list(body[1::2])
    subscripts = ",".join(letters(s) for s in sublists)
    if output is not None:
        subscripts += "->" + letters(output)
    return (subscripts, *arrays)


# ---- everything else: the name table ----------------------------------------------------------
def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    fn = _RESOLVED.get(name)
    if fn is None:
        # kept apart from globals(): a cached `any` or `sum` would shadow the builtins this module uses
        fn = _RESOLVED[name] = resolve(name)
    return fn


_RESOLVED: dict = {}


def resolve(name):
    """chainrule.numpy's function for NumPy's `name` (see the module docstring); AttributeError if none.

    Example:
        >>> import chainrule.numpy as np
        >>> np.resolve("tanh").__name__
        'tanh'
    """
    numpy_fn = getattr(_np, name, None)
    for table, wrap in ((UNARY, wrap_elementwise), (BINARY, wrap_elementwise), (REDUCTIONS, wrap_reduction)):
        if name in table:
            fn = _op_or_composite(name, table[name])
            if fn is None:
                raise missing(__name__, name)
            return wrap(name, fn, numpy_fn)
    for table, sequence in ((FUNCTIONS, False), (SEQUENCE_FUNCTIONS, True)):
        if name in table:
            fn = _op_or_composite(name, table[name])
            if fn is None:
                raise missing(__name__, name)
            return wrap_function(name, fn, sequence)
    if name in PASSTHROUGH and numpy_fn is not None:
        return wrap_passthrough(name, numpy_fn)
    constant = numpy_constant(_np, name)
    if constant is not None:
        return constant
    if numpy_fn is not None and not name.startswith("_"):
        fn = find_op(name)  # an op a later module added under NumPy's name
        if fn is not None:
            return wrap_function(name, fn)
    raise missing(__name__, name)


def _op_or_composite(name, candidates):
    if name in PREFER_COMPOSITE:
        return _COMPOSITES[name]
    return find_op(candidates) or _COMPOSITES.get(name)


def __dir__():
    names = {n for n in globals() if not n.startswith("_")} | set(UNARY) | set(BINARY) | set(REDUCTIONS)
    return sorted(names | set(FUNCTIONS) | set(SEQUENCE_FUNCTIONS) | PASSTHROUGH | {"linalg", "fft", "random"})


def covered():
    """The differentiable NumPy names chainrule.numpy has a function for right now (sorted).

    Example:
        >>> import chainrule.numpy as np
        >>> {"sin", "sum", "tensordot"} <= set(np.covered())
        True
    """
    names = []
    for table in (UNARY, BINARY, REDUCTIONS, FUNCTIONS, SEQUENCE_FUNCTIONS):
        for name, candidates in table.items():
            if name in globals() or _op_or_composite(name, candidates) is not None:
                names.append(name)
    return sorted(set(names))


def _dispatch_resolver(module, name):
    """The function NumPy's `module.name` dispatches to on tensors (see ops/numpy_dispatch.py), or None."""
    namespace = linalg if module.startswith("numpy.linalg") else fft if module.startswith("numpy.fft") else (
        _sys.modules[__name__])
    fn = getattr(namespace, name, None)
    return fn if callable(fn) else None


_numpy_dispatch.set_namespace_resolver(_dispatch_resolver)
