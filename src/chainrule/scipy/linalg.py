"""`chainrule.scipy.linalg`: scipy.linalg's differentiable functions, from cr.linalg's rows.

solve_triangular, solve_sylvester, sqrtm, inv, det and solve are cr.linalg's
(SciPy's signatures where they differ from NumPy's are cr.linalg's too);
cholesky keeps SciPy's default of the UPPER factor. Other scipy.linalg
functions pass through on plain values (tensors that require grad are refused).

Example:
    >>> import chainrule as cr
    >>> from chainrule.scipy import linalg
    >>> linalg.cholesky(cr.tensor([[4.0, 2.0], [2.0, 5.0]]))   # upper: a = uᵀ u
    tensor([[2., 1.],
            [0., 2.]])
"""

from __future__ import annotations

from .. import linalg as _linalg
from ..linalg import det, inv, solve, solve_sylvester, solve_triangular, sqrtm
from ..ops.special import passthrough


def cholesky(a, lower=False):
    """The Cholesky factor of a, upper (a = uᵀ u) unless lower=True (a = l lᵀ), as scipy.linalg.cholesky.

    Only the triangle named is read, as in SciPy (the other gets gradient 0).

    Example:
        >>> import chainrule as cr
        >>> from chainrule.scipy.linalg import cholesky
        >>> cholesky(cr.tensor([[4.0, 2.0], [2.0, 5.0]]), lower=True)
        tensor([[2., 0.],
                [1., 2.]])
    """
    return _linalg.cholesky(a, upper=not lower)


def __getattr__(name):  # scipy.linalg's other functions, on plain values
    return passthrough("scipy.linalg", name)


__all__ = ["cholesky", "det", "inv", "solve", "solve_sylvester", "solve_triangular", "sqrtm"]
