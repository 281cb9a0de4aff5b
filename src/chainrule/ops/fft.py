"""numpy.fft as rows of the op table: n-dimensional complex and real transforms, forward and inverse.

Complex adjoints follow the engine's convention (JAX's inside the sweep: the
VJP of a complex-linear map A is Aᵀ·g, no conjugate; a real input keeps the
real part; a complex leaf's .grad is then conjugated to PyTorch's
∂L/∂Re z + i·∂L/∂Im z). Every transform is linear over the reals, so each
JVP is the op on the tangent, and each VJP is again a transform:

- fftn and ifftn are symmetric matrices (c·F and d·conj F): each is its own
  transpose, so the VJP is the same transform, with the same normalisation.
- rfftn (real input) keeps the first n//2 + 1 frequencies of the last axis:
  its VJP zero-pads them back, runs fftn and keeps the real part.
- irfftn reads each frequency of the last axis twice (itself and its
  conjugate mirror) except frequency 0 and, for even n, n/2: its VJP is the
  conjugate of rfftn of the adjoint (normalisation swapped), those
  frequencies doubled.
- hfft and ihfft are irfft and rfft with a conjugate: the VJPs follow.

`s` (or `n`) crops or zero-pads the input along `axes` first, as in NumPy;
the transpose of that is the opposite padding or cropping.
"""

from __future__ import annotations

import numpy as np

from ..core.engine_ops import conj, real
from ..core.registry import defop
from ._util import value_of
from .shape import getitem, scatter_add

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho", None: "forward"}


def _resize(a, axes, sizes):
    """a cropped or zero-padded (at the end) to `sizes` along `axes`: the adjoint of the same on the other side."""
    shape = list(a.shape)
    crop = [slice(None)] * len(shape)
    for axis, n in zip(axes, sizes):
        if n < shape[axis]:
            crop[axis] = slice(0, n)
            shape[axis] = n
    if any(isinstance(c, slice) and c.stop is not None for c in crop):
        a = getitem(a, index=tuple(crop))
    target = list(shape)
    for axis, n in zip(axes, sizes):
        target[axis] = n
    if target == shape:
        return a
    place = tuple(slice(0, n) for n in shape)
    return scatter_add(a, index=place, shape=tuple(target))


def _plan(x, s, axes):
    """(axes, s) with NumPy's defaults filled in, both tuples of non-negative ints."""
    ndim = np.ndim(value_of(x))
    axes = tuple(range(ndim)) if axes is None and s is None else (
        tuple(range(ndim - len(s), ndim)) if axes is None else tuple(axes))
    axes = tuple(a % ndim if ndim else a for a in axes)
    shape = np.shape(value_of(x))
    sizes = tuple(shape[a] for a in axes) if s is None else tuple(s)
    return axes, sizes


def _half_spectrum_weights(n, m, axis, ndim):
    """Along `axis`: 1 for frequency 0 and (n even) n/2, 2 for the others (they appear twice in a real signal)."""
    weights = np.full(m, 2.0)
    weights[0] = 1.0
    if n % 2 == 0 and n // 2 < m:
        weights[n // 2] = 1.0
    shape = [1] * ndim
    shape[axis] = m
    return weights.reshape(shape)


def _input_sizes(x, axes):
    return [np.shape(value_of(x))[a] for a in axes]


def _fftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _plan(x, s, axes)
    return _resize(fftn(g, s=sizes, axes=axes, norm=norm), axes, _input_sizes(x, axes))


def _ifftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _plan(x, s, axes)
    return _resize(ifftn(g, s=sizes, axes=axes, norm=norm), axes, _input_sizes(x, axes))


def _rfftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _plan(x, s, axes)
    full = _resize(g, axes[-1:], sizes[-1:])  # the dropped upper frequencies: zero adjoint
    return _resize(real(fftn(full, s=sizes, axes=axes, norm=norm)), axes, _input_sizes(x, axes))


def _irfftn_plan(x, s, axes):
    axes, sizes = _plan(x, s, axes)
    if s is None:  # NumPy: the last axis gives 2(m - 1) points
        sizes = sizes[:-1] + (2 * (sizes[-1] - 1),)
    return axes, sizes


def _irfftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _irfftn_plan(x, s, axes)
    half = sizes[-1] // 2 + 1
    spectrum = conj(rfftn(g, s=sizes, axes=axes, norm=_SWAP[norm]))
    spectrum = spectrum * _half_spectrum_weights(sizes[-1], half, axes[-1], len(g.shape))
    return _resize(spectrum, axes, _input_sizes(x, axes))


def _transform(name):
    def forward(x, s=None, axes=None, norm=None):
        if s is not None and axes is None:  # NumPy's default (the last len(s) axes), spelt out as NumPy 2 asks
            axes = tuple(range(np.ndim(x) - len(s), np.ndim(x)))
        return getattr(np.fft, name)(x, s=s, axes=axes, norm=norm)
    forward.__name__ = name
    return forward


fftn = defop("fftn", _transform("fftn"), vjp=_fftn_vjp, jvp="linear",
             derivative="VJP: fftn of the adjoint (a symmetric map)")
ifftn = defop("ifftn", _transform("ifftn"), vjp=_ifftn_vjp, jvp="linear",
              derivative="VJP: ifftn of the adjoint (a symmetric map)")
rfftn = defop("rfftn", _transform("rfftn"), vjp=_rfftn_vjp, jvp="linear",
              derivative="VJP: Re fftn of the adjoint zero-padded to the full spectrum",
              convention="the adjoint of a real input is the real part")
irfftn = defop("irfftn", _transform("irfftn"), vjp=_irfftn_vjp, jvp="linear",
               derivative="VJP: conj rfftn of the adjoint (normalisation swapped), frequencies but 0 and n/2 doubled",
               convention="the imaginary parts of frequency 0 (and n/2 for even n) are ignored: adjoint 0")


def _hfft_vjp(g, ans, x, n=None, axis=-1, norm=None):
    # hfft(a) = irfft(conj a) with the normalisation swapped: conj's VJP is conj, which undoes irfft's
    ndim = len(g.shape)
    axis = axis % ndim
    n = 2 * (np.shape(value_of(x))[axis] - 1) if n is None else n
    spectrum = rfftn(g, s=(n,), axes=(axis,), norm=norm) * _half_spectrum_weights(n, n // 2 + 1, axis, ndim)
    return _resize(spectrum, (axis,), _input_sizes(x, (axis,)))


def _ihfft_vjp(g, ans, x, n=None, axis=-1, norm=None):
    # ihfft(x) = conj(rfft(x)) with the normalisation swapped: the real part of ifft of g zero-padded
    axis = axis % len(g.shape)
    n = np.shape(value_of(x))[axis] if n is None else n
    back = real(ifftn(_resize(g, (axis,), (n,)), s=(n,), axes=(axis,), norm=norm))
    return _resize(back, (axis,), _input_sizes(x, (axis,)))


hfft = defop("hfft", lambda x, n=None, axis=-1, norm=None: np.fft.hfft(x, n=n, axis=axis, norm=norm),
             vjp=_hfft_vjp, jvp="linear", derivative="VJP: rfft of the adjoint, frequencies but 0 and n/2 doubled")
ihfft = defop("ihfft", lambda x, n=None, axis=-1, norm=None: np.fft.ihfft(x, n=n, axis=axis, norm=norm),
              vjp=_ihfft_vjp, jvp="linear", derivative="VJP: Re ifft of the zero-padded adjoint",
              convention="the adjoint of a real input is the real part")
