"""`chainrule.scipy.special`: the same functions as `cr.special` (see chainrule/special.py).

Example:
    >>> from chainrule.scipy import special
    >>> float(special.gammaln(1.0))
    0.0
"""

from ..special import *  # noqa: F403
from ..special import (
    __all__,  # noqa: F401
    __getattr__,  # noqa: F401  (SciPy's other functions, on plain values)
)
