"""`chainrule.scipy.linalg`: scipy.linalg's differentiable functions.

solve_triangular comes with the linear-algebra ops (cr.linalg); until they
are part of chainrule, calling it says so.

Example:
    >>> from chainrule.scipy import linalg
    >>> linalg.__name__
    'chainrule.scipy.linalg'
"""

from __future__ import annotations


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """Solve a x = b for triangular a (scipy.linalg.solve_triangular): provided by cr.linalg's op.

    Example:
        >>> from chainrule.scipy.linalg import solve_triangular
        >>> callable(solve_triangular)
        True
    """
    from .. import linalg as _linalg  # noqa: F401  (cr.linalg, once it exists)

    return _linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


__all__ = ["solve_triangular"]
