"""`cr.fft`: numpy.fft's transforms with NumPy's signatures, differentiable (rows in ops/fft.py).

The 1-D and 2-D forms are the n-dimensional rows over one or two axes.
Complex inputs may require grad; their .grad follows PyTorch's convention,
∂L/∂Re z + i·∂L/∂Im z for a real loss L (see ops/fft.py).

Example:
    >>> import numpy as np, chainrule as cr
    >>> x = cr.tensor([1.0, 2.0, 3.0, 4.0], dtype="float64", requires_grad=True)
    >>> smooth = cr.fft.irfft(cr.fft.rfft(x) * cr.tensor([1.0, 0.5, 0.0], dtype="float64"))
    >>> smooth.sum().backward(); x.grad     # only the mean (frequency 0) reaches the sum
    tensor([1., 1., 1., 1.], dtype=float64)
    >>> z = cr.tensor([1.0 + 1.0j, 2.0, 0.0, -1.0j], requires_grad=True)
    >>> cr.sum(cr.abs(cr.fft.fft(z)) ** 2).backward()   # Parseval: Σ|fft z|² = 4 Σ|z|², gradient 8 z
    >>> bool(np.allclose(z.grad.numpy(), 8 * z.numpy()))
    True
"""

from __future__ import annotations

import numpy as np

from .ops.fft import fftn as _fftn
from .ops.fft import hfft as _hfft
from .ops.fft import ifftn as _ifftn
from .ops.fft import ihfft as _ihfft
from .ops.fft import irfftn as _irfftn
from .ops.fft import rfftn as _rfftn
from .ops.shape import concatenate, getitem


def _one_axis(n, axis):
    return (None if n is None else (int(n),)), (int(axis),)


def _many(s, axes):
    """s and axes as keyword parameters of the rows (tuples of ints, or None)."""
    return {"s": None if s is None else tuple(int(n) for n in s),
            "axes": None if axes is None else tuple(int(a) for a in axes)}


def fft(a, n=None, axis=-1, norm=None):
    """The discrete Fourier transform along one axis (numpy.fft.fft).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.fft([1.0, 0.0, 0.0, 0.0])
        array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
    """
    s, axes = _one_axis(n, axis)
    return _fftn(a, s=s, axes=axes, norm=norm)


def ifft(a, n=None, axis=-1, norm=None):
    """The inverse discrete Fourier transform along one axis (numpy.fft.ifft).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.ifft([4.0, 0.0, 0.0, 0.0]).real
        array([1., 1., 1., 1.])
    """
    s, axes = _one_axis(n, axis)
    return _ifftn(a, s=s, axes=axes, norm=norm)


def fftn(a, s=None, axes=None, norm=None):
    """The n-dimensional discrete Fourier transform (numpy.fft.fftn).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.fftn(cr.ones((2, 2))).shape
        (2, 2)
    """
    return _fftn(a, **_many(s, axes), norm=norm)


def ifftn(a, s=None, axes=None, norm=None):
    """The n-dimensional inverse discrete Fourier transform (numpy.fft.ifftn).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.ifftn(cr.fft.fftn([[1.0, 2.0], [3.0, 4.0]])).real
        array([[1., 2.],
               [3., 4.]])
    """
    return _ifftn(a, **_many(s, axes), norm=norm)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D discrete Fourier transform over `axes` (numpy.fft.fft2).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.fft2(cr.ones((2, 3)))[0, 0]
        tensor(6.+0.j)
    """
    return _fftn(a, **_many(s, axes), norm=norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D inverse discrete Fourier transform (numpy.fft.ifft2).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.ifft2(cr.ones((2, 2)))[0, 0]
        tensor(1.+0.j)
    """
    return _ifftn(a, **_many(s, axes), norm=norm)


def rfft(a, n=None, axis=-1, norm=None):
    """The transform of a real signal, frequencies 0 to n//2 only (numpy.fft.rfft).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.rfft(cr.ones(4)).shape
        (3,)
    """
    s, axes = _one_axis(n, axis)
    return _rfftn(a, s=s, axes=axes, norm=norm)


