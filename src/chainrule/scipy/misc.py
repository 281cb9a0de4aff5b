"""`chainrule.scipy.misc`: logsumexp under its old scipy.misc name (HIPS autograd still offers it there).

Example:
    >>> from chainrule.scipy.misc import logsumexp
    >>> round(float(logsumexp([0.0, 0.0])), 6)
    0.693147
"""

from ..special import logsumexp

__all__ = ["logsumexp"]
