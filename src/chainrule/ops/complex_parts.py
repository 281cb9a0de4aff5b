"""Parts of complex numbers: real, imag, conj (the engine's own two) and angle.

The sweep pairs an adjoint a with a change dz as Re(a · dz) (JAX's
convention; see core/engine_ops.py), so each rule here is the a that makes
that pairing equal the change of the part: Re z needs a = g, Im z needs
a = -i g, conj z needs a = conj g. On real inputs they are the identity,
zero, the identity and a step (angle 0 or π).
"""

from __future__ import annotations

import numpy as np

from ..core.engine_ops import conj, real
from ..core.registry import defop
from ._util import value_of


def _imag(x):
    return np.imag(x).copy() if np.iscomplexobj(x) else np.zeros_like(x)


imag = defop("imag", _imag,
             vjp=lambda g, ans, x: g * (-1j) if value_of(x).dtype.kind == "c" else g * 0.0,
             jvp="linear", notation=("Im {0}", ("-i {g}",), ("Im {t}",)),
             derivative="-i (the adjoint of the imaginary part)")


def _angle_partial(g, x):
    # angle z = atan2(y, x): d angle = Im(dz / z), so a = -i g / z (0 for real inputs)
    if value_of(x).dtype.kind != "c":
        return g * 0.0
    return g * (-1j) / x


angle = defop("angle", lambda x: np.angle(x),
              vjp=lambda g, ans, x: _angle_partial(g, x),
              jvp=lambda t, ans, x: imag(t / x) if value_of(x).dtype.kind == "c" else t * 0.0,
              notation=("arg {0}", ("-i {g} / {0}",), ("Im({t} / {0})",)),
              derivative="Im(dz / z)", convention="real inputs: derivative 0 (angle is 0 or π)")

__all__ = ["real", "imag", "conj", "angle"]
