"""Operators and methods of Tensor, attached here because they need the ops.

`x + y` is `add(x, y)`, `x.sum(axis=1)` is `cr.sum(x, axis=1)`: every method
mirrors a module function, so there is one implementation of each.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import like, to_device
from ..core.engine_ops import cast
from ..core.tensor import Tensor, _plain_index
from . import arrays, complex_parts, cumulative, exponential, nan_aware, rounding, sorting, statistics, trigonometric
from . import contractions as C  # linalg
from . import elementwise as E
from . import linalg as L
from . import nn_ops as N
from . import reduce as R
from . import shape as S
from . import torch_extremes as TX


def _binary(op, reflected=False):
    if reflected:
        return lambda self, other: op(other, self)
    return lambda self, other: op(self, other)


_OPERATORS = {
    "__add__": _binary(E.add), "__radd__": _binary(E.add, True),
    "__sub__": _binary(E.sub), "__rsub__": _binary(E.sub, True),
    "__mul__": _binary(E.mul), "__rmul__": _binary(E.mul, True),
    "__truediv__": _binary(E.div), "__rtruediv__": _binary(E.div, True),
    "__pow__": _binary(E.pow), "__rpow__": _binary(E.pow, True),
    "__matmul__": _binary(L.matmul), "__rmatmul__": _binary(L.matmul, True),
    "__lt__": _binary(E.less), "__le__": _binary(E.less_equal),
    "__gt__": _binary(E.greater), "__ge__": _binary(E.greater_equal),
    "__eq__": _binary(E.equal), "__ne__": _binary(E.not_equal),
    "__neg__": lambda self: E.neg(self),
    "__pos__": lambda self: self,
    "__abs__": lambda self: E.abs(self),
    "__getitem__": lambda self, index: S.getitem(self, index=_plain_index(index)),
}


_UNARY_NUMPY_METHODS = (
    (trigonometric, ("sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "sinc",
                     "deg2rad", "rad2deg")),
    (exponential, ("square", "reciprocal", "log2", "log10", "exp2")),
    (rounding, ("floor", "ceil", "trunc", "rint", "fix")),
    (arrays, ("fliplr", "flipud")),
)
_SHORT_TRIG_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh", "acosh": "arccosh",
                     "atanh": "arctanh"}  # PyTorch's (and the array API's) names


def _reduction(fn):
    return lambda self, axis=None, keepdims=False: fn(self, axis=axis, keepdims=keepdims)


_METHODS = {
    # elementwise
    **{name: (lambda op: lambda self: op(self))(getattr(E, name))
       for name in ("exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh",
                    "sigmoid", "relu", "sign", "abs")},
    "clip": lambda self, min=None, max=None: E.clip(self, min=min, max=max),
    "maximum": lambda self, other: E.maximum(self, other),
    "minimum": lambda self, other: E.minimum(self, other),
    # reductions
    "sum": _reduction(R.sum), "prod": _reduction(R.prod), "logsumexp": _reduction(R.logsumexp),
    # PyTorch's: x.max() the element, x.max(dim) (values, indices), x.max(other) elementwise; axis= NumPy's
    "max": lambda self, dim=None, keepdim=False, *, axis=None, keepdims=False: TX.max(
        self, dim, keepdim, axis=axis, keepdims=keepdims),
    "min": lambda self, dim=None, keepdim=False, *, axis=None, keepdims=False: TX.min(
        self, dim, keepdim, axis=axis, keepdims=keepdims),
    "argmax": _reduction(R.argmax), "argmin": _reduction(R.argmin),
    "mean": lambda self, axis=None, keepdims=False: R.mean(self, axis, keepdims),
    "var": lambda self, axis=None, ddof=None, keepdims=False, *, correction=None, unbiased=None: R.var(
        self, axis, ddof, keepdims, correction=correction, unbiased=unbiased),
    "std": lambda self, axis=None, ddof=None, keepdims=False, *, correction=None, unbiased=None: R.std(
        self, axis, ddof, keepdims, correction=correction, unbiased=unbiased),
    # shape
    "reshape": lambda self, *shape: S.reshape(self, *shape),
    "transpose": lambda self, *axes: S.transpose(self, S._shape_arg(axes) if axes else None),
    "permute": lambda self, *dims: S.permute(self, *dims),
    "swapaxes": lambda self, a, b: S.swapaxes(self, a, b),
    "expand_dims": lambda self, axis: S.expand_dims(self, axis),
    "unsqueeze": lambda self, dim: S.expand_dims(self, dim),
    "squeeze": lambda self, axis=None: S.squeeze(self, axis),
    "flatten": lambda self, start_dim=0, end_dim=-1: S.flatten(self, start_dim, end_dim),
    "broadcast_to": lambda self, shape: S.broadcast_to(self, shape=tuple(shape)),
    # linear algebra and softmax family
    "matmul": lambda self, other: L.matmul(self, other),
    "dot": lambda self, other: L.dot(self, other),
    "softmax": lambda self, axis=-1: N.softmax(self, axis=axis),
    "log_softmax": lambda self, axis=-1: N.log_softmax(self, axis=axis),
    "astype": lambda self, dtype: _astype(self, dtype),
    # numpy surface: NumPy's and PyTorch's methods where both mean the same; where they differ
    # (sort, repeat) PyTorch's meaning, as every Tensor method, or a pointer to both
    **{name: (lambda op: lambda self: op(self))(getattr(module, name))
       for module, names in _UNARY_NUMPY_METHODS for name in names},
    "round": lambda self, decimals=0: rounding.round(self, decimals),
    "clamp": lambda self, min=None, max=None: E.clip(self, min=min, max=max),
    "cumsum": lambda self, axis=None: cumulative.cumsum(self, axis),
    "cumprod": lambda self, axis=None: cumulative.cumprod(self, axis),
    "argsort": lambda self, axis=-1, descending=False: _stable_order(self, axis, descending),
    "sort": lambda self, axis=-1, descending=False: _sort(self, axis, descending),
    "ravel": lambda self: arrays.ravel(self),
    "diagonal": lambda self, offset=0, axis1=0, axis2=1: arrays.diagonal(self, offset, axis1, axis2),
    "roll": lambda self, shifts, axis=None: arrays.roll(self, shifts, axis),
    "flip": lambda self, *axes: arrays.flip(self, S._shape_arg(axes) if axes else None),
    "tril": lambda self, k=0: arrays.tril(self, k),
    "triu": lambda self, k=0: arrays.triu(self, k),
    "tile": lambda self, *reps: arrays.tile(self, S._shape_arg(reps)),
    "repeat_interleave": lambda self, repeats, axis=None: arrays.repeat(self, repeats, axis),
    "repeat": lambda self, *args, **kwargs: _ambiguous_repeat(),
    **{short: (lambda op: lambda self: op(self))(getattr(trigonometric, long))
       for short, long in _SHORT_TRIG_NAMES.items()},
    **{name: (lambda op: lambda self, other: op(self, other))(op)
       for name, op in (("logaddexp", exponential.logaddexp), ("hypot", trigonometric.hypot),
                        ("arctan2", trigonometric.arctan2), ("atan2", trigonometric.arctan2),
                        ("fmax", nan_aware.fmax), ("fmin", nan_aware.fmin), ("fmod", rounding.fmod),
                        ("remainder", rounding.mod))},
    "nansum": lambda self, axis=None, keepdims=False: statistics.nansum(self, axis, keepdims),
    "nanmean": lambda self, axis=None, keepdims=False: statistics.nanmean(self, axis, keepdims),
    "nan_to_num": lambda self, nan=0.0, posinf=None, neginf=None: nan_aware.nan_to_num(self, nan, posinf, neginf),
    "quantile": lambda self, q, axis=None, keepdims=False: sorting.quantile(self, q, axis, keepdims),
    "diff": lambda self, n=1, axis=-1, prepend=None, append=None: cumulative.diff(self, n, axis, prepend, append),
    "rot90": lambda self, k=1, axes=(0, 1): arrays.rot90(self, k, axes),
    "take": lambda self, indices: arrays.take(self, indices),
    "diag": lambda self, k=0: arrays.diag(self, k),
    "conj": lambda self: complex_parts.conj(self),
    "conjugate": lambda self: complex_parts.conj(self),
    "angle": lambda self: complex_parts.angle(self),
    # linalg
    "trace": lambda self, offset=0, axis1=0, axis2=1: C.trace(self, offset, axis1, axis2),
}


class SortResult(tuple):
    """(values, indices), as PyTorch's Tensor.sort returns them.

    Example:
        >>> import chainrule as cr
        >>> cr.tensor([3.0, 1.0]).sort().indices
        tensor([1, 0])
    """

    __slots__ = ()

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])


def _stable_order(x, axis, descending):
    # descending: the ascending stable order of -x, so ties keep their order (PyTorch's stable sort). By the op:
    # under vmap each example is sorted by its own values, and cr.jit replays the sort
    v = x.detach()
    return sorting.argsort_op(E.neg(v) if descending else v, axis=axis, kind="stable")


def _sort(x, axis, descending):
    """PyTorch's Tensor.sort: (values, indices); ndarray.sort sorts in place, cr.sort is numpy.sort."""
    order = _stable_order(x, axis, descending)
    values = arrays.take(x, order) if axis is None else arrays.take_along_axis(x, order, axis)
    return SortResult((values, order))


