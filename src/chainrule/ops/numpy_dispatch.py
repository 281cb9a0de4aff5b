"""Tensors where NumPy expects arrays: NumPy's own functions dispatch to chainrule.

NumPy hands a call such as `np.sin(t)` or `np.sum(t, axis=0)` to the Tensor
through two protocols: `__array_ufunc__` (NEP 13, ufuncs such as np.sin,
np.add, np.matmul) and `__array_function__` (NEP 18, the rest: np.sum,
np.concatenate, np.linalg.inv, ...). Both are answered the same way: look the
function up by name in `chainrule.numpy` (its `linalg` / `fft` submodules for
functions of numpy.linalg / numpy.fft) and call chainrule's version, which
records. A function chainrule does not cover runs on the plain arrays when
no tensor among the arguments carries a derivative, and otherwise raises
`NoDerivativeError` naming it: a silent detach would give a wrong gradient.

`ndarray -= tensor` (and any ufunc with `out=`) writes into the ndarray when
the tensor carries no derivative, and raises otherwise, saying to write
`a = a - t` instead.

The protocols live here, not in core/: core knows nothing of the op table.
`install()` sets them on Tensor (called from ops/tensor_methods.py).
"""

from __future__ import annotations

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError
from ..core.tensor import STAND_IN_TYPES, Tensor


class NoDerivativeError(ChainruleError, TypeError):
    """A NumPy function with no chainrule derivative rule got a tensor that needs one.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> np.spacing(cr.tensor([1.0], requires_grad=True))
        Traceback (most recent call last):
        ...
        chainrule.ops.numpy_dispatch.NoDerivativeError: numpy.spacing has no derivative rule in chainrule yet, ...
    """


def carries_derivative(x) -> bool:
    """True if x is a tensor that requires grad or carries a forward-mode tangent.

    Example:
        >>> import chainrule as cr
        >>> carries_derivative(cr.tensor(1.0, requires_grad=True)), carries_derivative(cr.tensor(1.0))
        (True, False)
    """
    return isinstance(x, Tensor) and (x._rg or x._tangents is not None)


def any_carries_derivative(tree) -> bool:
    """True if a tensor carrying a derivative sits anywhere in nested lists, tuples or dicts.

    Example:
        >>> import chainrule as cr
        >>> any_carries_derivative([1.0, (cr.tensor(2.0, requires_grad=True),)])
        True
    """
    if isinstance(tree, Tensor):
        return carries_derivative(tree)
    if isinstance(tree, (list, tuple)):
        return any(any_carries_derivative(x) for x in tree)
    if isinstance(tree, dict):
        return any(any_carries_derivative(x) for x in tree.values())
    return False


def to_arrays(tree):
    """The same nesting with every Tensor replaced by its ndarray (for NumPy to run on).

    Example:
        >>> import chainrule as cr
        >>> to_arrays((cr.tensor([1.0]), [2, cr.tensor(3)]))
        (array([1.], dtype=float32), [2, array(3)])
    """
    if isinstance(tree, Tensor):
        # under vmap a tensor may stand for a whole batch (it has a batch axis): it refuses to be one array
        return tree.__array__() if type(tree) in STAND_IN_TYPES else tree._data
    if isinstance(tree, (list, tuple)):
        return type(tree)(to_arrays(x) for x in tree)
    if isinstance(tree, dict):
        return {k: to_arrays(v) for k, v in tree.items()}
    return tree


def no_rule_error(name: str) -> NoDerivativeError:
    """The error for a NumPy function without a derivative rule applied to a differentiated tensor.

    Example:
        >>> str(no_rule_error("numpy.unwrap")).split(",")[0]
        'numpy.unwrap has no derivative rule in chainrule yet'
    """
    return NoDerivativeError(
        f"{name} has no derivative rule in chainrule yet, and one of its arguments is a tensor that "
        "requires grad; use a chainrule.numpy function that has one (see docs/numpy.md), declare a rule "
        "with cr.custom_vjp, or call it on t.detach() if no gradient should flow through it")


# ---- finding chainrule's implementation of a NumPy function -------------------------
# chainrule.numpy registers how to look a NumPy name up in it (set_namespace_resolver):
# ops sit below that module in the house plan, so they ask by name instead of importing it.
_IMPLEMENTATIONS: dict = {}
_FAST_UFUNCS: dict = {}
_MISSING = object()
_NO_FAST = object()
_RESOLVER = None


def set_namespace_resolver(resolver):
    """Register `resolver(module, name)` -> chainrule's function for numpy's `module.name`, or None.

    chainrule.numpy registers its own when imported (chainrule's __init__ imports it).

    Example:
        >>> import chainrule.numpy
        >>> resolve("numpy.linalg", "norm").__name__
        'norm'
    """
    global _RESOLVER
    _RESOLVER = resolver
    _IMPLEMENTATIONS.clear()
    _FAST_UFUNCS.clear()


