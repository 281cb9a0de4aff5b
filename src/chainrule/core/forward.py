"""Forward mode: tangents travel with values, one level per transform.

Each `jvp` call opens a new *level* and seeds its inputs' tangents at that
level. When an op is applied to inputs that carry tangents, the output's
tangent at each level is the sum of the op's JVP rule over the inputs that
have one (the tangent trace of the notes, v̇_j = Σ ∂v_j/∂v_i · v̇_i).

Why levels: in `D(x -> x * D(y -> x + y)(1))(1)` the inner and outer
derivatives perturb different variables. A single anonymous tangent slot
would mix them (perturbation confusion) and give 2 instead of 1. Keying
tangents by level keeps each transform's perturbation apart. A JVP rule for
level L runs with levels >= L hidden (the *ceiling*), so the rule's own
arithmetic carries only outer levels' tangents: that is what makes
forward-over-forward and forward-over-reverse compose, and keeps ε² = 0.

Open levels and the ceiling belong to the thread that opened them (two
threads running `jvp` never see each other's tangents). The one exception
is the level of `cr.dual` numbers, opened once and visible in every thread.
"""

from __future__ import annotations

import contextlib
import itertools
import threading

import numpy as np

from . import backend
from .modes import mark_unusual, unusual
from .tensor import Tensor

_levels = itertools.count(1)
_NO_CEILING = 1 << 62
_shared_levels: set[int] = set()  # levels open in every thread (cr.dual's)


class _Levels(threading.local):
    def __init__(self):
        self.open = set(_shared_levels)
        # Forward mode propagates only tangents of levels below this ceiling;
        # see the module docstring for why a rule must not see its own level.
        self.ceiling = _NO_CEILING


levels = _Levels()

# The engine's own ops (engine_ops.py), handed over when they are declared:
# they are built on the registry, which builds on this module.
_engine_ops = {}


def install_engine_ops(**ops):
    """Called by engine_ops.py with broadcast_to, cast and alias."""
    _engine_ops.update(ops)


def any_open() -> bool:
    """True when this thread has a forward-mode level open (ops must look at tangents)."""
    return bool(unusual.watched) and bool(levels.open)


def shared_levels() -> frozenset:
    """The levels open in every thread for good (cr.dual's), not opened by a running transform."""
    return frozenset(_shared_levels)


@contextlib.contextmanager
def open_level():
    """A fresh, never reused level for one jvp call, open while the block runs."""
    level = next(_levels)
    levels.open.add(level)
    mark_unusual(+1, watched=True)
    try:
        yield level
    finally:
        levels.open.discard(level)
        mark_unusual(-1, watched=True)


def open_shared_level() -> int:
    """A level that stays open for good, in every thread (the dual numbers' level)."""
    level = next(_levels)
    _shared_levels.add(level)
    levels.open.add(level)
    mark_unusual(+1, watched=True)
    return level


@contextlib.contextmanager
def tangent_ceiling(level: int):
    """Hide tangents of `level` and above while a JVP rule of `level` runs."""
    saved = levels.ceiling
    levels.ceiling = min(saved, level)
    try:
        yield
    finally:
        levels.ceiling = saved


def push_tangents(op, out, args, params):
    """Give `out` a tangent at every visible level its inputs carry."""
    ceiling, open_levels = levels.ceiling, levels.open | _shared_levels
    visible = sorted({lv for a in args if isinstance(a, Tensor) and a._tangents
                      for lv in a._tangents if lv < ceiling and lv in open_levels})
    for level in visible:  # ascending: a rule for level L sees out's tangents below L
        with tangent_ceiling(level):
            tangent = _tangent_at(op, out, args, params, level)
        if tangent is not None:
            set_tangent(out, level, tangent)


def _tangent_at(op, out, args, params, level):
    if op.jvp == "linear":
        # a linear op's JVP is the op on the tangents; constants have tangent 0
        tangents = [tangent_of(a, level, zeros=True) if isinstance(a, Tensor) else np.zeros_like(a)
                    for a in args]
        total = op(*tangents, **params)
    else:
        total = None
        for i, a in enumerate(args):
            t = tangent_of(a, level) if isinstance(a, Tensor) else None
            if t is None:
                continue
            rule = op.jvp_rule(i)
            if rule is None:
                if op.jvp is None:
                    raise NotImplementedError(f"{op.name} has no JVP rule; forward mode cannot pass it")
                continue
            part = rule(t, out, *args, **params)
            total = part if total is None else total + part
        if total is None:
            return None
    if not isinstance(total, Tensor):
        total = Tensor._wrap(backend.as_array(total))
    if total.shape != out.shape:
        total = _engine_ops["broadcast_to"](total, shape=out.shape)
    if total.dtype != out.dtype:
        total = _engine_ops["cast"](total, dtype=out.dtype)
    return total


def tangent_of(x, level, zeros=False):
    """x's tangent at `level`; None (or zeros, if asked) when it has none."""
    tangents = x._tangents
    if tangents is not None and level in tangents:
        return tangents[level]
    return Tensor._wrap(np.zeros_like(x._data)) if zeros else None


def set_tangent(x: Tensor, level: int, tangent) -> None:
    """Give x the tangent `tangent` (a Tensor or array of x's shape) at `level`.

    The one way code outside the engine (traces, dual numbers) seeds a tangent.
    """
    if not isinstance(tangent, Tensor):
        tangent = Tensor._wrap(np.asarray(tangent, dtype=x.dtype, like=backend.like(x._data)))
    x._tangents = {**(x._tangents or {}), level: tangent}


def seed(x: Tensor, level: int, tangent) -> Tensor:
    """A fresh alias of x that carries `tangent` at `level` (and x's graph link)."""
    y = _engine_ops["alias"](x)
    set_tangent(y, level, tangent)
    return y


def unseed(x, level):
    """An alias of x without tangents of `level` or above (the level is closed)."""
    if not isinstance(x, Tensor) or not x._tangents or all(lv < level for lv in x._tangents):
        return x
    with tangent_ceiling(level):
        return _engine_ops["alias"](x)
