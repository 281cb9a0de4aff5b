"""Tensor: a NumPy array plus a link to the Node that made it.

A leaf (made by the user) has no Node; a tensor made by an op while
recording has one. `backward` is attached by reverse.py, arithmetic
operators and methods such as `.sum()` by `chainrule.ops`: imports point
from those modules to this one, never back.

Views share a version counter with their base, as in PyTorch: a tensor
whose array is a view of another tensor's array (`x.detach()`, `x[0:2]`,
`x.reshape(3)`) keeps a link to the tensor that owns the memory, and an
in-place change through either is seen by every graph that saved one.
"""

from __future__ import annotations

import numpy as np

from . import backend
from .errors import ChainruleError
from .modes import switches, unusual
from .node import clock, last_change

_DIFFERENTIABLE_KINDS = ("f", "c")  # real and complex floating point


class _Defaults:
    """The float dtype Python numbers become in `cr.tensor` and new layers (`cr.set_default_dtype` writes it).

    It lives here, not in creation.py, because `repr` leaves that dtype out, as PyTorch's does.
    """

    __slots__ = ("float",)

    def __init__(self):
        self.float = np.dtype(np.float32)  # PyTorch's default


defaults = _Defaults()


def _check_can_require_grad(dtype):
    if dtype.kind not in _DIFFERENTIABLE_KINDS:
        raise ChainruleError(
            f"only floating-point tensors can require grad, got dtype {dtype}; "
            "convert first, e.g. cr.tensor(data, dtype='float64', requires_grad=True)"
        )


# The classes of vmap's stand-ins (batching registers BatchedTensor): `type(x) in STAND_IN_TYPES` is the one
# test that x stands for a batch, a set lookup (hasattr on a class that lacks the name costs an exception).
STAND_IN_TYPES: set = set()


def array_of(x):
    """The ndarray behind x: a Tensor's data, or x itself as an array.

    Example:
        >>> import chainrule as cr
        >>> array_of(cr.tensor([1.0, 2.0]))
        array([1., 2.], dtype=float32)
        >>> array_of(3.0)
        array(3.)
    """
    return x._data if isinstance(x, Tensor) else (x if type(x) is np.ndarray else backend.as_array(x))


