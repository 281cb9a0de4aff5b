"""What a plan baked in at trace time, checked again every replay.

Python control flow on a tensor's value runs once, while tracing: the plan
holds only the branch that was taken. So every place where a value left the
arrays for Python (`t.item()`, `float(t)`, `bool(t)`, and comparisons of
what `item()` returned) becomes a guard: a step of the plan that reads the
same value again and checks that Python would decide the same way. A guard
that fails stops the replay; the caller then traces again (the new branch
gets a plan of its own) or, when the plan had already changed parameters,
raises a `JitError` naming the line.
"""

from __future__ import annotations

import operator
import os
import sys

from ..core.errors import ChainruleError


class JitError(ChainruleError):
    """Something `cr.jit` cannot record or replay faithfully; the message says what and where.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.jit(cr.hessian(lambda x: (x ** 3).sum()))(np.ones(2))
        Traceback (most recent call last):
        ...
        chainrule.jit.guards.JitError: ...: forward mode (jvp, jacfwd, hessian, hvp) inside cr.jit is not supported
    """


class GuardFailed(Exception):  # noqa: N818  (control flow inside the replay, never seen by users)
    """A guard saw a different outcome than at trace time (caught by the jitted function)."""

    def __init__(self, where):
        super().__init__(where)
        self.where, self.index = where, 0  # index: the plan step that failed (set by the plan)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../chainrule


def caller_line(depth=2):
    """'file:line' of the nearest user code up the stack (the line that read a tensor's value).

    Frames inside chainrule itself (the patches, the ops, nn modules) are skipped; `depth` is
    where the search starts.
    """
    frame = sys._getframe(depth)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


class TracedFloat(float):
    """The float `t.item()` gave while tracing: comparing or testing it records a guard.

    Arithmetic on it gives a `TaintedFloat` (a value the plan cannot recompute):
    branching on that, or returning it, is refused with a clear error.
    """

    def __new__(cls, value, slot, tracer):
        self = super().__new__(cls, value)
        self.slot, self.tracer = slot, tracer
        return self

    def _compare(self, other, how):
        if not isinstance(other, (int, float)):
            return NotImplemented
        result = how(float(self), float(other))
        where = caller_line(3)
        other_slot = other.slot if isinstance(other, TracedFloat) else None
        if isinstance(other, TaintedFloat):
            raise JitError(f"{where}: a branch on a value computed in Python from a tensor's item(); "
                           "jit cannot re-check it: compare tensors (or their item()) directly")
        self.tracer.guard_compare(self.slot, other_slot, float(other), how, result, where)
        return result

    def __lt__(self, other):
        return self._compare(other, operator.lt)

    def __le__(self, other):
        return self._compare(other, operator.le)

    def __gt__(self, other):
        return self._compare(other, operator.gt)

    def __ge__(self, other):
        return self._compare(other, operator.ge)

    def __eq__(self, other):
        return self._compare(other, operator.eq)

    def __ne__(self, other):
        return self._compare(other, operator.ne)

    __hash__ = float.__hash__

    def __bool__(self):
        result = float(self) != 0.0
        self.tracer.guard_compare(self.slot, None, 0.0, operator.ne, result, caller_line(2))
        return result


def _tainting(name):
    method = getattr(float, name)

    def apply(self, *others):
        return TaintedFloat(method(float(self), *(float(o) if isinstance(o, float) else o for o in others)))

    apply.__name__ = name
    return apply


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
              "__rtruediv__", "__pow__", "__rpow__", "__neg__", "__abs__", "__floordiv__", "__mod__"):
    setattr(TracedFloat, _name, _tainting(_name))


class TaintedFloat(float):
    """A float computed in Python from a traced item(): its use in a branch is refused."""

    def _refuse(self, *args):
        raise JitError(f"{caller_line(3)}: a branch on a value computed in Python from a tensor's item(); "
                       "jit cannot re-check it at replay: compare tensors (or their item()) directly")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __bool__ = _refuse
    __hash__ = float.__hash__


def guard_call(read, expected, where):
    """A plan step: `read(*arrays)` must give `expected` again, else the replay stops."""

    def check(*arrays):
        if read(*arrays) != expected:
            raise GuardFailed(where)

    return check
