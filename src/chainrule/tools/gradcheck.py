"""Gradient checking: autodiff against central finite differences.

`gradcheck` is the public surface; the helpers below it build the numeric
and analytic Jacobians (or, with fast=True, random projections of them)
and the report a failure raises.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core.errors import ChainruleError
from ..core.modes import no_grad
from ..core.tensor import Tensor


class GradcheckError(ChainruleError, AssertionError):
    """Analytic and numeric derivatives disagree; the message tables where."""


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, modes=("rev", "fwd"), order=1,
              fast=False, raise_exception=True, seed=0):
    """Check f's derivatives against central differences; True if they agree.

    Every floating input is perturbed. `modes` picks reverse ("rev", via
    VJPs) and/or forward ("fwd", via JVPs) mode; `order=2` checks second
    derivatives (the derivative of a VJP with a fixed random cotangent).
    `fast=True` compares random projections u·J·v instead of whole
    Jacobians. On disagreement raises GradcheckError with a per-input table
    (or returns False with `raise_exception=False`).

    Example:
        >>> import chainrule as cr
        >>> cr.gradcheck(lambda x: cr.tanh(x) * x, cr.tensor([0.3, -1.2]))
        True
    """
    if order not in (1, 2):
        raise ValueError(f"gradcheck order must be 1 or 2, got {order}")
    unknown = set(modes) - {"rev", "fwd"}
    if unknown:
        raise ValueError(f"gradcheck modes must be 'rev' and/or 'fwd', got {sorted(unknown)}")
    arrays = [_as_array(x) for x in inputs]
    if any(a.dtype != np.float64 for a in arrays if a.dtype.kind == "f"):
        warnings.warn("gradcheck inputs are not all float64: finite differences in lower "
                      "precision give false alarms; cast inputs to float64", stacklevel=2)
    arrays = [a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays]
    rng = np.random.default_rng(seed)
    if order == 2:
        f = _first_derivative(f, arrays, rng)
    failures = []
    for mode in modes:
        for i, x in enumerate(arrays):
            if x.dtype.kind != "f":
                continue
            numeric, analytic = (_projections if fast else _jacobians)(f, arrays, i, mode, eps, rng)
            failure = _compare(analytic, numeric, atol, rtol, i, mode)
            if failure:
                failures.append(failure)
    if failures:
        if raise_exception:
            raise GradcheckError(_report(failures, order, fast, atol, rtol))
        return False
    return True


# ---- helpers -------------------------------------------------------------------
def _as_array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _call_flat(f, arrays):
    """f at the given arrays, flattened to a float64 vector (no recording)."""
    from ..tree import flatten

    with no_grad():
        out = f(*[Tensor._wrap(a.copy()) for a in arrays])
    leaves, _ = flatten(out)
    return np.concatenate([np.ravel(_as_array(o)).astype(np.float64) for o in leaves])


def _numeric_directional(f, arrays, i, direction, eps):
    plus = [a.copy() for a in arrays]
    minus = [a.copy() for a in arrays]
    plus[i] = plus[i] + eps * direction
    minus[i] = minus[i] - eps * direction
    return (_call_flat(f, plus) - _call_flat(f, minus)) / (2 * eps)


def _flat_call(f, args):
    """f(*args) with all its outputs flattened and joined into one vector (a Tensor)."""
    from ..ops import concatenate, reshape
    from ..tree import flatten

    leaves, _ = flatten(f(*args))
    parts = [reshape(o if isinstance(o, Tensor) else Tensor._wrap(np.asarray(o)), (-1,)) for o in leaves]
    return parts[0] if len(parts) == 1 else concatenate(parts)


def _flat_output_fn(f, arrays, i):
    """x_i -> f(...) flattened into one vector, the other inputs held fixed."""
    def g(xi):
        args = [Tensor._wrap(a) for a in arrays]
        args[i] = xi
        return _flat_call(f, args)

    return g


def _jacobians(f, arrays, i, mode, eps, rng):
    from ..transforms import jacfwd, jacrev

    x = arrays[i]
    columns = [_numeric_directional(f, arrays, i, _basis(x, k), eps) for k in range(x.size)]
    m = _call_flat(f, arrays).size
    numeric = np.stack(columns, axis=1) if columns else np.zeros((m, 0))
    jac = (jacrev if mode == "rev" else jacfwd)(_flat_output_fn(f, arrays, i))
    analytic = np.asarray(jac(Tensor._wrap(x.copy()))).reshape(m, x.size)
    return numeric, analytic


def _projections(f, arrays, i, mode, eps, rng):
    from ..transforms import jvp, vjp

    x = arrays[i]
    v = rng.standard_normal(x.shape)
    g = _flat_output_fn(f, arrays, i)
    numeric_jv = _numeric_directional(f, arrays, i, v, eps)
    u = rng.standard_normal(numeric_jv.shape)
    if mode == "rev":
        _, back = vjp(g, Tensor._wrap(x.copy()))
        analytic = float(np.sum(np.asarray(back(u)[0]) * v))
    else:
        _, jv = jvp(g, (Tensor._wrap(x.copy()),), (v,))
        analytic = float(np.sum(u * np.asarray(jv)))
    return np.array([[float(u @ numeric_jv)]]), np.array([[analytic]])


def _basis(x, k):
    e = np.zeros(x.size)
    e[k] = 1.0
    return e.reshape(x.shape)


def _first_derivative(f, arrays, rng):
    """x -> VJP of f at x with a fixed random cotangent: checking it checks order 2."""
    from ..ops import concatenate, reshape
    from ..transforms import vjp

    u = rng.standard_normal(_call_flat(f, arrays).shape)
    diff = [k for k, a in enumerate(arrays) if a.dtype.kind == "f"]

    def with_replaced(xs, replaced):
        args = list(xs)
        for k, r in zip(diff, replaced):
            args[k] = r
        return args

    def first(*xs):
        out, back = vjp(lambda *d: _flat_call(f, with_replaced(xs, d)), *[xs[k] for k in diff])
        grads = back(u)
        return concatenate([reshape(gk, (-1,)) for gk in grads])

    return first


def _compare(analytic, numeric, atol, rtol, i, mode):
    if analytic.shape != numeric.shape:
        return {"input": i, "mode": mode, "shape": (analytic.shape, numeric.shape)}
    err = np.abs(analytic - numeric)
    if err.size == 0 or np.all(err <= atol + rtol * np.abs(numeric)):
        return None
    rel = err / np.maximum(np.abs(numeric), 1e-300)
    worst = np.unravel_index(np.argmax(err - rtol * np.abs(numeric)), err.shape)
    return {"input": i, "mode": mode, "max_abs": float(err.max()), "max_rel": float(rel.max()),
            "worst": tuple(int(w) for w in worst), "analytic": float(analytic[worst]),
            "numeric": float(numeric[worst])}


def _report(failures, order, fast, atol, rtol):
    what = "random projections u·J·v" if fast else "Jacobian entries (output, input element)"
    lines = [f"gradcheck failed (order {order}, {what}; tolerance |a - n| <= {atol} + {rtol}·|n|):",
             f"  {'input':>5}  {'mode':>4}  {'max abs err':>12}  {'max rel err':>12}  "
             f"{'worst':>10}  {'analytic':>14}  {'numeric':>14}"]
    for fl in failures:
        if "shape" in fl:
            lines.append(f"  {fl['input']:>5}  {fl['mode']:>4}  Jacobian shapes differ: {fl['shape']}")
            continue
        lines.append(f"  {fl['input']:>5}  {fl['mode']:>4}  {fl['max_abs']:>12.4e}  {fl['max_rel']:>12.4e}"
                     f"  {str(fl['worst']):>10}  {fl['analytic']:>14.8g}  {fl['numeric']:>14.8g}")
    lines.append("Check the derivative rule of the op the failing input flows through; "
                 "a kink (relu at 0, abs at 0) under the step eps also shows up here.")
    return "\n".join(lines)