def resolve(module, name):
    """chainrule's function for numpy's `module.name` (e.g. "numpy", "sum"), or None.

    Example:
        >>> resolve("numpy", "no_such_function") is None
        True
    """
    return None if _RESOLVER is None else _RESOLVER(module, name)


def implementation(func):
    """chainrule.numpy's function standing for the NumPy function or ufunc `func`, or None.

    Example:
        >>> import numpy as np
        >>> implementation(np.sin).__name__, implementation(np.linalg.eigvals) is None
        ('sin', True)
    """
    impl = _IMPLEMENTATIONS.get(func, _MISSING)
    if impl is _MISSING:
        name = getattr(func, "__name__", None)
        module = "numpy" if isinstance(func, np.ufunc) else (getattr(func, "__module__", None) or "numpy")
        impl = resolve(module, name) if name and module.startswith("numpy") else None
        if impl is not None and not callable(impl):
            impl = None
        _IMPLEMENTATIONS[func] = impl
    return impl


def _qualified(func, method="__call__"):
    module = "numpy" if isinstance(func, np.ufunc) else getattr(func, "__module__", "numpy")
    suffix = "" if method == "__call__" else f".{method}"
    return f"{module}.{getattr(func, '__name__', func)}{suffix}"


# ---- NEP 13: ufuncs ------------------------------------------------------------------
_REDUCERS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min"}
_ACCUMULATORS = {"add": "cumsum", "multiply": "cumprod"}


def _ufunc_method(ufunc, method, kwargs):
    """chainrule's function for ufunc.method, or None when there is none."""
    if method == "__call__":
        return implementation(ufunc)
    if method == "reduce" and ufunc.__name__ in _REDUCERS and set(kwargs) <= {"axis", "keepdims", "dtype"}:
        fn = resolve("numpy", _REDUCERS[ufunc.__name__])
        if fn is not None:
            kwargs.setdefault("axis", 0)  # ufunc.reduce's default axis is 0, not None
        return fn
    if method == "accumulate" and ufunc.__name__ in _ACCUMULATORS and set(kwargs) <= {"axis", "dtype"}:
        fn = resolve("numpy", _ACCUMULATORS[ufunc.__name__])
        if fn is not None:
            kwargs.setdefault("axis", 0)
        return fn
    if method == "outer" and not kwargs:
        binary = implementation(ufunc)
        return None if binary is None else (lambda x, y: _outer(binary, x, y))
    return None


def _outer(binary, x, y):
    from .shape import reshape

    xs, ys = np.shape(to_arrays(x)), np.shape(to_arrays(y))
    return binary(reshape(x, xs + (1,) * len(ys)) if xs else x, y)


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """Tensor.__array_ufunc__: `np.sin(t)`, `ndarray + t`, `np.add.reduce(t)` run chainrule's ops.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> np.add.reduce(cr.tensor([1.0, 2.0], requires_grad=True))
        tensor(3., op=sum)
    """
    if method == "__call__" and not kwargs:  # the common case (`ndarray * t`, `np.exp(t)`): one dict lookup
        fast = _FAST_UFUNCS.get(ufunc)
        if fast is None:
            impl = implementation(ufunc)
            # chainrule.numpy's elementwise wrappers only check ufunc options (out=, where=): none here
            fast = _FAST_UFUNCS[ufunc] = getattr(impl, "chainrule_function", impl) or _NO_FAST
        if fast is not _NO_FAST:
            return fast(*inputs)
    out = kwargs.pop("out", None)
    fn = _ufunc_method(ufunc, method, kwargs)
    if kwargs.get("dtype") is not None and fn is not None:
        dtype = kwargs.pop("dtype")
        fn = (lambda f: lambda *a, **k: f(*a, **k).astype(dtype))(fn)
    else:
        kwargs.pop("dtype", None) if fn is not None else None
    differentiated = any_carries_derivative(inputs)
    if out is not None:
        return _into_out(ufunc, method, inputs, kwargs, out, differentiated)
    if fn is None or (kwargs and method == "__call__"):  # where=, casting=, ...: NumPy's business
        if differentiated:
            raise no_rule_error(_qualified(ufunc, method) + (f" with {sorted(kwargs)}" if fn else ""))
        return getattr(ufunc, method)(*to_arrays(inputs), **to_arrays(kwargs))
    return fn(*inputs, **kwargs)


