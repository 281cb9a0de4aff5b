"""Rows picked by an index array that is an input, not a parameter: `gather(x, indices)` is `x[indices]`.

getitem's index is a parameter, fixed when the op is recorded, so it cannot
be batched: under vmap an index made of per-example values (the tokens of an
embedding, the classes of a one-hot) has to be an input of the op, with its own
batch axis. `gather` picks along axis 0; its adjoint `gather_adjoint` adds the
rows back into zeros (repeated indices accumulate), and each is the other's
derivative. The indices are integers and get no derivative.
"""

from __future__ import annotations

import numpy as np

from ..core.backend import as_array, like
from ..core.registry import defop


def _gather(x, indices):
    return as_array(x)[as_array(indices)]


def _gather_adjoint(g, indices, rows):
    g, idx = as_array(g), as_array(indices)
    out = np.zeros((rows,) + g.shape[idx.ndim:], dtype=g.dtype, like=like(g))
    np.add.at(out, idx, g)  # a row picked twice gets both adjoints
    return out


gather = defop("gather", _gather,
               vjp=(lambda g, ans, x, indices: gather_adjoint(g, indices, rows=np.shape(x)[0]), None),
               jvp=(lambda t, ans, x, indices: gather(t, indices), None),
               notation=("{0}[{1}]", ("{g} added back at the rows {1}", ""), ("{t}[{1}]", "")),
               derivative="adjoint added back at the picked rows; repeated rows accumulate")
gather_adjoint = defop("gather_adjoint", _gather_adjoint,
                       vjp=(lambda h, ans, g, indices, rows: gather(h, indices), None),
                       jvp=(lambda t, ans, g, indices, rows: gather_adjoint(t, indices, rows=rows), None),
                       notation=("{0} added at the rows {1}", ("{g}[{1}]", ""), ("{t} added at the rows {1}", "")),
                       derivative="adjoint gathered at the rows")

__all__ = ["gather", "gather_adjoint"]
