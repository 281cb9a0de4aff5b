"""Batching: how each op of the table treats a batch axis, the column vmap reads.

A batching rule says how to apply an op to arguments that carry an extra
(batch) axis: `rule(op, values, dims, params) -> (result, result_dim)`,
where `values` are the full arrays or Tensors (the batch axis included),
`dims[i]` is the batch axis of `values[i]` (None for an unbatched one) and
`params` are the op's keyword parameters as the per-example call gave them.
The rule calls ops (so the batched computation is itself differentiable)
and returns the batched result and the axis its batch lies on.

Rules are declared with `defbatch`, one per op, beside the op table. Generic
rules cover whole kinds of op: every `partial=` row is elementwise (align
the batch axes and broadcast), reductions and shape ops shift their
axis/axes/shape parameters past the batch axis. An op without a rule makes
`vmap` fail with an error naming it, unless `vmap(..., fallback="loop")`
asks for one call per batch element.
"""

from __future__ import annotations

import os

import numpy as np

from .. import ops as _ops  # noqa: F401  (the table is complete before its batching column is filled)
from ..core import backend
from ..core.errors import ChainruleError
from ..core.modes import switches
from ..core.registry import OPS, Op
from ..core.tensor import STAND_IN_TYPES, Tensor, _plain_index


class BatchingError(ChainruleError):
    """An op met a batched value and has no batching rule (declare one with `defbatch`).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> twice = cr.custom_vjp(lambda x: 2 * x, lambda g, ans, x: 2 * g, name="twice_example")
        >>> try:
        ...     cr.vmap(twice)(np.ones((2, 3)))
        ... except BatchingError as exc:
        ...     print(str(exc)[:42])
        vmap: op 'twice_example' has no batching r
    """


class BatchedValueError(ChainruleError):
    """Code under vmap read the value of a batched tensor into NumPy or Python (one example has none).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> try:
        ...     cr.vmap(lambda x: float(x.sum()))(np.ones((2, 3)))
        ... except BatchedValueError:
        ...     print("refused")
        refused
    """


class BatchingFallbackWarning(RuntimeWarning):
    """A transform fell back to one call per batch element because an op has no batching rule.

    Example:
        >>> import warnings, numpy as np, chainrule as cr
        >>> thrice = cr.custom_vjp(lambda x: 3 * x, lambda g, ans, x: 3 * g, name="thrice_example")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = cr.vmap(thrice, fallback="warn")(np.ones((2, 3)))
        >>> caught[0].category.__name__
        'BatchingFallbackWarning'
    """


def defbatch(op, rule):
    """Declare `rule` as how `op` (an Op or its name) treats a batch axis; returns the op.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> from chainrule.batching import defbatch, elementwise
        >>> halve = cr.defop("halve_example", lambda x: x / 2, vjp=lambda g, ans, x: g / 2, jvp="linear")
        >>> _ = defbatch(halve, elementwise)
        >>> cr.vmap(halve)(np.array([2.0, 4.0]))
        tensor([1., 2.], dtype=float64)
    """
    if not isinstance(op, Op):
        if op not in OPS:
            raise ChainruleError(f"defbatch: no op named {op!r} in the table")
        op = OPS[op]
    if not callable(rule):
        raise ChainruleError(f"defbatch({op.name!r}): the rule must be callable, got {type(rule).__name__}")
    op.batch = rule
    return op


def batch_rule(op):
    """op's batching rule: its declared one, the elementwise rule for a `partial=` row, else None.

    Example:
        >>> import chainrule as cr
        >>> batch_rule(cr.core.OPS["sin"]).__name__
        'elementwise'
    """
    rule = op.batch
    if rule is None and op.partial is not None:
        return elementwise
    return rule


# ---- the batched value ------------------------------------------------------------
_SHAPE_ONLY = frozenset({np.shape, np.ndim, np.size, np.iscomplexobj, np.isrealobj, np.result_type})


# NumPy ufuncs met by a batch (`ndarray > batch`, `np.isnan(batch)`, `mask & ~batch`) and the ops that do them
_BITWISE = ("bitwise_and", "bitwise_or", "invert")  # on booleans: what NumPy's &, |, ~ of masks call
_UFUNC_NAMES = {"bitwise_and": "logical_and", "bitwise_or": "logical_or", "invert": "logical_not",
                "multiply": "mul", "subtract": "sub", "divide": "div", "true_divide": "div", "negative": "neg",
                "power": "pow", "absolute": "abs", "remainder": "mod"}
