"""`chainrule.numpy.fft`: numpy.fft's names, differentiable where the op table has a rule.

The transforms (fft, ifft, rfft, fft2, fftn, ... rows of `_table.FFT`) come
from chainrule's FFT ops once they exist; `fftshift` / `ifftshift` are
composites (a roll, exact); `fftfreq` / `rfftfreq` run NumPy.

Example:
    >>> import chainrule.numpy as np
    >>> np.fft.fftshift(np.arange(4.0))
    array([2., 3., 0., 1.])
"""

from __future__ import annotations

import numpy as _np

from ._arrays import roll
from ._resolve import find_op, missing, numpy_constant, wrap_function, wrap_passthrough
from ._table import FFT, FFT_PASSTHROUGH


def _shift(x, axes, sign):
    from ..ops._util import normalize_axes, value_of

    shape = _np.shape(value_of(x))
    axes = normalize_axes(axes, len(shape))
    return roll(x, [sign * (shape[a] // 2) for a in axes], axes) if axes else x


def _fftshift(x, axes=None):
    return _shift(x, axes, 1)


def _ifftshift(x, axes=None):
    return _shift(x, axes, -1)


_COMPOSITES = {"fftshift": _fftshift, "ifftshift": _ifftshift}


_RESOLVED: dict = {}


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    if name in _RESOLVED:  # not cached in globals(): that could shadow builtins
        return _RESOLVED[name]
    if name in FFT:
        fn = find_op(FFT[name]) or _COMPOSITES.get(name)
        if fn is None:
            raise missing(__name__, name)
        fn = wrap_function(name, fn)
    elif name in FFT_PASSTHROUGH:
        fn = wrap_passthrough(name, getattr(_np.fft, name))
    else:
        fn = numpy_constant(_np.fft, name)
        if fn is None:
            raise missing(__name__, name)
    _RESOLVED[name] = fn
    return fn


def __dir__():
    return sorted(set(globals()) | set(FFT) | FFT_PASSTHROUGH)
