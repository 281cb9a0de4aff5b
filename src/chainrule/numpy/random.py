"""`chainrule.numpy.random`: numpy.random itself, on the arrays behind any tensors.

Random draws are plain ndarrays, as in HIPS autograd (`cr.grad` converts
its inputs). `seed`, `randn`, `rand`, `normal`, `uniform`, `randint`,
`choice`, `permutation`, `RandomState`, `default_rng`, ... are NumPy's.

Example:
    >>> import chainrule.numpy as np
    >>> np.random.seed(0); a = np.random.randn(2)
    >>> np.random.seed(0); bool((a == np.random.randn(2)).all())
    True
"""

from __future__ import annotations

import numpy as _np

from ._resolve import missing, wrap_passthrough

_RESOLVED: dict = {}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _RESOLVED:  # not cached in globals(): that could shadow builtins
        return _RESOLVED[name]
    obj = getattr(_np.random, name, None)
    if obj is None:
        raise missing(__name__, name)
    if callable(obj) and not isinstance(obj, type):
        obj = wrap_passthrough(name, obj)
    _RESOLVED[name] = obj
    return obj


def __dir__():
    return sorted(set(globals()) | {n for n in dir(_np.random) if not n.startswith("_")})
