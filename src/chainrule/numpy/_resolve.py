"""Turning a row of the name table into a function with NumPy's signature.

`find_op` looks a candidate name up among chainrule's ops when first asked
(so rows other modules add to the op table are found without editing this
package); the `wrap_*` functions give the op NumPy's calling convention;
`namespace_getattr` is the module `__getattr__` the three namespaces share.
"""

from __future__ import annotations

import sys
from types import ModuleType

import numpy as _np

from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from ..ops.numpy_dispatch import NoDerivativeError, any_carries_derivative, to_arrays
from ._creation import as_array_arg

_SKIPPED_OP_MODULES = ("chainrule.ops._util", "chainrule.ops.tensor_methods", "chainrule.ops.numpy_dispatch")


def _plain_lookup(name):
    """chainrule.ops' exported `name`, else a registered op of that name in one of its modules.

    Helpers that modules keep for themselves (elementwise's `select`, say) are never picked up.
    """
    import chainrule.ops as ops

    from ..core.registry import Op

    if name in getattr(ops, "__all__", ()):
        return getattr(ops, name, None)
    for module_name, module in sorted(sys.modules.items()):
        if module_name.startswith("chainrule.ops.") and module_name not in _SKIPPED_OP_MODULES:
            obj = getattr(module, name, None)
            if isinstance(obj, Op) or name in getattr(module, "__all__", ()):
                return obj
    return None


def find_op(candidates: str):
    """The first of the space-separated candidate names that chainrule's ops define, or None.

    A dotted candidate ("linalg.inv") is a path from the chainrule package;
    a plain one is one of chainrule.ops' exported names, or a registered op
    (or a name in `__all__`) of one of its modules.

    Example:
        >>> find_op("no_such_op sin").name
        'sin'
    """
    for candidate in candidates.split():
        if "." in candidate:  # a namespace of the package, looked up among the modules already loaded
            obj = sys.modules.get("chainrule")
            for part in candidate.split("."):
                obj = getattr(obj, part, None)
            found = [obj]
        else:
            found = [_plain_lookup(candidate)]
        for obj in found:
            if obj is not None and callable(obj) and not isinstance(obj, (ModuleType, type)):
                return obj
    return None


def _unsupported(name, what, args, kwargs, numpy_fn):
    """NumPy's own result when nothing is differentiated; else an error naming the option."""
    if any_carries_derivative(args) or any_carries_derivative(kwargs):
        raise NoDerivativeError(f"chainrule.numpy.{name}: {what} is not supported on a tensor that requires "
                                "grad (no derivative rule for it yet)")
    return numpy_fn(*to_arrays(args), **to_arrays(kwargs))


def _cast(result, dtype):
    if dtype is None:
        return result
    return result.astype(dtype) if isinstance(result, Tensor) else _np.asarray(result).astype(dtype)


def wrap_elementwise(name, fn, numpy_fn):
    """A unary or binary ufunc's calling convention around `fn`.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> wrap_elementwise("sin", cr.sin, np.sin)(0.0, dtype="float32").dtype
        dtype('float32')
    """
    def elementwise(*args, out=None, dtype=None, where=True, **kwargs):
        if out is not None or where is not True or kwargs:
            options = ", ".join(k for k, v in (("out", out), ("where", where)) if v is not None and v is not True)
            return _unsupported(name, options or f"{sorted(kwargs)}", args,
                                dict(kwargs, out=out, where=where, dtype=dtype), numpy_fn)
        return _cast(fn(*(as_array_arg(a) for a in args)), dtype)

    return _named(elementwise, name, fn)


_REDUCTION_PARAMS = {
    "max": ("axis", "out", "keepdims"), "min": ("axis", "out", "keepdims"),
    "amax": ("axis", "out", "keepdims"), "amin": ("axis", "out", "keepdims"),
    "var": ("axis", "dtype", "out", "ddof", "keepdims"), "std": ("axis", "dtype", "out", "ddof", "keepdims"),
}


def wrap_reduction(name, fn, numpy_fn):
    """NumPy's reduction signature, e.g. sum(a, axis=None, dtype=None, out=None, keepdims=False).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> wrap_reduction("sum", cr.sum, np.sum)(np.ones((2, 3)), 1, None, None, True).shape
        (2, 1)
    """
    order = _REDUCTION_PARAMS.get(name, ("axis", "dtype", "out", "keepdims"))

    def reduction(a, *positional, **kwargs):
        if len(positional) > len(order):
            raise TypeError(f"{name}() takes at most {len(order) + 1} positional arguments")
        kwargs.update(zip(order, positional))
        out, dtype = kwargs.pop("out", None), kwargs.pop("dtype", None)
        if out is not None or set(kwargs) - {"axis", "keepdims", "ddof"}:
            return _unsupported(name, "out=" if out is not None else f"{sorted(kwargs)}", (a,),
                                dict(kwargs, out=out, dtype=dtype), numpy_fn)
        if name in ("var", "std"):
            kwargs.setdefault("ddof", 0)  # NumPy's default (chainrule's var, a PyTorch name, is unbiased)
        axis = kwargs.get("axis")
        if isinstance(axis, list):
            kwargs["axis"] = tuple(axis)
        a = as_array_arg(a)
        if dtype is not None and isinstance(a, Tensor):
            a = a.astype(dtype)
        return _cast(fn(a, **kwargs), dtype if not isinstance(a, Tensor) else None)

    return _named(reduction, name, fn)


