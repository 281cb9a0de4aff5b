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
from .elementwise import add, greater_equal, less, mul, where


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

def wrapped(indices, rows):
    """Indices into `rows` rows with the negative ones counted from the end, as NumPy reads them (by ops).

    Example:
        >>> import chainrule as cr
        >>> wrapped(cr.tensor([-1, 0, 2]), 3).tolist()
        [2, 0, 2]
    """
    return where(less(indices, 0), add(indices, rows), indices)


def flat_positions(indices, rows, scale, offsets, size):
    """Indices into `rows` rows as positions `index·scale + offsets` in a flattened array of `size` entries (by
    ops, so vmap batches and cr.jit replays them). One out of range, either way, becomes `size`, one past the end,
    so that the pick raises as NumPy's does, never reading another example's or column's entry.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> flat_positions(cr.tensor([[0, -1], [1, 2]]), 2, 1, np.array([[0], [2]]), 4).tolist()
        [[0, 1], [3, 4]]
    """
    w = wrapped(indices, rows)
    inside = mul(greater_equal(w, 0), less(w, rows))
    return where(inside, add(mul(w, scale), offsets), size)


__all__ = ["gather", "gather_adjoint", "wrapped", "flat_positions"]
