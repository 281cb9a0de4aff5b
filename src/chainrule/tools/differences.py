"""Central differences: the numeric derivative every check compares against.

One helper for gradcheck, check_gradient and the command line, so that the
step, the formula and the float64 arithmetic are the same everywhere:

    f'(x)·d ≈ (f(x + h·d) - f(x - h·d)) / 2h

The error has two sources pulling opposite ways: truncation, ∝ h² (the
next term of the Taylor series; a one-sided difference would be ∝ h), and
round-off, ∝ ε/h (two nearly equal values subtracted; ε ≈ 1e-16 in
float64). h = 1e-6 balances them for values and derivatives of order one.
"""

from __future__ import annotations

import numpy as np

from ..core.tensor import array_of


def central_difference(f, inputs, argnum=0, direction=None, eps=1e-6):
    """The derivative of f along `direction` in input `argnum`, by central differences.

    `f(*inputs)` returns a number, an array or a Tensor. Input `argnum` is
    moved to x ± eps·direction (in float64; the caller's arrays are never
    changed); the others are passed as given. `direction` defaults to all
    ones, which for a scalar input is the plain derivative; `unit_vector`
    makes the one that picks a single element. Returns a float64 array of
    f's output shape.

    Example:
        >>> import numpy as np
        >>> from chainrule.tools.differences import central_difference, unit_vector
        >>> round(float(central_difference(np.sin, [0.0])), 8)  # cos 0
        1.0
        >>> x = np.array([1.0, 2.0])
        >>> central_difference(lambda v: v ** 2, [x], direction=unit_vector(x.shape, 1)).round(6)
        array([0., 4.])
    """
    x = np.asarray(array_of(inputs[argnum]), dtype=np.float64)
    step = eps * (np.ones_like(x) if direction is None else np.asarray(direction, dtype=np.float64))
    plus, minus = list(inputs), list(inputs)
    plus[argnum], minus[argnum] = x + step, x - step
    return (_float64(f(*plus)) - _float64(f(*minus))) / (2 * eps)


def unit_vector(shape, k):
    """The direction that moves only element k (flat index) of an array of `shape`.

    Example:
        >>> from chainrule.tools.differences import unit_vector
        >>> unit_vector((2, 2), 1)
        array([[0., 1.],
               [0., 0.]])
    """
    e = np.zeros(int(np.prod(shape)))
    e[k] = 1.0
    return e.reshape(shape)


def _float64(value):
    return np.asarray(array_of(value), dtype=np.float64)
