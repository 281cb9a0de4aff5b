"""StrictArray: a CPU stand-in for a CuPy array, to catch NumPy-only code on a non-NumPy array's path.

It wraps an ndarray and takes part in NumPy's dispatch exactly as CuPy does:
`np.sin(s)` goes to `__array_ufunc__`, `np.sum(s)` to `__array_function__`,
`np.zeros(3, like=s)` makes a StrictArray, and every result is a StrictArray
(reductions give 0-d arrays, never NumPy scalars). Like CuPy it refuses what
would silently leave the device: `np.asarray(s)` (its `__array__` raises),
an ndarray mixed into a ufunc or function, and attributes CuPy lacks
(`.flags.writeable`). `.get()` is the explicit copy to the host, as in CuPy.

`register()` makes chainrule's backend seam know the type, on device "strict".
"""

from __future__ import annotations

import numpy as np

from chainrule.core import backend


class StrictTypeError(TypeError):
    pass


def _unwrap(x, allow_host=False):
    if type(x) is StrictArray:
        return x._a
    if isinstance(x, np.ndarray):
        if allow_host:
            return x
        raise StrictTypeError(f"an ndarray of shape {x.shape} mixed with a StrictArray: "
                              "code on the array's path called NumPy-only code (CuPy refuses this too)")
    if isinstance(x, list | tuple):
        return type(x)(_unwrap(v, allow_host) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v, allow_host) for k, v in x.items()}
    return x


def _wrap(x):
    if isinstance(x, np.ndarray):
        return StrictArray(x)
    if isinstance(x, np.generic):  # CuPy gives 0-d arrays where NumPy gives scalars
        return StrictArray(np.asarray(x))
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


def _defers(x):
    return type(x) is not StrictArray and not isinstance(x, np.ndarray) and hasattr(type(x), "__array_ufunc__")


# Functions that may take host data (the explicit copy in, as cupy.asarray(ndarray) does).
_TAKES_HOST = {np.asarray, np.array, np.asanyarray, np.ascontiguousarray}


class _Flags:
    """CuPy's flags: contiguity and ownership, no `writeable`."""

    def __init__(self, a):
        self.c_contiguous, self.f_contiguous, self.owndata = (
            a.flags.c_contiguous, a.flags.f_contiguous, a.flags.owndata)


class StrictArray:
    """An ndarray behind a wall: NumPy calls dispatch to it, implicit conversion is refused."""

    __slots__ = ("_a", "__weakref__")
    __array_priority__ = 100

    def __init__(self, a):
        if not isinstance(a, np.ndarray):
            raise StrictTypeError(f"StrictArray wraps an ndarray, got {type(a).__name__}")
        self._a = a

    # ---- the wall ---------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed (StrictArray, like CuPy); "
                        "use .get() to copy to the host")

    def get(self):
        """The explicit host copy (CuPy's name)."""
        return self._a.copy()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if any(_defers(x) for x in inputs):  # e.g. a chainrule Tensor: its own protocol answers
            return NotImplemented
        if getattr(np, ufunc.__name__, None) is not ufunc:  # CuPy serves NumPy's own ufuncs only (not SciPy's)
            return NotImplemented
        out = kwargs.pop("out", None)
        kwargs = _unwrap(kwargs)
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        result = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
        if method == "at":
            return None
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        if not all(issubclass(t, StrictArray | np.ndarray) for t in types):
            return NotImplemented
        host = func in _TAKES_HOST
        return _wrap(func(*_unwrap(args, host), **_unwrap(kwargs, host)))

    # ---- what CuPy arrays have ---------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    nbytes = property(lambda self: self._a.nbytes)
    itemsize = property(lambda self: self._a.itemsize)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a))
    device = property(lambda self: "strict")
    T = property(lambda self: StrictArray(self._a.T))
    mT = property(lambda self: StrictArray(self._a.mT))
    real = property(lambda self: StrictArray(np.real(self._a)))
    imag = property(lambda self: StrictArray(np.imag(self._a)))

    @property
    def base(self):
        return None if self._a.base is None else self  # not None exactly when it is a view

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (StrictArray(np.asarray(v)) for v in self._a)

    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    def __index__(self):
        return self._a.__index__()

    def item(self):
        return self._a.item()

    def tolist(self):
        return self._a.tolist()

    def __getitem__(self, index):
        return _wrap(self._a[_unwrap(index, allow_host=True)])  # CuPy copies host index arrays over

    def __setitem__(self, index, value):
        self._a[_unwrap(index, allow_host=True)] = _unwrap(value)

    def __repr__(self):
        return f"StrictArray({self._a!r})"

    def __copy__(self):
        return StrictArray(self._a.copy())

    def __deepcopy__(self, memo):
        return StrictArray(self._a.copy())

    def __reduce__(self):
        raise TypeError("a StrictArray cannot be pickled (as a device array): copy it to the host first")


def _method(name):
    def method(self, *args, **kwargs):
        return _wrap(getattr(self._a, name)(*_unwrap(args), **_unwrap(kwargs)))
    method.__name__ = name
    return method


for _name in ("reshape", "astype", "sum", "mean", "max", "min", "prod", "std", "var", "any", "all", "argmax",
              "argmin", "transpose", "swapaxes", "copy", "ravel", "flatten", "squeeze", "conj", "conjugate",
              "dot", "clip", "cumsum", "cumprod", "fill", "round", "nonzero", "argsort", "sort", "take",
              "repeat", "diagonal", "trace", "view"):
    setattr(StrictArray, _name, _method(_name))


def _operator(ufunc, reflected=False):
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _ufunc in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("truediv", np.true_divide),
                      ("floordiv", np.floor_divide), ("mod", np.remainder), ("pow", np.power),
                      ("matmul", np.matmul), ("and", np.bitwise_and), ("or", np.bitwise_or),
                      ("xor", np.bitwise_xor)):
    setattr(StrictArray, f"__{_name}__", _operator(_ufunc))
    setattr(StrictArray, f"__r{_name}__", _operator(_ufunc, reflected=True))
for _name, _ufunc in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal),
                      ("eq", np.equal), ("ne", np.not_equal)):
    setattr(StrictArray, f"__{_name}__", _operator(_ufunc))
StrictArray.__hash__ = None
StrictArray.__neg__ = lambda self: np.negative(self)
StrictArray.__pos__ = lambda self: np.positive(self)
StrictArray.__abs__ = lambda self: np.absolute(self)
StrictArray.__invert__ = lambda self: np.invert(self)


def _in_place(ufunc):
    def update(self, other):
        ufunc(self, other, out=(self,))
        return self
    return update


for _name, _ufunc in (("add", np.add), ("sub", np.subtract), ("mul", np.multiply), ("truediv", np.true_divide),
                      ("pow", np.power)):
    setattr(StrictArray, f"__i{_name}__", _in_place(_ufunc))


def strict(a):
    """A StrictArray holding a copy of `a` (an ndarray or anything np.array takes)."""
    return StrictArray(np.array(a))


def register():
    """Tell chainrule's backend seam about StrictArray (device 'strict')."""
    backend.register(backend.Backend("strict", StrictArray, lambda a: "strict", lambda a: a.get(),
                                     lambda host, index: StrictArray(np.array(host))))


register()