def _into_out(ufunc, method, inputs, kwargs, out, differentiated):
    outs = out if isinstance(out, tuple) else (out,)
    if any(isinstance(o, Tensor) for o in outs):
        raise ChainruleError(f"{_qualified(ufunc, method)}(..., out=<Tensor>): tensors are not written in place; "
                             "assign the result instead, e.g. t = np.add(t, 1)")
    if differentiated:
        raise ChainruleError(
            f"{_qualified(ufunc, method)} into an ndarray (out=, or an in-place operator such as `a -= t`) "
            "would drop the gradient of the tensor; write `a = a - t` to get a Tensor, or use t.detach()")
    result = getattr(ufunc, method)(*to_arrays(inputs), out=outs, **to_arrays(kwargs))
    return result


# ---- NEP 18: every other NumPy function ----------------------------------------------
def array_function(self, func, types, args, kwargs):
    """Tensor.__array_function__: `np.sum(t)`, `np.concatenate([t, u])`, `np.linalg.inv(t)`.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> np.concatenate([cr.tensor([1.0], requires_grad=True), np.zeros(1, dtype=np.float32)])
        tensor([1., 0.], op=concatenate)
    """
    if not all(issubclass(t, (Tensor, np.ndarray)) for t in types):
        return NotImplemented
    impl = implementation(func)
    if impl is None:
        if any_carries_derivative(args) or any_carries_derivative(kwargs):
            raise no_rule_error(_qualified(func))
        return func(*to_arrays(args), **to_arrays(kwargs))
    return impl(*args, **kwargs)


# ---- formatting and NumPy-style methods --------------------------------------------------
def tensor_format(self, spec):
    """Tensor.__format__: `f"{loss:.3f}"` formats a single-element tensor as its number.

    Example:
        >>> import chainrule as cr
        >>> f"{cr.tensor(2.0) / 3:.3f}", f"{cr.tensor([0.5]):.1%}"
        ('0.667', '50.0%')
    """
    if not spec:
        return repr(self)
    if self._data.size == 1:
        return format(self._data.item(), spec)
    raise TypeError(f"format spec {spec!r} needs a single-element tensor, this one has shape {self.shape}; "
                    "format its elements, e.g. np.array2string(t.numpy(), precision=3)")


def tensor_array(self, dtype=None, copy=None):
    """Tensor.__array__: the data as an ndarray (0-d for a 0-d tensor, never a NumPy scalar).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> np.asarray(cr.tensor([1.0, 2.0]).sum())
        array(3., dtype=float32)
    """
    data = self._data
    if type(data) is not np.ndarray:
        if backend.is_foreign(data):  # np.asarray(gpu_tensor): a copy to the host must be asked for
            raise TypeError(f"a tensor on {self.device} cannot become a NumPy array implicitly; "
                            "copy it to the host first with .cpu() or .numpy()")
        data = np.asarray(data)
    if dtype is not None and np.dtype(dtype) != data.dtype:
        return data.astype(dtype)
    return data.copy() if copy else data


def _guarded_setitem(core_setitem):
    def setitem(self, index, value):
        """t[index] = v, refused where v requires grad (its gradient would be lost); then as core's."""
        if isinstance(value, Tensor) and value._rg:
            raise ChainruleError(
                "in-place assignment t[...] = v would lose the gradient of v (it requires grad); build the "
                "result out of place, e.g. cr.where(mask, v, t) or np.concatenate")
        core_setitem(self, index, value)

    setitem.guarded = True
    return setitem


def tensor_numpy(self):
    """Tensor.numpy(): the data as an ndarray, shared, not copied (0-d for a 0-d tensor, never a NumPy scalar);
    a tensor on a GPU gives a host copy.

    Example:
        >>> import chainrule as cr
        >>> type(cr.grad(lambda x: x * x)(3.0).numpy()).__name__
        'ndarray'
    """
    data = self._data
    return data if type(data) is np.ndarray else backend.to_host(data)


def install():
    """Set the NumPy protocols and formatting on Tensor (idempotent; chainrule.ops calls it).

    Example:
        >>> import chainrule as cr
        >>> install(); cr.Tensor.__array_ufunc__ is array_ufunc
        True
    """
    if not getattr(Tensor.__setitem__, "guarded", False):
        Tensor.__setitem__ = _guarded_setitem(Tensor.__setitem__)
    Tensor.__array_ufunc__ = array_ufunc
    Tensor.__array_function__ = array_function
    Tensor.__format__ = tensor_format
    Tensor.__array__ = tensor_array
    # a rule run on 0-d arrays can return a NumPy scalar (0-d * 0-d is one): hand out 0-d arrays instead
    Tensor.numpy = tensor_numpy
    if not getattr(Tensor.data.fget, "as_array", False):
        data_setter = Tensor.data.fset
        def getter(self):
            data = self._data
            return data if type(data) is np.ndarray else backend.as_array(data)  # a CuPy array stays one
        getter.as_array = True
        Tensor.data = property(getter, data_setter, doc=Tensor.data.__doc__)
