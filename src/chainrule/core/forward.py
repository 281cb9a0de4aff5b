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
"""

from __future__ import annotations

import contextlib
import itertools

import numpy as np

from .modes import state, tangent_ceiling
from .tensor import Tensor

_levels = itertools.count(1)


@contextlib.contextmanager
def open_level():
    """A fresh, never reused level for one jvp call, open while the block runs."""
    level = next(_levels)
    state.open_levels.add(level)
    try:
        yield level
    finally:
        state.open_levels.discard(level)


def push_tangents(op, out, args, params):
    """Give `out` a tangent at every visible level its inputs carry."""
    ceiling, open_levels = state.tangent_ceiling, state.open_levels
    levels = sorted({lv for a in args if isinstance(a, Tensor) and a._tangents
                     for lv in a._tangents if lv < ceiling and lv in open_levels})
    for level in levels:  # ascending: a rule for level L sees out's tangents below L
        with tangent_ceiling(level):
            tangent = _tangent_at(op, out, args, params, level)
        if tangent is not None:
            if out._tangents is None:
                out._tangents = {}
            out._tangents[level] = tangent


def _tangent_at(op, out, args, params, level):
    from .engine_ops import broadcast_to, cast  # engine_ops is built on the registry

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
        total = Tensor._wrap(np.asarray(total))
    if total.shape != out.shape:
        total = broadcast_to(total, shape=out.shape)
    if total.dtype != out.dtype:
        total = cast(total, dtype=out.dtype)
    return total


def tangent_of(x, level, zeros=False):
    """x's tangent at `level`; None (or zeros, if asked) when it has none."""
    tangents = x._tangents
    if tangents is not None and level in tangents:
        return tangents[level]
    return Tensor._wrap(np.zeros_like(x._data)) if zeros else None


def seed(x: Tensor, level: int, tangent) -> Tensor:
    """A fresh alias of x that carries `tangent` at `level` (and x's graph link)."""
    from .engine_ops import alias

    y = alias(x)
    t = tangent if isinstance(tangent, Tensor) else Tensor._wrap(np.asarray(tangent, dtype=x.dtype))
    y._tangents = {**(y._tangents or {}), level: t}
    return y


def unseed(x, level):
    """An alias of x without tangents of `level` or above (the level is closed)."""
    from .engine_ops import alias

    if not isinstance(x, Tensor) or not x._tangents or all(lv < level for lv in x._tangents):
        return x
    with tangent_ceiling(level):
        return alias(x)
