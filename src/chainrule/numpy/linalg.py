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
from ._resolve import submodule_lookup
from ._table import LINALG, LINALG_PASSTHROUGH

_COMPOSITES = {"norm": _products.norm, "matrix_power": _products.matrix_power,
               "tensordot": _products.tensordot}


__getattr__, _names = submodule_lookup(__name__, _np.linalg, LINALG, LINALG_PASSTHROUGH, _COMPOSITES)


def __dir__():
    return _names(globals())
