"""Dual numbers a + bε (ε² = 0) for teaching forward mode by hand.

A dual number here is an ordinary Tensor carrying a tangent at one
forward-mode level reserved for duals, so every chainrule op already knows
how to carry it: `cr.sin(cr.dual(2.0, 1.0))` is sin 2 + (cos 2)ε. That level
is opened the first time a dual is made and stays open; tensors carrying it
print as dual numbers.
"""

from __future__ import annotations

import numpy as np

from ..core import forward
from ..core.tensor import Tensor, dual_level


def _dual_level():
    if not dual_level.level:
        dual_level.level = forward.open_shared_level()
    return dual_level.level


def dual(value, tangent=1.0):
    """The dual number value + tangent·ε (a Tensor that prints as one).

    Example:
        >>> import chainrule as cr
        >>> x = cr.dual(2.0, 1.0)
        >>> x
        2 + 1ε
        >>> x * x            # (2 + ε)² = 4 + 4ε: the derivative of x² at 2 is 4
        4 + 4ε
        >>> cr.sin(x)        # sin 2 + (cos 2)ε
        0.909297 - 0.416147ε
    """
    level = _dual_level()
    array = np.array(value._data if isinstance(value, Tensor) else value, dtype=np.float64)
    x = Tensor(array)
    forward.set_tangent(x, level, np.broadcast_to(np.asarray(tangent, dtype=np.float64), array.shape).copy())
    return x


def dual_parts(x):
    """(value, tangent) of a dual number: floats for scalars, arrays otherwise.

    Example:
        >>> import chainrule as cr
        >>> cr.dual_parts(cr.dual(3.0, 1.0) ** 2)
        (9.0, 6.0)
    """
    value = x._data
    tangent = forward.tangent_of(x, _dual_level(), zeros=True)._data
    if value.size == 1 and value.ndim == 0:
        return float(value), float(tangent)
    return value, tangent
