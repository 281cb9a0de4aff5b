"""The functions a plan calls where no kernel stands in: the sweep's rules as the sweep applies them,
.grad deposits, casts and copies of seeds, guard readers, in-place writes and forward hooks.

Each does what the eager code it replaces does, in the same order, so a replayed step
gives the eager results bit for bit.
"""

from __future__ import annotations

import numpy as np

from ..core import reverse
from ..core.tensor import Tensor
from .guards import GuardFailed

_ndarray = np.ndarray


def contribution_call(op, i, params, has_saved):
    """The function the sweep applies for input i of op on arrays (see reverse._sweep), and its name."""
    rules, by_partial = op.rules_on_arrays  # the sweep's own choice of rules
    rule = rules[i]
    name = "array_vjp" if op.array_vjp is not None else "partial" if by_partial else "vjp"
    kw = dict(params)
    node_stub = _Stub(op)

    def call(g, ans, *values):
        if has_saved:
            *values, saved = values
            kwargs = {**kw, "saved": saved}
        else:
            kwargs = kw
        if by_partial:
            gi = g * (rule(ans, *values, **kwargs) if kwargs else rule(ans, *values))
        else:
            gi = rule(g, ans, *values, **kwargs) if kwargs else rule(g, ans, *values)
        value = values[i]
        if (type(gi) is not _ndarray or gi.shape != value.shape or gi.dtype is not value.dtype
                or gi is value or gi is ans):  # the sweep's check, and its one place that acts on it
            gi = reverse._adjoint_for(gi, np.asarray(value), node_stub, i, False, value, ans)
        return gi

    return call, name


class _Stub:
    """What reverse._adjoint_for reads of a node (its op's name, for error messages)."""

    def __init__(self, op):
        self.op = op


_GRADS_CHANGED = "the .grad of a parameter was set (or None) differently when traced"


def _fail(k, where):
    failed = GuardFailed(where)
    failed.index = k
    raise failed


def _deposit_all(leaves, expected, fresh, *grads):
    if tuple(t.grad is not None for t in leaves) != expected:
        raise GuardFailed(_GRADS_CHANGED)
    return tuple(_deposit(t, g, f) for t, g, f in zip(leaves, grads, fresh))


def _deposit(t, g, fresh=False):
    if t._data.dtype.kind == "c":
        g = np.conjugate(g)
    if type(g) is not _ndarray:
        g = np.asarray(g)
    if t.grad is None:
        if not fresh:  # a buffer of the plan (or an array the graph owns): .grad gets its own copy
            g = g.copy()
    else:
        g = np.asarray(t.grad._data + g)
    t.grad = Tensor._wrap(g)
    return g


def _seed_copy(dtype, a):
    return np.array(a, dtype=dtype)


def _cast(dtype, a):
    return np.asarray(a).astype(dtype, copy=False)


def _set_grad(t, g):
    t.grad = Tensor._wrap(np.array(g, copy=True))


def _as_array(f):
    def call(*args):
        value = f(*args)
        return value if type(value) is _ndarray else np.asarray(value)

    return call


def _as_number(kind, a):
    return kind(a.item())


def _item(a):
    return a.item()


def _compare_item(how, other, a):
    return how(a.item(), other)


def _compare_items(how, a, b):
    return how(a.item(), b.item())

def _bumping(t, func, a, b):
    func(a, b)
    t._bump_version()

def _write_in_place(t, op, a, b):
    np.copyto(a, op(a, b), casting="same_kind")  # an Op on arrays is its forward
    t._bump_version()

def _write_item(t, index, a, value):
    a[index] = value
    t._bump_version()

def _run_hook(hook, module, out, *inputs):
    hook(module, tuple(Tensor._wrap(a.copy()) for a in inputs), Tensor._wrap(out.copy()))
