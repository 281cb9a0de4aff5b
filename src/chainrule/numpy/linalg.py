"""`chainrule.numpy.linalg`: numpy.linalg's names, differentiable where the op table has a rule.

Looked up by name when first used (rows of `_table.LINALG`): inv, det,
slogdet, solve, cholesky, eigh, svd, pinv, ... come from chainrule's linear
algebra ops once they exist; `norm` (vector norms, Frobenius, 1/inf matrix
norms) and `matrix_power` are composites here. `matrix_rank`, `cond` run
NumPy (plain results).

Example:
    >>> import chainrule as cr, chainrule.numpy as np
    >>> round(float(cr.grad(lambda x: np.linalg.norm(x))(np.array([3.0, 4.0]))[0]), 12)
    0.6
"""

from __future__ import annotations

import numpy as _np

from . import _products
from ._resolve import find_op, missing, numpy_constant, wrap_function, wrap_passthrough
from ._table import LINALG, LINALG_PASSTHROUGH

_COMPOSITES = {"norm": _products.norm, "matrix_power": _products.matrix_power,
               "tensordot": _products.tensordot}


_RESOLVED: dict = {}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _RESOLVED:  # not cached in globals(): that could shadow builtins
        return _RESOLVED[name]
    if name in LINALG:
        fn = find_op(LINALG[name]) or _COMPOSITES.get(name)
        if fn is None:
            raise missing(__name__, name)
        fn = wrap_function(name, fn)
    elif name in LINALG_PASSTHROUGH and callable(getattr(_np.linalg, name, None)) and not isinstance(
            getattr(_np.linalg, name), type):
        fn = wrap_passthrough(name, getattr(_np.linalg, name))
    else:
        fn = numpy_constant(_np.linalg, name)
        if fn is None:
            raise missing(__name__, name)
    _RESOLVED[name] = fn
    return fn


def __dir__():
    return sorted(set(globals()) | set(LINALG) | LINALG_PASSTHROUGH)
