"""`chainrule.scipy.signal`: scipy.signal.convolve, differentiable in both inputs.

Example:
    >>> import chainrule as cr
    >>> from chainrule.scipy.signal import convolve
    >>> convolve(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 1.0]))
    tensor([1., 3., 2.])
"""

from __future__ import annotations

from ..ops.signal import convolve as _convolve_op
from .stats._common import as_float


def convolve(in1, in2, mode="full", method="auto"):
    """The n-dimensional convolution of in1 and in2 ('full', 'same' or 'valid'), as scipy.signal.convolve.

    Both inputs need the same number of dimensions. `method` is accepted for
    SciPy's signature; SciPy picks direct or FFT evaluation itself. The
    gradient of each input is a correlation with the other (a row of the op
    table, so higher derivatives work too).

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.signal import convolve
        >>> convolve(np.ones((3, 3)), np.ones((2, 2)), mode="valid").shape
        (2, 2)
    """
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"convolve: method must be 'auto', 'direct' or 'fft', got {method!r}")
    return _convolve_op(as_float(in1), as_float(in2), mode=mode)


__all__ = ["convolve"]
