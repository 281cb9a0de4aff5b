"""`chainrule.scipy.linalg`: scipy.linalg's differentiable functions.

solve_triangular is cr.linalg's op (scipy.linalg's signature), re-exported
here; a build without cr.linalg says so when it is called.

Example:
    >>> from chainrule.scipy import linalg
    >>> linalg.__name__
    'chainrule.scipy.linalg'
"""

from __future__ import annotations

from ..core.errors import ChainruleError


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """Solve a x = b for triangular a, as scipy.linalg.solve_triangular (cr.linalg.solve_triangular).

    Example:
        >>> from chainrule.scipy.linalg import solve_triangular
        >>> callable(solve_triangular)
        True
    """
    try:
        from ..linalg import solve_triangular as _solve_triangular
    except ImportError:
        raise ChainruleError("solve_triangular comes with cr.linalg, which this build of chainrule does not "
                             "have yet") from None
    return _solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


__all__ = ["solve_triangular"]
