"""`chainrule.scipy.signal`: scipy.signal's convolve and correlate (n-D and 2-D), differentiable in both inputs.

`convolve(in1, in2, mode)` is SciPy's; given `axes` or `dot_axes` it is
HIPS autograd's generalisation instead (convolve over chosen axes, sum a
tensor dot over others: a convolutional layer in one call).

Example:
    >>> import chainrule as cr
    >>> from chainrule.scipy.signal import convolve
    >>> convolve(cr.tensor([1.0, 2.0]), cr.tensor([1.0, 1.0]))
    tensor([1., 3., 2.])
"""

from __future__ import annotations

from ..core.engine_ops import conj
from ..ops._util import value_of
from ..ops.shape import getitem
from ..ops.signal import _move, _pad_last, conv_valid
from ..ops.signal import convolve as _convolve_op
from ._convert import as_float


def convolve(in1, in2, mode="full", method="auto", axes=None, dot_axes=None):
    """The n-dimensional convolution of in1 and in2 ('full', 'same' or 'valid'), as scipy.signal.convolve.

    Both inputs need the same number of dimensions. `method` is accepted for
    SciPy's signature; SciPy picks direct or FFT evaluation itself. The
    gradient of each input is a correlation with the other (a row of the op
    table, so higher derivatives work too).

    With `axes=(axes_1, axes_2)` (the axes convolved, paired) and/or
    `dot_axes=(dots_1, dots_2)` (axes summed over, paired), as in HIPS
    autograd, only 'full' and 'valid' modes exist, and the result's axes are
    in1's other axes, then in2's other axes, then the convolved ones.

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.signal import convolve
        >>> convolve(np.ones((3, 3)), np.ones((2, 2)), mode="valid").shape
        (2, 2)
        >>> images, filters = np.ones((8, 1, 6, 6)), np.ones((1, 4, 3, 3))   # (batch, in, h, w), (in, out, h, w)
        >>> convolve(images, filters, axes=([2, 3], [2, 3]), dot_axes=([1], [0]), mode="valid").shape
        (8, 4, 4, 4)
    """
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"convolve: method must be 'auto', 'direct' or 'fft', got {method!r}")
    in1, in2 = as_float(in1), as_float(in2)
    if axes is None and dot_axes is None:
        return _convolve_op(in1, in2, mode=mode)
    return _convolve_general(in1, in2, axes, dot_axes or ((), ()), mode)


def _flipped_conjugate(x):
    flipped = getitem(x, index=(slice(None, None, -1),) * len(x.shape))
    return conj(flipped) if value_of(x).dtype.kind == "c" else flipped


def correlate(in1, in2, mode="full", method="auto"):
    """The cross-correlation of in1 and in2, as scipy.signal.correlate: convolve with in2 flipped (and conjugated).

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.signal import correlate
        >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0]), mode="valid")
        array([2., 3.])
    """
    return convolve(in1, _flipped_conjugate(as_float(in2)), mode=mode, method=method)


def _check_fill(name, boundary, fillvalue):
    if boundary != "fill" or fillvalue != 0:
        raise ValueError(f"{name}: only boundary='fill' with fillvalue=0 is differentiable here, got "
                         f"boundary={boundary!r}, fillvalue={fillvalue!r}")


def _two_dimensional(name, a, b):
    a, b = as_float(a), as_float(b)
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise ValueError(f"{name}: both inputs must be 2-D, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return a, b


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """The 2-D convolution of scipy.signal.convolve2d (zero fill only): convolve of two 2-D inputs.

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.signal import convolve2d
        >>> convolve2d(np.ones((3, 3)), np.ones((2, 2)), mode="same")
        array([[1., 2., 2.],
               [2., 4., 4.],
               [2., 4., 4.]])
    """
    _check_fill("convolve2d", boundary, fillvalue)
    return convolve(*_two_dimensional("convolve2d", in1, in2), mode=mode)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0):
    """The 2-D cross-correlation of scipy.signal.correlate2d (zero fill only).

    Its 'same' mode centres differently from correlate's: the slice of the
    full correlation starting at in2.shape // 2, as SciPy's.

    Example:
        >>> import numpy as np
        >>> from chainrule.scipy.signal import correlate2d
        >>> correlate2d(np.ones((3, 3)), np.ones((2, 2)), mode="same")
        array([[4., 4., 2.],
               [4., 4., 2.],
               [2., 2., 1.]])
    """
    _check_fill("correlate2d", boundary, fillvalue)
    a, b = _two_dimensional("correlate2d", in1, in2)
    if mode != "same":
        return correlate(a, b, mode=mode)
    full = correlate(a, b, mode="full")
    starts = [m // 2 for m in b.shape]
    return getitem(full, index=tuple(slice(s, s + n) for s, n in zip(starts, a.shape)))


def _pairs(name, pairs, ndims):
    first, second = ([int(a) % n for a in group] for group, n in zip(pairs, ndims))
    if len(first) != len(second):
        raise ValueError(f"convolve: {name} pairs {len(first)} axes of in1 with {len(second)} of in2")
    return first, second


def _convolve_general(a, b, axes, dot_axes, mode):
    if mode not in ("full", "valid"):
        raise ValueError(f"convolve with axes/dot_axes: mode must be 'full' or 'valid', got {mode!r}")
    if axes is None:
        axes = (range(a.ndim), range(a.ndim))
    conv_a, conv_b = _pairs("axes", axes, (a.ndim, b.ndim))
    dot_a, dot_b = _pairs("dot_axes", dot_axes, (a.ndim, b.ndim))
    for i, j in zip(dot_a, dot_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"convolve: dot axes {i} of in1 ({a.shape[i]}) and {j} of in2 ({b.shape[j]}) differ")
    rest_a = [i for i in range(a.ndim) if i not in conv_a + dot_a]
    rest_b = [j for j in range(b.ndim) if j not in conv_b + dot_b]
    a = _move(a, [rest_a, dot_a, conv_a])  # the canonical layout: (ignore, dot, convolved)
    b = _move(b, [rest_b, dot_b, conv_b])
    sizes_a, sizes_b = a.shape[a.ndim - len(conv_a):], b.shape[b.ndim - len(conv_b):]
    if mode == "full":  # the full convolution is the valid one of a zero-padded a
        a = _pad_last(a, len(conv_a), [m - 1 for m in sizes_b])
    elif not all(n >= m for n, m in zip(sizes_a, sizes_b)):
        if not all(m >= n for n, m in zip(sizes_a, sizes_b)):
            raise ValueError("convolve: in 'valid' mode one input must be at least as large as the other along "
                             f"every convolved axis, got {tuple(sizes_a)} and {tuple(sizes_b)}")
        # convolution commutes: run it the other way round and put in1's other axes first again
        out = conv_valid(b, a, ignore_a=len(rest_b), ignore_b=len(rest_a), dot=len(dot_a))
        ignore_b, ignore_a = list(range(len(rest_b))), list(range(len(rest_b), len(rest_b) + len(rest_a)))
        return _move(out, [ignore_a, ignore_b, list(range(len(rest_a) + len(rest_b), out.ndim))])
    return conv_valid(a, b, ignore_a=len(rest_a), ignore_b=len(rest_b), dot=len(dot_a))


__all__ = ["convolve", "convolve2d", "correlate", "correlate2d"]
