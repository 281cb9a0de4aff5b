"""Parts of complex numbers: real, imag, conj (conjugate) and angle, as NumPy names them.

These are not holomorphic, so they carry their own rules in the engine's convention
(core/engine_ops.py, as JAX inside the sweep): for z = x + iy the adjoint the sweep
carries is ∂L/∂x - i ∂L/∂y, and a leaf's `.grad` is its conjugate (PyTorch's
∂L/∂x + i ∂L/∂y). With a real output u and adjoint g the rule is g·(∂u/∂x - i ∂u/∂y):

    real z: g        imag z: -i g        angle z: g·(-y - i x)/|z|² = -i g / z

real and conj are the engine's own rows; imag and angle are declared here. On real
inputs imag is 0 and angle is 0 or π: both have derivative 0.
"""

from __future__ import annotations

import numpy as np

from ..core.engine_ops import conj, real
from ..core.registry import defop
from ._util import value_of, zeros_like
from .elementwise import where


def _is_complex(x):
    return value_of(x).dtype.kind == "c"


imag = defop(
    "imag", lambda x: np.imag(x).copy() if np.iscomplexobj(x) else np.zeros_like(x),
    vjp=lambda g, ans, x: g * -1j if _is_complex(x) else zeros_like(x),
    jvp="linear", notation=("Im {0}", ("-i {g}",), ("Im {t}",)),
    derivative="-i (the adjoint of the imaginary part); 0 for a real input")


def _minus_i_over(x):
    """-i / z, taken as 0 at z = 0 (where the angle jumps)."""
    at_zero = value_of(x) == 0
    return where(at_zero, 0.0, -1j / where(at_zero, 1.0, x))


angle = defop(
    "angle", lambda x: np.angle(x),
    vjp=lambda g, ans, x: g * _minus_i_over(x) if _is_complex(x) else zeros_like(x),
    jvp=lambda t, ans, x: imag(t * (1j * _minus_i_over(x))) if _is_complex(x) else zeros_like(ans),
    notation=("angle {0}", ("-i {g} / {0}",), ("Im({t} / {0})",)),
    derivative="-i / z (∂/∂x = -y/|z|², ∂/∂y = x/|z|²); 0 for a real input",
    convention="derivative 0 at z = 0 and for real inputs (there the angle is 0 or π, piecewise constant)")

conjugate = conj  # NumPy's two names

__all__ = ["real", "imag", "conj", "conjugate", "angle"]