# value tests and logic by comparisons (ops of the table): NaN is unequal to itself, x - x is NaN off the reals
_TESTS = {
    "isnan": lambda x: OPS["not_equal"](x, x),
    "isfinite": lambda x: OPS["equal"](OPS["sub"](x, x), 0.0),
    "logical_and": lambda x, y: OPS["mul"](OPS["not_equal"](x, 0), OPS["not_equal"](y, 0)),
    "logical_or": lambda x, y: OPS["not_equal"](OPS["add"](OPS["not_equal"](x, 0), OPS["not_equal"](y, 0)), 0),
    "logical_not": lambda x: OPS["equal"](x, 0),
    "isinf": lambda x: OPS["mul"](OPS["equal"](x, x), OPS["not_equal"](OPS["sub"](x, x), 0.0)),
}


def _to_level(name, op_name, reflected=False):
    """A BatchedTensor operator: its op called through the level's interceptor when that is the one
    installed (as Op.__call__ would call it, less its own pass over the arguments), else Tensor's operator."""
    op, fallback = OPS[op_name], getattr(Tensor, name)

    def operator(self, other):
        handle = switches.intercept
        if handle is None or handle is not self._level.handle:
            return fallback(self, other)
        return handle(op, (other, self) if reflected else (self, other), {})

    operator.__name__ = name
    return operator


class BatchedTensor(Tensor):
    """What a function under `vmap` sees in place of a batched argument: one example of it.

    `.shape`, `.dtype` and `.ndim` are those of one example; ops applied to it
    act on the whole batch (`_value`, batch axis `_bdim`) through the op's
    batching rule. Reading values into Python (`float`, `.item()`, `.numpy()`)
    is refused: under vmap there is no single value to read.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> shapes = []
        >>> _ = cr.vmap(lambda x: shapes.append(x.shape) or x)(np.ones((5, 3)))
        >>> shapes
        [(3,)]
    """

    __slots__ = ("_value", "_bdim", "_level")

    def _refuse(self, *args, **kwargs):
        raise BatchedValueError("cannot read the value of a batched tensor inside vmap (it stands for a whole "
                             "batch); keep the computation in chainrule ops, or loop in Python instead")

    numpy = item = tolist = __array__ = __bool__ = __float__ = __int__ = __index__ = __format__ = _refuse
    any = all = _refuse  # a truth value for the whole batch would decide every example alike
    __setitem__ = _update_in_place = _refuse
    data = property(_refuse, _refuse)

    # masks: logical operators on boolean batches (NumPy's, which rules use on comparisons)
    def __invert__(self):
        return OPS["equal"](self, False) if self.dtype == bool else self._refuse()

    def __and__(self, other):
        return OPS["mul"](self, other) if self.dtype == bool else self._refuse()

    def __or__(self, other):
        return OPS["add"](self, other) if self.dtype == bool else self._refuse()

    __rand__, __ror__ = __and__, __or__

    # arithmetic straight to this level's interceptor when it is the one installed (what Op.__call__ would
    # do with a stand-in, less its own pass over the arguments); otherwise Tensor's operator
    __add__, __radd__ = _to_level("__add__", "add"), _to_level("__radd__", "add", True)
    __sub__, __rsub__ = _to_level("__sub__", "sub"), _to_level("__rsub__", "sub", True)
    __mul__, __rmul__ = _to_level("__mul__", "mul"), _to_level("__rmul__", "mul", True)
    __truediv__, __rtruediv__ = _to_level("__truediv__", "div"), _to_level("__rtruediv__", "div", True)
    __matmul__, __rmatmul__ = _to_level("__matmul__", "matmul"), _to_level("__rmatmul__", "matmul", True)

    def __getitem__(self, index):  # indexing likewise
        handle = switches.intercept
        if handle is None or handle is not self._level.handle:
            return Tensor.__getitem__(self, index)
        return handle(OPS["getitem"], (self,), {"index": _plain_index(index)})

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # `ndarray > batch`, `np.isnan(batch)`: the op of the table with the ufunc's name, batched by vmap
        name = _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__)
        if ufunc.__name__ in _BITWISE and any(np.result_type(x) is not np.dtype(bool) for x in inputs):
            self._refuse()  # bitwise on integers: no op of the table does it
        if method == "__call__" and not kwargs:
            if name in OPS:
                return OPS[name](*inputs)
            if name in _TESTS:
                return _TESTS[name](*inputs)
        return Tensor.__array_ufunc__(self, ufunc, method, *inputs, **kwargs)  # chainrule's version, or a refusal

    def __array_function__(self, func, types, args, kwargs):
        if func in _SHAPE_ONLY:  # questions one example's shape and dtype answer
            return func(*[a._data if isinstance(a, Tensor) else a for a in args], **kwargs)
        return Tensor.__array_function__(self, func, types, args, kwargs)  # chainrule's version, or a refusal

    def detach(self):
        return make_batched(self._value.detach(), self._bdim, self._level)

    def backward(self, *args, **kwargs):
        # .grad holds one array per leaf: a batch of losses has no place there (torch.func refuses it too)
        raise ChainruleError("backward() inside vmap: .grad has no per-example meaning; differentiate with "
                             "cr.grad(f) (or cr.vjp) inside the vmapped function instead")

    def __repr__(self):
        return f"BatchedTensor(batch axis {self._bdim} of {self._value!r})"


