"""numpy.fft as rows of the op table: n-dimensional complex and real transforms, forward and inverse.

Gradients follow the convention PyTorch and JAX document for complex
numbers: the adjoint of a complex value z is ∂L/∂Re z + i·∂L/∂Im z, and the
adjoint of a real input is the real part of what reaches it. Every transform
is linear (over the reals), so each JVP is the op on the tangent, and each
VJP is the adjoint map, again a transform:

- fftn and ifftn are adjoint to each other with the normalisation swapped
  ("backward" ↔ "forward", "ortho" stays): the adjoint of c·F is c·Fᴴ.
- rfftn keeps the first n//2 + 1 frequencies of the last axis: its adjoint
  zero-pads them back and runs ifftn, of which a real input takes the real
  part; that real part is irfftn of the adjoint with the frequencies irfftn
  counts twice halved, which is how the rule computes it.
- irfftn reads each frequency of the last axis twice (itself and its
  conjugate mirror) except frequency 0 and, for even n, n/2: its adjoint is
  rfftn of the adjoint with those frequencies doubled.

`s` crops or zero-pads the input along `axes` first, as in NumPy; the
adjoint of that is the opposite padding or cropping.
"""

from __future__ import annotations

import numpy as np

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


def _fftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _plan(x, s, axes)
    back = ifftn(g, s=sizes, axes=axes, norm=_SWAP[norm])
    return _resize(back, axes, [np.shape(value_of(x))[a] for a in axes])


def _ifftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _plan(x, s, axes)
    back = fftn(g, s=sizes, axes=axes, norm=_SWAP[norm])
    return _resize(back, axes, [np.shape(value_of(x))[a] for a in axes])


def _rfftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    # Re(ifftn(g zero-padded to the full spectrum)), computed as irfftn of g with the frequencies that
    # irfftn counts twice halved: a real result for a real input, with no complex array in between
    axes, sizes = _plan(x, s, axes)
    halved = g / _half_spectrum_weights(sizes[-1], sizes[-1] // 2 + 1, axes[-1], len(g.shape))
    back = irfftn(halved, s=sizes, axes=axes, norm=_SWAP[norm])
    return _resize(back, axes, [np.shape(value_of(x))[a] for a in axes])


def _irfftn_plan(x, s, axes):
    axes, sizes = _plan(x, s, axes)
    if s is None:  # NumPy: the last axis gives 2(m - 1) points
        sizes = sizes[:-1] + (2 * (sizes[-1] - 1),)
    return axes, sizes


def _irfftn_vjp(g, ans, x, s=None, axes=None, norm=None):
    axes, sizes = _irfftn_plan(x, s, axes)
    half = sizes[-1] // 2 + 1
    spectrum = rfftn(g, s=sizes, axes=axes, norm=_SWAP[norm])
    spectrum = spectrum * _half_spectrum_weights(sizes[-1], half, axes[-1], len(g.shape))
    return _resize(spectrum, axes, [np.shape(value_of(x))[a] for a in axes])


def _transform(name):
    def forward(x, s=None, axes=None, norm=None):
        if s is not None and axes is None:  # NumPy's default (the last len(s) axes), spelt out as NumPy 2 asks
            axes = tuple(range(np.ndim(x) - len(s), np.ndim(x)))
        return getattr(np.fft, name)(x, s=s, axes=axes, norm=norm)
    forward.__name__ = name
    return forward


fftn = defop("fftn", _transform("fftn"), vjp=_fftn_vjp, jvp="linear",
             derivative="adjoint: ifftn with the normalisation swapped")
ifftn = defop("ifftn", _transform("ifftn"), vjp=_ifftn_vjp, jvp="linear",
              derivative="adjoint: fftn with the normalisation swapped")
rfftn = defop("rfftn", _transform("rfftn"), vjp=_rfftn_vjp, jvp="linear",
              derivative="adjoint: Re ifftn of the zero-padded spectrum (an irfftn)",
              convention="the adjoint of a real input is the real part")
irfftn = defop("irfftn", _transform("irfftn"), vjp=_irfftn_vjp, jvp="linear",
               derivative="adjoint: rfftn, frequencies other than 0 and n/2 doubled",
               convention="the imaginary parts of frequency 0 (and n/2 for even n) are ignored: adjoint 0")


def _hfft_vjp(g, ans, x, n=None, axis=-1, norm=None):
    # hfft(a) = irfft(conj a) with the normalisation swapped; conj's adjoint is conj, and
    # conj(rfft(g, norm)) is ihfft(g, swapped norm)
    ndim = len(g.shape)
    axis = axis % ndim
    n = 2 * (np.shape(value_of(x))[axis] - 1) if n is None else n
    half = n // 2 + 1
    back = ihfft(g, n=n, axis=axis, norm=_SWAP[norm]) * _half_spectrum_weights(n, half, axis, ndim)
    return _resize(back, (axis,), (np.shape(value_of(x))[axis],))


def _ihfft_vjp(g, ans, x, n=None, axis=-1, norm=None):
    # ihfft(x) = conj(rfft(x)) with the normalisation swapped, so the adjoint is the real part of
    # fft(g zero-padded): hfft of g with the doubly counted frequencies halved, a real result
    ndim = len(g.shape)
    axis = axis % ndim
    n = np.shape(value_of(x))[axis] if n is None else n
    back = hfft(g / _half_spectrum_weights(n, n // 2 + 1, axis, ndim), n=n, axis=axis, norm=_SWAP[norm])
    return _resize(back, (axis,), (np.shape(value_of(x))[axis],))


hfft = defop("hfft", lambda x, n=None, axis=-1, norm=None: np.fft.hfft(x, n=n, axis=axis, norm=norm),
             vjp=_hfft_vjp, jvp="linear", derivative="adjoint: ihfft, frequencies other than 0 and n/2 doubled")
ihfft = defop("ihfft", lambda x, n=None, axis=-1, norm=None: np.fft.ihfft(x, n=n, axis=axis, norm=norm),
              vjp=_ihfft_vjp, jvp="linear", derivative="adjoint: Re fft of the zero-padded adjoint (an hfft)",
              convention="the adjoint of a real input is the real part")