def _ambiguous_repeat():
    raise AttributeError(
        "Tensor.repeat is ambiguous: PyTorch's Tensor.repeat tiles the whole tensor (use t.tile(...) or "
        "cr.tile), NumPy's ndarray.repeat repeats each element (use t.repeat_interleave(...) or cr.repeat)")


def _astype(x, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":  # an integer or bool result has no derivative: the graph ends here
        return _without_derivative(x, dtype)
    return cast(x, dtype=dtype)


def _without_derivative(x, dtype):
    """x cast to an integer or bool dtype, cut from the graph: by the op (under vmap each example's own; under
    cr.jit replayed, not baked)."""
    return cast(x.detach(), dtype=dtype)


# ---- in place: PyTorch's semantics (see Tensor._update_in_place) -------------------
def _in_place(op, rebind=False):
    return lambda self, other: self._update_in_place(op, other, rebind)


def _fill_(self, value):
    """x.fill_(v): every element set to v, in place."""
    return self._update_in_place(_FILL, value)


def _zero_(self):
    """x.zero_(): every element set to 0, in place."""
    return _fill_(self, 0)


def _copy_(self, source):
    """x.copy_(src): src's values (broadcast to x's shape) written into x, in place."""
    return self._update_in_place(_COPY, source)


def _clamp_(self, min=None, max=None):
    """x.clamp_(min, max): x clipped into [min, max], in place."""
    return self._update_in_place(lambda x, _: E.clip(x, min=min, max=max), None)


# `x.fill_(v)` and `x.copy_(src)` as ops of two inputs, so in-place updates of recorded
# tensors take their graph from them: the old value contributes nothing, the new one all.
_FILL = lambda x, v: E.add(E.mul(x, 0.0), v)  # noqa: E731  (x's shape and dtype, v's value)
_COPY = _FILL

_IN_PLACE = {
    "__iadd__": _in_place(E.add, True), "__isub__": _in_place(E.sub, True), "__imul__": _in_place(E.mul, True),
    "__itruediv__": _in_place(E.div, True), "__ipow__": _in_place(E.pow, True),
    "__imatmul__": _in_place(L.matmul, True),
    "add_": _in_place(E.add), "sub_": _in_place(E.sub), "mul_": _in_place(E.mul), "div_": _in_place(E.div),
    "pow_": _in_place(E.pow), "fill_": _fill_, "zero_": _zero_, "copy_": _copy_, "clamp_": _clamp_,
    "clip_": _clamp_,
}


# torch names: PyTorch's Tensor methods, each one a module function of chainrule
def _torch_methods():
    import numpy as np

    from . import activations as A
    from . import torch_names as TN

    def float_cast(dtype):
        return lambda self: _astype(self, dtype)

    def integer_cast(dtype):  # an integer result has no gradient: it leaves the graph, as in PyTorch
        return lambda self: _without_derivative(self, np.dtype(dtype))

    def type_(self, dtype=None):
        if dtype is None:
            return {"f": {2: "HalfTensor", 4: "FloatTensor", 8: "DoubleTensor"}, "i": {4: "IntTensor", 8: "LongTensor"},
                    "b": {1: "BoolTensor"}}.get(self.dtype.kind, {}).get(self.dtype.itemsize, str(self.dtype))
        dtype = np.dtype(dtype)
        return _astype(self, dtype) if dtype.kind == "f" else _without_derivative(self, dtype)

    def new(fill):
        return lambda self, *size, dtype=None, requires_grad=False: Tensor(np.full(  # on self's device
            S._shape_arg(size), fill, dtype=dtype or self.dtype, like=like(self._data)), requires_grad=requires_grad)

    return {
        "pow": lambda self, exponent: E.pow(self, exponent),
        "clamp_min": lambda self, min: TN.clamp(self, min=min),
        "clamp_max": lambda self, max: TN.clamp(self, max=max),
        "view": lambda self, *shape: S.reshape(self, *shape),
        "view_as": lambda self, other: S.reshape(self, tuple(other.shape)),
        "numel": lambda self: self._data.size, "nelement": lambda self: self._data.size,
        "dim": lambda self: self._data.ndim, "ndimension": lambda self: self._data.ndim,
        "clone": lambda self, memory_format=None: TN.clone(self),
        "float": float_cast(np.float32), "double": float_cast(np.float64), "half": float_cast(np.float16),
        "long": integer_cast(np.int64), "int": integer_cast(np.int32), "bool": integer_cast(np.bool_),
        "type": type_,
        "is_floating_point": lambda self: self._data.dtype.kind == "f",
        "eq": lambda self, other: E.equal(self, other), "ne": lambda self, other: E.not_equal(self, other),
        "lt": lambda self, other: E.less(self, other), "le": lambda self, other: E.less_equal(self, other),
        "gt": lambda self, other: E.greater(self, other), "ge": lambda self, other: E.greater_equal(self, other),
        "allclose": lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: TN.allclose(
            self, other, rtol, atol, equal_nan),
        "isclose": lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False: TN.isclose(
            self, other, rtol, atol, equal_nan),
        "movedim": lambda self, source, destination: TN.movedim(self, source, destination),
        "moveaxis": lambda self, source, destination: TN.movedim(self, source, destination),
        "topk": lambda self, k, dim=-1, largest=True, sorted=True: TN.topk(self, k, dim, largest, sorted),
        "erf": lambda self: A.erf(self),
        "t": lambda self: S.transpose(self) if self._data.ndim == 2 else self,
        "new_zeros": new(0), "new_ones": new(1),
        "new_full": lambda self, size, fill_value, dtype=None, requires_grad=False: Tensor(
            np.full(tuple(size), fill_value, dtype=dtype or self.dtype, like=like(self._data)),
            requires_grad=requires_grad),
        "new_tensor": lambda self, data, dtype=None, requires_grad=False: Tensor(
            to_device(np.array(data, dtype=dtype or self.dtype), self.device), requires_grad=requires_grad),
    }


def _keyword_help(name, fn):
    """`fn` as the method Tensor.name: PyTorch's dim= / keepdim= read as axis= / keepdims= where the method
    takes those, and an unknown keyword named along with the keywords it takes."""
    import functools
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return fn
    accepted = [k for k, p in params.items() if k != "self" and p.kind is not p.VAR_POSITIONAL]
    spellings = {k: v for k, v in (("dim", "axis"), ("keepdim", "keepdims")) if v in accepted and k not in accepted}

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        if kwargs:
            for torch_name, ours in spellings.items():
                if torch_name in kwargs:
                    kwargs[ours] = kwargs.pop(torch_name)
            unknown = [k for k in kwargs if k not in accepted]
            if unknown:
                takes = ", ".join(accepted + [k for k in spellings]) or "no keyword arguments"
                raise TypeError(f"Tensor.{name}() got an unexpected keyword argument {unknown[0]!r}; it takes {takes}")
        return fn(self, *args, **kwargs)

    method.__name__, method.__qualname__ = name, f"Tensor.{name}"
    return method


def install():
    from .torch_tensor_methods import METHODS as torch_tensor_methods

    methods = {name: _keyword_help(name, fn)
               for name, fn in {**torch_tensor_methods, **_METHODS, **_torch_methods()}.items()}
    for name, fn in {**_OPERATORS, **methods, **_IN_PLACE}.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(lambda self: S.transpose(self), doc="Axes reversed (the transpose).")
    Tensor.mT = property(lambda self: S.swapaxes(self, -1, -2), doc="The last two axes swapped (PyTorch's mT).")
    # numpy surface: attributes in NumPy and PyTorch alike
    Tensor.real = property(lambda self: complex_parts.real(self), doc="The real part (differentiable).")
    Tensor.imag = property(lambda self: complex_parts.imag(self), doc="The imaginary part (differentiable).")
    Tensor.__hash__ = object.__hash__  # defining __eq__ must not make tensors unhashable


install()

# ndarray interop: NumPy's protocols (np.sin(t), np.sum(t), ndarray -= t), f-string formats, ravel
from . import numpy_dispatch as _numpy_dispatch  # noqa: E402

_numpy_dispatch.install()
Tensor.ravel = lambda self: S.reshape(self, -1)


def _numpy_binary(name, reflected=False):
    def method(self, other):
        fn = _numpy_dispatch.resolve("numpy", name)  # chainrule.numpy's, by name (it sits above ops)
        if fn is None:
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    return method


for _name, _numpy_name, _reflected in (("__mod__", "mod", False), ("__rmod__", "mod", True),
                                       ("__floordiv__", "floor_divide", False),
                                       ("__rfloordiv__", "floor_divide", True)):
    setattr(Tensor, _name, _numpy_binary(_numpy_name, _reflected))