def irfft(a, n=None, axis=-1, norm=None):
    """The real signal of n points (default 2(m - 1)) whose rfft is `a` (numpy.fft.irfft).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.irfft(cr.fft.rfft(cr.tensor([1.0, 2.0, 3.0])), n=3)
        tensor([1., 2., 3.])
    """
    s, axes = _one_axis(n, axis)
    return _irfftn(a, s=s, axes=axes, norm=norm)


def rfftn(a, s=None, axes=None, norm=None):
    """The n-dimensional transform of a real array, half the last axis (numpy.fft.rfftn).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.rfftn(cr.ones((2, 4))).shape
        (2, 3)
    """
    return _rfftn(a, **_many(s, axes), norm=norm)


def irfftn(a, s=None, axes=None, norm=None):
    """The inverse of rfftn (numpy.fft.irfftn).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.irfftn(cr.fft.rfftn(cr.ones((2, 4)))).shape
        (2, 4)
    """
    return _irfftn(a, **_many(s, axes), norm=norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """The 2-D transform of a real array (numpy.fft.rfft2).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.rfft2(cr.ones((3, 4))).shape
        (3, 3)
    """
    return _rfftn(a, **_many(s, axes), norm=norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """The inverse of rfft2 (numpy.fft.irfft2).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.irfft2(cr.fft.rfft2(cr.ones((3, 4)))).shape
        (3, 4)
    """
    return _irfftn(a, **_many(s, axes), norm=norm)


def hfft(a, n=None, axis=-1, norm=None):
    """The real spectrum of a signal with Hermitian symmetry, given by its first half (numpy.fft.hfft).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.hfft(cr.tensor([1.0, 0.0, 0.0]))
        tensor([1., 1., 1., 1.])
    """
    return _hfft(a, n=None if n is None else int(n), axis=int(axis), norm=norm)


def ihfft(a, n=None, axis=-1, norm=None):
    """The inverse of hfft: the first half of the Hermitian signal of a real spectrum (numpy.fft.ihfft).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.ihfft([1.0, 1.0, 1.0, 1.0])
        array([1.-0.j, 0.-0.j, 0.-0.j])
    """
    return _ihfft(a, n=None if n is None else int(n), axis=int(axis), norm=norm)


def _roll(x, shift, axis):
    n = x.shape[axis]
    shift %= max(n, 1)
    if shift == 0:
        return x
    before = (slice(None),) * axis
    return concatenate([getitem(x, index=before + (slice(n - shift, None),)),
                        getitem(x, index=before + (slice(0, n - shift),))], axis=axis)


def _shift(x, axes, direction):
    x = x if hasattr(x, "shape") and not isinstance(x, np.ndarray) else np.asarray(x)
    ndim = len(x.shape)
    axes = range(ndim) if axes is None else ([axes] if isinstance(axes, int) else axes)
    for axis in axes:
        axis %= ndim
        x = _roll(x, direction * (x.shape[axis] // 2), axis)
    return x


def fftshift(x, axes=None):
    """Move frequency 0 to the centre of each axis in `axes` (all by default), as numpy.fft.fftshift.

    Example:
        >>> import chainrule as cr
        >>> cr.fft.fftshift(cr.tensor([0.0, 1.0, 2.0, -2.0, -1.0]))
        tensor([-2., -1.,  0.,  1.,  2.])
    """
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift (numpy.fft.ifftshift).

    Example:
        >>> import chainrule as cr
        >>> cr.fft.ifftshift(cr.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
        tensor([ 0.,  1.,  2., -2., -1.])
    """
    return _shift(x, axes, -1)


fftfreq, rfftfreq = np.fft.fftfreq, np.fft.rfftfreq  # sample frequencies: data, not differentiable

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifft2", "ifftn", "ifftshift", "ihfft",
           "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]

from ._keywords import explain_keywords  # noqa: E402  (torch.fft's dim= read as axis=; unknown keywords named)

explain_keywords(globals(), __all__, "cr.fft.")
