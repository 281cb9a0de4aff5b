"""`chainrule.scipy.integrate.odeint`: an ODE solver whose every step is recorded, so it differentiates.

scipy.integrate.odeint (LSODA) runs in Fortran and cannot be traced. This
odeint has its signature but integrates with the Dormand–Prince 5(4)
Runge–Kutta pair (the method of MATLAB's ode45 and SciPy's RK45) written in
chainrule ops: gradients reach y0, the times t and every tensor in `args`
(the parameters of the dynamics), and derivatives of any order work.

How the gradient is taken: by differentiating through the solver ("discretise
then optimise"), not by the adjoint ODE. The step sizes are chosen by the
usual error control, from plain values; once chosen they are fractions of each
output interval, so the gradient is the exact gradient of the computed
solution, also with respect to t. Memory grows with the number of steps.
Needs no SciPy.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from ..ops._util import value_of
from ..ops.shape import getitem, stack
from ._convert import as_float

# Dormand & Prince (1980): the stages' coefficients, the 5th-order weights, and the
# weights' difference from the embedded 4th-order solution (the local error estimate).
_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_A = ((),
      (1 / 5,),
      (3 / 40, 9 / 40),
      (44 / 45, -56 / 15, 32 / 9),
      (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
      (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
      (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_B = _A[6]
_E = (35 / 384 - 5179 / 57600, 0.0, 500 / 1113 - 7571 / 16695, 125 / 192 - 393 / 640,
      -2187 / 6784 + 92097 / 339200, 11 / 84 - 187 / 2100, -1 / 40)
_DEFAULT_TOL = 1.49012e-8  # scipy.integrate.odeint's rtol and atol


def _state(value):
    """The dynamics' return value as a tensor or float array (a list of tensors is stacked)."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        return stack(value)
    return as_float(value)


def _initial_step(f0, y0, span, rtol, atol):
    # a step that changes y by about 1% of its scale (Hairer, Nørsett & Wanner, II.4)
    scale = atol + rtol * np.abs(y0)
    d0, d1 = np.sqrt(np.mean((y0 / scale) ** 2)), np.sqrt(np.mean((f0 / scale) ** 2))
    h = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    return min(h, abs(span))


def _step(f, y, k, start, step, frac, span, rtol, atol):
    """One Dormand–Prince step from y (k[0] = f at the start): (y_new, the stages, the error norm)."""
    for stage in range(1, 7):
        increment = sum((a * ki for a, ki in zip(_A[stage], k) if a), 0.0)
        k.append(f(y + step * increment, start + _C[stage] * step))
    y_new = y + step * sum((b * ki for b, ki in zip(_B, k) if b), 0.0)
    error = frac * span * sum(e * value_of(ki) for e, ki in zip(_E, k) if e)  # values only: it picks the steps
    scale = atol + rtol * np.maximum(np.abs(value_of(y)), np.abs(value_of(y_new)))
    norm = float(np.sqrt(np.mean((error / scale) ** 2))) if np.size(error) else 0.0
    return y_new, k, norm


def _interval(f, y, lo, hi, span, h, options, where):
    """y carried from time lo to hi (span = hi - lo as a number) by accepted steps; returns (y, next step size)."""
    rtol, atol, hmax, mxstep = options
    width = hi - lo  # signed and differentiable: the steps are fractions of it
    k = [f(y, lo)]
    if h <= 0:
        h = _initial_step(value_of(k[0]), value_of(y), span, rtol, atol)
    done = 0.0
    for _ in range(mxstep):
        h = min(h, hmax) if hmax > 0 else h
        frac = min(h / abs(span), 1.0 - done)
        last = frac == 1.0 - done
        y_new, k, norm = _step(f, y, k, lo + done * width, frac * width, frac, span, rtol, atol)
        if norm <= 1.0:  # accept: the last stage is f at the new point (first same as last)
            y, k = y_new, [k[6]]
            done = 1.0 if last else done + frac
        else:
            k = k[:1]
        h = frac * abs(span) * (5.0 if norm == 0 else min(5.0, max(0.2, 0.9 * norm ** -0.2)))
        if done >= 1.0:
            return y, h
    raise ChainruleError(f"odeint: more than {mxstep} steps between t[{where}] and t[{where + 1}]; the problem "
                         "may be stiff: raise mxstep or loosen rtol/atol")


def _check_times(times):
    if times.ndim != 1 or times.size == 0:
        raise ValueError(f"odeint: t must be a non-empty 1-D sequence of times, got shape {times.shape}")
    gaps = np.diff(times)
    if not (np.all(gaps >= 0) or np.all(gaps <= 0)):
        raise ValueError("odeint: t must be monotonic (increasing or decreasing)")
    return gaps


def odeint(func, y0, t, args=(), rtol=None, atol=None, h0=0.0, hmax=0.0, mxstep=0, tfirst=False):
    """Solve dy/dt = func(y, t, *args) from y(t[0]) = y0; returns y at every t (shape (len(t), *y0.shape)).

    Arguments as scipy.integrate.odeint: `rtol`, `atol` (default 1.49012e-8)
    bound the local error, `h0` is the first step, `hmax` the largest step
    (0: none), `mxstep` the most steps per output interval (0: 500), and
    `tfirst=True` calls func(t, y, *args). func must compute with chainrule
    ops (cr.* or Tensor operators) for gradients to flow through it.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.scipy.integrate import odeint
        >>> rate = cr.tensor(-1.0, dtype="float64", requires_grad=True)
        >>> y = odeint(lambda y, t, k: k * y, cr.tensor([1.0], dtype="float64"), [0.0, 1.0], args=(rate,))
        >>> y[-1].sum().backward()      # y(1) = e^k, so dy(1)/dk = e^k
        >>> round(float(y[-1, 0]), 6), round(float(rate.grad), 6)
        (0.367879, 0.367879)
    """
    options = (_DEFAULT_TOL if rtol is None else float(rtol), _DEFAULT_TOL if atol is None else float(atol),
               float(hmax), int(mxstep) or 500)
    t = as_float(t)
    gaps = _check_times(value_of(t))

    def f(y, s):
        return _state(func(s, y, *args) if tfirst else func(y, s, *args))

    y, h = _state(y0), float(h0)
    out = [y]
    for i, span in enumerate(gaps.tolist()):
        if span != 0:
            y, h = _interval(f, y, getitem(t, index=i), getitem(t, index=i + 1), span, h, options, i)
        out.append(y)
    if not any(isinstance(y, Tensor) for y in out):  # plain arrays in, a plain array out (as every op)
        return np.stack(out)
    return stack(out)


__all__ = ["odeint"]