STAND_IN_TYPES.add(BatchedTensor)
_new = object.__new__

# CHAINRULE_CHECK_STAND_INS=1: a stand-in's array holds NaN (floats) or a sentinel (integers) instead of
# its first example's values, so code that reads a stand-in's values instead of batching them shows it
# (tests/test_stand_in_reads.py runs the vmap tests so). Off, the array is a free view of example 0.
CHECK_STAND_INS = os.environ.get("CHAINRULE_CHECK_STAND_INS") == "1"
_SENTINEL = 7777  # an index no test array has: a read of it fails or stands out


def no_example(example):
    """An array of `example`'s shape and dtype holding no example's values (CHECK_STAND_INS).

    Example:
        >>> no_example(np.zeros((2,), np.float32))
        array([nan, nan], dtype=float32)
    """
    if example.dtype.kind in "fc":
        return np.full(example.shape, np.nan, example.dtype)
    if example.dtype.kind in "iu":
        return np.full(example.shape, _SENTINEL, example.dtype)
    return example  # (booleans have no value to spare)


def make_batched(value, bdim, level):
    """A BatchedTensor for `level` whose batch lies on axis `bdim` of `value` (a Tensor or array).

    Example:
        >>> import numpy as np
        >>> make_batched(np.zeros((4, 2, 3)), 1, None).shape
        (4, 3)
    """
    if not isinstance(value, Tensor):
        value = Tensor._wrap(backend.as_array(value))
    b = _new(BatchedTensor)
    full = value._data
    if full.shape[bdim]:
        # a view: one example's shape and dtype, no copy (a front batch, the rules' usual answer, indexed directly)
        example = full[0] if bdim == 0 else full[(slice(None),) * bdim + (0,)]
        if CHECK_STAND_INS:
            example = no_example(example)
    else:
        example = np.zeros(full.shape[:bdim] + full.shape[bdim + 1:], full.dtype, like=backend.like(full))
    b._data, b._node, b._rg = example, None, value._rg
    b._value, b._bdim, b._level = value, bdim, level
    return b


def drawn_for(x, draw, what):
    """`draw(shape)` (an array of random numbers) for the values x stands for, as x's vmaps ask (`randomness`):
    outside vmap, or with "same", one draw of one example's shape (an array); with "different", one draw per
    example (a stand-in like x, of the whole batch's shape); with "error" (the default), refused.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> ones = lambda shape: np.ones(shape)
        >>> cr.vmap(lambda x: x * drawn_for(x, ones, "a draw"), randomness="different")(np.ones((3, 2))).shape
        (3, 2)
    """
    if not isinstance(x, BatchedTensor):
        return draw(np.shape(x._data if isinstance(x, Tensor) else x))
    chain, full = [], x
    while isinstance(full, BatchedTensor):
        chain.append(full)
        full = full._value
    modes = {b._level.randomness for b in chain}
    if "error" in modes or len(modes) > 1:
        raise BatchedValueError(f"{what} draws random numbers inside vmap: pass vmap(..., randomness='different') "
                                "for a draw per example or randomness='same' for one draw shared by all (the same "
                                "for nested vmaps), or turn training off (model.eval())")
    if modes == {"same"}:
        return draw(x._data.shape)
    out = Tensor._wrap(draw(full._data.shape))
    for b in reversed(chain):  # the batch axes of x's vmaps, outermost first
        out = make_batched(out, b._bdim, b._level)
    return out


from .rules import elementwise  # noqa: E402  (the rules need the names above)
from .table import install  # noqa: E402

install(defbatch)

__all__ = ["defbatch", "batch_rule", "BatchingError", "BatchedValueError", "BatchingFallbackWarning",
           "BatchedTensor", "elementwise", "drawn_for"]
