"""Tensor: a NumPy array plus a link to the Node that made it.

A leaf (made by the user) has no Node; a tensor made by an op while
recording has one. Arithmetic operators and methods such as `.sum()` are
attached by `chainrule.ops` (imports point from ops to core, never back).
"""

from __future__ import annotations

import numpy as np

from .errors import ChainruleError
from .modes import state
from .node import clock

_FLOAT_KINDS = ("f",)
_reverse = None  # the reverse-mode module, once Tensor.backward has first run


def _check_can_require_grad(dtype):
    if dtype.kind not in _FLOAT_KINDS:
        raise ChainruleError(
            f"only floating-point tensors can require grad, got dtype {dtype}; "
            "convert first, e.g. cr.tensor(data, dtype='float64', requires_grad=True)"
        )


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

    __slots__ = (
        "_data", "grad", "_rg", "_node", "_version", "_retains_grad", "_tangents",
        "__weakref__",
    )
    # NumPy defers `ndarray + Tensor` to Tensor.__radd__ instead of looping.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False):
        self._reset(data if type(data) is np.ndarray else np.asarray(data))
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _wrap(cls, array):
        """A new leaf around `array`, skipping checks (hot path)."""
        t = object.__new__(cls)
        t._reset(array)
        return t

    def _reset(self, array):
        self._data = array
        self.grad = None
        self._rg = False
        self._node = None
        self._version = 0  # the global in-place counter at this tensor's last in-place change
        self._retains_grad = False
        self._tangents = None  # {level: tangent} while forward-mode transforms run

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
        value = value if type(value) is np.ndarray else np.asarray(value)
        if self._rg and value.dtype.kind not in _FLOAT_KINDS:  # its gradients would be cast to integers
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
        """A new leaf sharing this tensor's data, cut from the graph."""
        return Tensor._wrap(self._data)

    def backward(self, grad=None, retain_graph=None, create_graph=False) -> None:
        """Backpropagate from this tensor into the `.grad` of every leaf.

        `grad` is the seed (the adjoint of this tensor); it may be left out
        only for a single-element tensor, whose seed is 1. Leaves accumulate
        across calls, as in PyTorch. The graph is freed afterwards unless
        `retain_graph=True`; `create_graph=True` records the backward pass so
        that `.grad` can itself be differentiated.
        """
        global _reverse
        if _reverse is None:  # reverse.py builds on Tensor: import it on first use, then keep it
            from . import reverse as _reverse
        _reverse.backward(self, grad, retain_graph, create_graph)

    # ---- NumPy-like read-only views --------------------------------------
    shape = property(lambda self: self._data.shape, doc="Shape tuple.")
    dtype = property(lambda self: self._data.dtype, doc="NumPy dtype.")
    ndim = property(lambda self: self._data.ndim, doc="Number of axes.")
    size = property(lambda self: self._data.size, doc="Number of elements.")

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        return self._data

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
        level = state.dual_level
        if level is not None and self._tangents is not None and level in self._tangents:
            return dual_text(self._data, self._tangents[level]._data)
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extras = []
        if self._data.dtype != np.float64 and self._data.dtype.kind == "f":
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
        if isinstance(value, Tensor):
            value = value._data
        self._data[_plain_index(index)] = value
        self._bump_version()  # graphs that saved this tensor will refuse to use it

    def _bump_version(self):
        # A reading of the clock that numbers nodes: a node numbered before it
        # saved this tensor's old values (see node.py).
        self._version = state.mutations = next(clock)


def dual_text(value, tangent):
    """'a + bε' for a dual number (cr.dual), elementwise pairs for arrays."""
    if value.size == 1 and value.ndim == 0:
        b = float(tangent)
        return f"{float(value):.6g} {'-' if b < 0 else '+'} {abs(b):.6g}ε"
    pairs = np.array2string(value, precision=4) + " + " + np.array2string(np.asarray(tangent), precision=4) + "ε"
    return f"dual({pairs})"


def _plain_index(index):
    """An index with any Tensors in it replaced by their arrays."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    return index
