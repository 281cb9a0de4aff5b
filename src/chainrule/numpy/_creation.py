"""Making arrays the NumPy way, with tensors inside: array, asarray, copy, stack, concatenate.

A list or tuple holding tensors becomes one stacked tensor (differentiably);
without tensors, NumPy makes its plain ndarray. Kept apart from the package's
__init__ so the composite modules can use them without an import circle.
"""

from __future__ import annotations

import numpy as _np

from .. import ops
from ..core.tensor import Tensor as _Tensor
from ..ops.numpy_dispatch import to_arrays


def array(object, dtype=None, *, copy=True, ndmin=0, **kwargs):
    """numpy.array, differentiable: tensors inside (nested) lists are stacked, a tensor stays itself.

    Without tensors the result is NumPy's plain ndarray.

    Example:
        >>> import chainrule as cr, chainrule.numpy as np
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> v = np.array([x, 3 * x, 1.0])
        >>> v.sum().backward(); x.grad
        tensor(4.)
        >>> np.array([1, 2])
        array([1, 2])
    """
    if isinstance(object, _Tensor):
        result = object
    elif isinstance(object, (list, tuple)) and _contains_tensor(object):
        result = _stack_nested(object)
    else:
        return _np.array(object, dtype=dtype, copy=copy, ndmin=ndmin, **kwargs)
    if dtype is not None and _np.dtype(dtype) != result.dtype:
        result = result.astype(dtype)
    while result.ndim < ndmin:
        result = result.reshape((1,) + result.shape)
    return result


def asarray(a, dtype=None, **kwargs):
    """numpy.asarray: like `array`; a tensor is returned as it is.

    Example:
        >>> import chainrule.numpy as np
        >>> np.asarray([1.0, 2.0]).dtype
        dtype('float64')
    """
    if isinstance(a, _Tensor) or (isinstance(a, (list, tuple)) and _contains_tensor(a)):
        return array(a, dtype=dtype)
    return _np.asarray(a, dtype=dtype, **kwargs)


asanyarray = asarray


def ascontiguousarray(a, dtype=None, **kwargs):
    """numpy.ascontiguousarray: `asarray` with at least one axis, an array laid out in C order.

    A tensor keeps its values and its graph (its memory layout is its own affair); a 0-d one gains an axis.

    Example:
        >>> import chainrule.numpy as np
        >>> np.ascontiguousarray(np.ones((2, 3)).T).flags.c_contiguous
        True
        >>> np.ascontiguousarray(5.0).shape
        (1,)
    """
    if isinstance(a, _Tensor) or (isinstance(a, (list, tuple)) and _contains_tensor(a)):
        return array(a, dtype=dtype, ndmin=1)
    return _np.ascontiguousarray(a, dtype=dtype, **kwargs)


def copy(a, **kwargs):
    """numpy.copy: a tensor is returned as it is (tensors that record are never written in place).

    Example:
        >>> import chainrule.numpy as np
        >>> np.copy([1.0])
        array([1.])
    """
    return a if isinstance(a, _Tensor) else _np.copy(to_plain(a), **kwargs)


def to_plain(tree):
    """Tensors inside nested lists/tuples replaced by their arrays (a helper for NumPy calls).

    Example:
        >>> import chainrule as cr, chainrule.numpy as np
        >>> np.to_plain([cr.tensor(1.0)])
        [array(1., dtype=float32)]
    """
    return to_arrays(tree)


def _contains_tensor(obj):
    if isinstance(obj, _Tensor):
        return True
    return isinstance(obj, (list, tuple)) and any(_contains_tensor(o) for o in obj)


def _stack_nested(obj):
    if not isinstance(obj, (list, tuple)):
        return obj
    if not _contains_tensor(obj):
        return _np.array(obj)
    return ops.stack([_stack_nested(o) for o in obj])


def concatenate(arrays, axis=0, out=None, dtype=None, **kwargs):
    """numpy.concatenate, differentiable (axis=None joins the flattened inputs).

    Example:
        >>> import chainrule.numpy as np
        >>> np.concatenate([np.ones(2), np.zeros(1)])
        array([1., 1., 0.])
    """
    arrays = [_as_arg(a) for a in arrays]
    if axis is None:
        arrays, axis = [ops.reshape(a, (-1,)) for a in arrays], 0
    result = ops.concatenate(arrays, axis=axis)
    return result if dtype is None else result.astype(dtype)


def stack(arrays, axis=0, out=None, **kwargs):
    """numpy.stack: join along a new axis, differentiable.

    Example:
        >>> import chainrule.numpy as np
        >>> np.stack([np.ones(2), np.zeros(2)], axis=1).shape
        (2, 2)
    """
    arrays = [_as_arg(a) for a in arrays]
    if not any(isinstance(a, _Tensor) for a in arrays):
        return _np.stack(arrays, axis=axis)
    return ops.stack(arrays, axis=axis)


def as_array_arg(x):
    """A list or tuple holding tensors, stacked differentiably; other lists as ndarrays; the rest unchanged.

    Example:
        >>> import chainrule as cr
        >>> as_array_arg([cr.tensor(1.0, requires_grad=True), 2.0]).shape
        (2,)
    """
    if isinstance(x, (list, tuple)):
        return array(x)
    return x


_as_arg = as_array_arg
