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
from ._resolve import submodule_lookup
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


__getattr__, _names = submodule_lookup(__name__, _np.fft, FFT, FFT_PASSTHROUGH, _COMPOSITES)


def __dir__():
    return _names(globals())