def wrap_function(name, fn, sequence=False):
    """NumPy's arguments passed on; array-like lists holding tensors stacked first.

    Example:
        >>> import chainrule as cr
        >>> wrap_function("transpose", cr.transpose)([[1.0, 2.0]]).shape
        (2, 1)
    """
    def function(*args, **kwargs):
        if args:
            first = args[0] if sequence else as_array_arg(args[0])
            rest = tuple(as_array_arg(a) if isinstance(a, (list, tuple)) and any_carries_derivative(a) else a
                         for a in args[1:])
            args = (first,) + rest
        return fn(*args, **kwargs)

    return _named(function, name, fn)


def wrap_passthrough(name, numpy_fn):
    """NumPy's function run on the arrays: plain results, no derivative.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> wrap_passthrough("argsort", np.argsort)(cr.tensor([2.0, 1.0], requires_grad=True))
        array([1, 0])
    """
    def passthrough(*args, **kwargs):
        return numpy_fn(*to_arrays(args), **to_arrays(kwargs))

    passthrough.__name__ = passthrough.__qualname__ = name
    passthrough.__doc__ = (f"NumPy's `{name}` on the arrays behind any tensors; a plain result with no "
                           "derivative (what autograd calls a non-differentiable function).")
    passthrough.__wrapped__ = numpy_fn
    return passthrough


def _named(wrapper, name, fn):
    target = getattr(fn, "name", None) or getattr(fn, "__qualname__", None) or repr(fn)
    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = f"NumPy's `{name}`, differentiable: chainrule's `{target}` with NumPy's arguments."
    wrapper.chainrule_function = fn
    return wrapper


def missing(namespace, name):
    """The AttributeError for a NumPy name chainrule does not cover.

    Example:
        >>> isinstance(missing("chainrule.numpy", "unwrap"), AttributeError)
        True
    """
    return NumpyNamespaceError(f"{namespace}.{name}: NumPy's {name} has no derivative rule in chainrule yet "
                          f"(see docs/numpy.md for what {namespace} covers)")


def numpy_constant(numpy_module, name):
    """A NumPy attribute that is not a function (constants, dtypes, classes), or None.

    Example:
        >>> import numpy as np
        >>> numpy_constant(np, "pi"), numpy_constant(np, "sin")
        (3.141592653589793, None)
    """
    obj = getattr(numpy_module, name, None)
    if obj is None or isinstance(obj, ModuleType):
        return None
    if isinstance(obj, type) or not callable(obj):
        return obj
    return None


class NumpyNamespaceError(ChainruleError, AttributeError):
    """Raised for a NumPy name chainrule.numpy does not cover (an AttributeError).

    Example:
        >>> import chainrule.numpy as np
        >>> getattr(np, "unwrap", "not covered")
        'not covered'
    """


def submodule_lookup(namespace, numpy_module, table, passthrough, composites):
    """(`__getattr__`, `__dir__`) of a chainrule.numpy submodule mirroring `numpy_module`.

    A name in `table` is the op it names (or a composite of `composites`),
    differentiable; a name in `passthrough` runs NumPy's function on plain
    arrays; anything else is a NumPy constant or an AttributeError naming it.
    Each name is resolved once and kept (not in the module's globals, where it
    could shadow builtins).

    Example:
        >>> import numpy
        >>> getattr_, dir_ = submodule_lookup("demo", numpy.fft, {}, {"fftfreq"}, {})
        >>> getattr_("fftfreq")(4).tolist()
        [0.0, 0.25, -0.5, -0.25]
    """
    resolved: dict = {}

    def lookup(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in resolved:
            return resolved[name]
        plain = getattr(numpy_module, name, None)
        if name in table:
            fn = find_op(table[name]) or composites.get(name)
            if fn is None:
                raise missing(namespace, name)
            fn = wrap_function(name, fn)
        elif name in passthrough and callable(plain) and not isinstance(plain, type):
            fn = wrap_passthrough(name, plain)
        else:
            fn = numpy_constant(numpy_module, name)
            if fn is None:
                raise missing(namespace, name)
        resolved[name] = fn
        return fn

    def names(module_globals):
        return sorted(set(module_globals) | set(table) | set(passthrough))

    return lookup, names
