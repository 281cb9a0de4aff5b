"""`chainrule.scipy`: differentiable versions of SciPy functions, with SciPy's names and signatures.

`special`, `stats`, `signal`, `integrate` and `linalg` mirror the SciPy
modules of the same names for the functions listed in each. SciPy itself is
imported only when a function that needs it first runs (`pip install
"chainrule[scipy]"`); importing these modules never needs it.

Example:
    >>> import chainrule as cr
    >>> from chainrule.scipy import stats
    >>> x = cr.tensor(0.0, dtype="float64", requires_grad=True)
    >>> stats.norm.logcdf(x).backward()
    >>> round(float(x.grad), 6)   # φ(0)/Φ(0) = 2/√(2π)
    0.797885
"""

from . import integrate, linalg, misc, signal, special, stats

__all__ = ["integrate", "linalg", "misc", "signal", "special", "stats"]