class Tensor:
    """An n-dimensional array that records how it was computed.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        tensor([2., 4.])
    """

    # Every tensor has an array, a node (or None) and a requires-grad flag.
    # The other fields are rarely set, so they are class-level defaults that
    # an instance overrides in its own __dict__, made only on first write:
    # creating a tensor (once per op) stores three fields instead of eight.
    __slots__ = ("_data", "_node", "_rg", "__dict__", "__weakref__")
    grad = None
    _version = 0  # the clock's reading at this tensor's last in-place change
    _base = None  # the tensor owning the memory, when this one's array is a view of it
    _retains_grad = False
    _tangents = None  # {level: tangent} while forward-mode transforms run
    # NumPy defers `ndarray + Tensor` to Tensor.__radd__ instead of looping.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False):
        fill(self, data if type(data) is np.ndarray else backend.as_array(data), None, False)
        if requires_grad:
            if not isinstance(requires_grad, (bool, np.bool_)):  # PyTorch's legacy Tensor(3, 4), a shape
                raise TypeError(f"Tensor(data, requires_grad): requires_grad must be a bool, got "
                                f"{requires_grad!r}; for a tensor of a given shape use cr.zeros(...) or cr.empty(...)")
            self.requires_grad = True

    @staticmethod
    def _wrap(array, node=None, requires_grad=False):
        """A new tensor around `array` (an ndarray), skipping checks."""
        t = _new(Tensor)
        fill(t, array, node, requires_grad)
        return t

    # ---- state -----------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The underlying ndarray. Writable on leaves (optimisers update it)."""
        return self._data

    @data.setter
    def data(self, value):
        if self._node is not None:
            raise ChainruleError(
                f"cannot assign .data of a tensor made by {self._node.op.name}; "
                "only leaves may have their data replaced (use .detach() to get a leaf)"
            )
        value = value._data if isinstance(value, Tensor) else value
        value = value if type(value) is np.ndarray else backend.as_array(value)
        if self._rg and value.dtype.kind not in _DIFFERENTIABLE_KINDS:  # its gradients would be cast to integers
            raise ChainruleError(f"cannot set .data of a tensor that requires grad to a {value.dtype} array; "
                                 "convert it first, e.g. .data = array.astype('float64')")
        self._data = value
        # `p.data -= lr * g` calls this setter too: any graph that saved p
        # sees the new version and refuses to backpropagate stale values.
        self._bump_version()

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag:
            _check_can_require_grad(self._data.dtype)
        elif self._node is not None:
            raise ChainruleError(
                "requires_grad can only be switched off on a leaf; use .detach() instead"
            )
        self._rg = bool(flag)

    def requires_grad_(self, flag=True) -> Tensor:
        """Set requires_grad in place and return self (PyTorch spelling)."""
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors the user made (no recorded op behind them)."""
        return self._node is None

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward."""
        if not self._rg:
            raise ChainruleError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data (and its version counter), cut from the graph.

        Example:
            >>> import chainrule as cr
            >>> x = cr.tensor([1.0, 2.0], requires_grad=True)
            >>> x.detach().requires_grad
            False
        """
        t = Tensor._wrap(self._data)
        t._base = self._owner()
        return t

    def _owner(self):
        """The tensor whose version counter this one uses (itself, or its base)."""
        return self if self._base is None else self._base

    @property
    def version(self) -> int:
        """The clock's reading at the latest in-place change of this tensor's memory (0: never changed).

        Example:
            >>> import chainrule as cr
            >>> x = cr.zeros(2)
            >>> before = x.version
            >>> x[0] = 1.0
            >>> x.version > before
            True
        """
        return self._owner()._version

    # ---- NumPy-like read-only views --------------------------------------
    shape = property(lambda self: self._data.shape, doc="Shape tuple.")
    dtype = property(lambda self: self._data.dtype, doc="NumPy dtype.")
    ndim = property(lambda self: self._data.ndim, doc="Number of axes.")
    size = property(lambda self: Size(self._data.size, self._data.shape),
                    doc="The number of elements (NumPy's attribute); called, the shape (PyTorch's x.size()).")

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        return self._data

    @property
    def device(self) -> str:
        """Where the data lives: 'cpu' for NumPy, 'cuda:0' for a CuPy array (see chainrule.core.backend).

        Example:
            >>> import chainrule as cr
            >>> cr.ones(2).device
            'cpu'
        """
        data = self._data
        return "cpu" if type(data) is np.ndarray else backend.device_of(data)

    def item(self):
        """The single element as a Python number."""
        if self._data.size != 1:
            raise ChainruleError(f"item() needs a single element, tensor has shape {self.shape}")
        return self._data.item()

    def tolist(self):
        """The data as nested Python lists."""
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__  # `==` is elementwise, identity is the hash

    def __repr__(self):
        if self._tangents is not None and dual_level.level in self._tangents:
            return dual_text(self.numpy(), self._tangents[dual_level.level].numpy())
        host = self.numpy()
        body = np.array2string(host, separator=", ", prefix="tensor(")
        device = self.device
        extras = [] if device == "cpu" else [f"device={device!r}"]
        if self._data.dtype != defaults.float and self._data.dtype.kind == "f":
            extras.append(f"dtype={self._data.dtype}")
        if self._node is not None:
            extras.append(f"op={self._node.op.name}")
        elif self._rg:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __setitem__(self, index, value):
        if self._rg:
            raise ChainruleError(
                "in-place assignment x[...] = v is refused on a tensor that requires grad "
                "(the graph may need the old values); build the result out of place, "
                "e.g. cr.where(mask, v, x), or change a leaf's .data under cr.no_grad()"
            )
        index = _plain_index(index)
        if self._tangents or (isinstance(value, Tensor) and value._tangents):
            _write_tangents(self, index, value)
        self._data[index] = value._data if isinstance(value, Tensor) else value
        self._bump_version()  # graphs that saved this tensor will refuse to use it

    def _bump_version(self):
        # A reading of the clock that numbers nodes: a node numbered before it
        # saved this tensor's old values (see node.py). Views bump their base.
        (self if self._base is None else self._base)._version = last_change.reading = next(clock)

    def _update_in_place(self, op, other, rebind=False):
        """`self op= other` (`x += y` is `x._update_in_place(add, y, rebind=True)`).

        Outside recording, or when nothing involved requires grad, the result
        is written into this tensor's own array (PyTorch's semantics). A leaf
        that requires grad refuses, as in PyTorch (its .grad would describe a
        value that no longer exists). A recorded non-leaf: with `rebind` (the
        augmented operators, whose result Python binds to the name) the result
        is a new tensor and the old one stays as the ops that used it saw it,
        as NumPy code under autograd expects; the methods (`add_`) make this
        tensor take on the result's history, the old value moving to a fresh
        tensor that the new node uses as its input (ops that used the old
        value under this name then refuse to backpropagate).
        """
        if isinstance(other, Tensor):
            value, other_rg = other._data, other._rg
        else:
            value, other_rg = other, False
        if not (self._rg or other_rg) or (unusual.count and not switches.grad_enabled):  # nothing recorded
            forward, data = getattr(op, "forward", None), self._data
            if type(forward) is np.ufunc and (type(value) is np.ndarray and value.shape == data.shape
                                              or isinstance(value, _SCALARS)):
                # `w -= lr * g` under no_grad, every manual update step: the ufunc writes into w's array (no
                # temporary), and the version bump is written out (_bump_version): calls are this path's cost
                try:  # (casting="same_kind", a ufunc's default: a float result into an integer array raises)
                    forward(data, value, data)  # (out given by position: NumPy parses it faster)
                except TypeError:  # NumPy's casting error: a float result into an integer tensor
                    raise _cannot_write(op.name, np.result_type(data, value), self) from None
                (self if self._base is None else self._base)._version = last_change.reading = next(clock)
                return self
            name = getattr(op, "name", "update")
            result = op(self._data, value)
            _check_same_shape(name, result, self)
            try:
                np.copyto(self._data, result, casting="same_kind")
            except TypeError:
                raise _cannot_write(name, result.dtype, self) from None
            self._bump_version()
            return self
        name = getattr(op, "name", "update")
        if self._node is None and self._rg:
            raise ChainruleError(
                f"a leaf tensor that requires grad is used in an in-place operation ({name}); "
                "update it under cr.no_grad() (as an optimizer does), or use an out-of-place op")
        if rebind:
            result = op(self, other)
            _check_same_shape(name, result, self)
            return result
        old = _new(Tensor)  # the old value, under a new name: the input of the new node
        fill(old, self._data, self._node, self._rg)
        old.__dict__.update(self.__dict__)
        result = op(old, other)
        _check_same_shape(name, result, self)
        self.__dict__.pop("_base", None)  # the result is fresh memory, no view of anything
        self._bump_version()  # ops that used the old value under this name must not see the new one
        self._data, self._node, self._rg, self._tangents = result._data, result._node, result._rg, result._tangents
        return self


_SCALARS = (int, float, complex, np.number)


def _cannot_write(name, result_dtype, x):
    return ChainruleError(f"in-place {name}: a {result_dtype} result cannot be written into a "
                          f"{x.dtype} tensor; convert first, e.g. x = x.astype(...)")


class Size(int):
    """`x.size`: an int, the number of elements, as ndarray.size; called, PyTorch's `x.size()` (the shape)
    or `x.size(dim)` (one axis's length). So NumPy code and PyTorch code both read it their way.

    Example:
        >>> import chainrule as cr
        >>> x = cr.zeros((2, 3))
        >>> x.size, x.size(), x.size(-1), x.numel()
        (6, (2, 3), 3, 6)
    """

    def __new__(cls, count, shape):
        size = super().__new__(cls, count)
        size.shape = shape
        return size

    def __reduce__(self):  # copies and pickles keep the shape
        return Size, (int(self), self.shape)

    def __call__(self, dim=None):
        if dim is None:
            return self.shape
        if not -len(self.shape) <= dim < len(self.shape):
            raise IndexError(f"size({dim}): dimension out of range for a tensor of shape {self.shape} "
                             f"(expected a dim in [{-len(self.shape)}, {len(self.shape) - 1}])")
        return self.shape[dim]


def _check_same_shape(name, result, x):
    if np.shape(result) != x.shape:
        raise ChainruleError(f"in-place {name}: the result has shape {np.shape(result)}, but the tensor "
                             f"being updated has shape {x.shape} (in place, the shape cannot change)")


def fill(t, array, node, requires_grad):
    """Set the fields of a new tensor that have no default (Op.__call__ runs it once per op)."""
    t._data = array
    t._node = node
    t._rg = requires_grad


_new = object.__new__


class _DualLevel:
    """The forward-mode level `cr.dual` numbers live on (0 until the first dual is made)."""

    __slots__ = ("level",)

    def __init__(self):
        self.level = 0


dual_level = _DualLevel()


def _write_tangents(x, index, value):
    """After `x[index] = value`, x's tangent at every level is the old one with value's written in.

    The write into each tangent is itself a `__setitem__`, so a tangent that
    carries tangents of outer levels (nested jvp) is updated the same way.
    """
    levels = set(x._tangents or ()) | set((value._tangents or ()) if isinstance(value, Tensor) else ())
    tangents = {}
    for level in levels:
        old = (x._tangents or {}).get(level)
        t = Tensor._wrap(np.zeros_like(x._data) if old is None else np.array(old._data, copy=True))
        if old is not None and old._tangents:
            t._tangents = dict(old._tangents)
        new = value._tangents.get(level) if isinstance(value, Tensor) and value._tangents else None
        t[index] = 0.0 if new is None else new
        tangents[level] = t
    x._tangents = tangents


def dual_text(value, tangent):
    """'a + bε' for a dual number (cr.dual), elementwise pairs for arrays."""
    if value.size == 1 and value.ndim == 0:
        b = float(tangent)
        return f"{float(value):.6g} {'-' if b < 0 else '+'} {abs(b):.6g}ε"
    pairs = np.array2string(value, precision=4) + " + " + np.array2string(np.asarray(tangent), precision=4) + "ε"
    return f"dual({pairs})"


def _plain_index(index):
    """An index with any Tensors in it replaced by their arrays.

    A subclass gives its array through __array__: a batch under vmap refuses to be one index array.
    """
    if isinstance(index, Tensor):
        return index._data if type(index) is Tensor else np.asarray(index)
    if isinstance(index, tuple):
        return tuple((i._data if type(i) is Tensor else np.asarray(i)) if isinstance(i, Tensor) else i for i in index)
    return index
