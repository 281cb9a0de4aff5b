"""Gradient checking: autodiff against central finite differences.

`gradcheck` is the public surface; the helpers below it build the numeric
and analytic Jacobians (or, with fast=True, random projections of them)
and the report a failure raises.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError
from ..core.graph import topological_order
from ..core.modes import enable_grad, no_grad
from ..core.tensor import Tensor, array_of
from ..ops import concatenate, reshape
from ..transforms import jacfwd, jacrev, jvp, vjp
from ..tree import flatten
from .differences import central_difference, unit_vector


class GradcheckError(ChainruleError, AssertionError):
    """Analytic and numeric derivatives disagree; the message tables where.

    `modes_checked` holds the modes compared ("rev", "fwd") and
    `not_checked` maps a mode left out to the reason.
    """

    modes_checked: tuple = ()
    not_checked: dict = {}


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, modes=None, order=1, fast=False,
              raise_exception=True, seed=0, check_forward=None):
    """Check f's derivatives against central differences; True if they agree.

    Every floating input is perturbed, and f may return one array or a
    tuple, list or dict of them. Which derivatives are checked:

    - `modes`: reverse ("rev", via VJPs) and/or forward ("fwd", via JVPs).
      Left out, reverse mode is always checked and forward mode as
      `check_forward` says: None (the default) checks it where every op f
      applies has a JVP rule (a `custom_vjp` without `jvp_rule` has none),
      True always (PyTorch's `check_forward_ad`), False never.
    - `order=2` checks second derivatives: those of the VJP (x, u) -> uᵀJ(x)
      at a random cotangent u, in x (f's second derivatives) and in u
      (which a VJP that cannot be differentiated gets wrong).
    - `fast=True` compares random projections u·J·v instead of whole
      Jacobians.

    On disagreement raises GradcheckError with a per-input table that names
    the modes checked (or returns False with `raise_exception=False`).
    `gradcheck` is PyTorch's check of a library's rules; to compare a
    gradient you derived by hand, use `check_gradient`.

    Example:
        >>> import chainrule as cr
        >>> cr.gradcheck(lambda x: cr.tanh(x) * x, cr.tensor([0.3, -1.2], dtype=cr.float64))
        True
    """
    if order not in (1, 2):
        raise ValueError(f"gradcheck order must be 1 or 2, got {order}")
    arrays = _float64_inputs(inputs)
    rng = np.random.default_rng(seed)
    checked = [(f, arrays)]
    if order == 2:  # check the VJP (x, u) -> uᵀJ(x) instead: its derivatives are f's second ones
        first, u = _first_derivative(f, arrays, rng)
        checked.append((first, [*arrays, u]))
    modes, not_checked = _modes_to_check(checked, modes, check_forward)
    f, arrays = checked[-1]
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
            error = GradcheckError(_report(failures, order, fast, atol, rtol, modes, not_checked, len(inputs)))
            error.modes_checked, error.not_checked = modes, not_checked
            raise error
        return False
    return True


# ---- helpers -------------------------------------------------------------------
def _float64_inputs(inputs):
    # on the host: finite differences need float64, and a GPU tensor's function is checked on its values there
    arrays = [backend.to_host(array_of(x)) for x in inputs]
    if any(a.dtype != np.float64 for a in arrays if a.dtype.kind == "f"):
        warnings.warn("gradcheck inputs are not all float64: finite differences in lower "
                      "precision give false alarms; cast inputs to float64", stacklevel=3)
    return [a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays]


def _modes_to_check(functions, modes, check_forward):
    """(modes to check, {mode: why it is not checked}) from the arguments of gradcheck.

    Forward mode through `functions` ((f, inputs), and for order 2 its VJP
    too) needs a JVP rule for every op they apply.
    """
    if modes is not None:
        modes = tuple(modes)
        unknown = set(modes) - {"rev", "fwd"}
        if unknown:
            raise ValueError(f"gradcheck modes must be 'rev' and/or 'fwd', got {sorted(unknown)}")
    elif check_forward is False:
        return ("rev",), {"fwd": "check_forward=False"}
    asked = modes is not None or check_forward is True
    modes = modes or ("rev", "fwd")
    missing = sorted({op for f, inputs in functions for op in _ops_without_jvp(f, inputs)} if "fwd" in modes else ())
    if not missing:
        return modes, {}
    if asked:
        raise ChainruleError(f"gradcheck: forward mode was asked for, but {', '.join(missing)} has no JVP rule; "
                             "give it one (custom_vjp's jvp_rule) or check reverse mode only (modes=('rev',))")
    return ("rev",), {"fwd": f"no JVP rule for {', '.join(missing)}"}


def _ops_without_jvp(f, arrays):
    """Names of the ops f applies (recorded once) that forward mode cannot pass."""
    tensors = [Tensor._wrap(a.copy()).requires_grad_() if a.dtype.kind == "f" else Tensor._wrap(a)
               for a in arrays]
    with enable_grad():
        leaves, _ = flatten(f(*tensors))
    outputs = [t for t in leaves if isinstance(t, Tensor)]
    return sorted({t._node.op.name for t in topological_order(outputs)
                   if t._node is not None and _lacks_jvp(t._node.op)})


def _lacks_jvp(op):
    if op.jvp is None:
        return not op.nondiff
    if isinstance(op.jvp, tuple) and isinstance(op.vjp, tuple):
        return any(j is None and v is not None for j, v in zip(op.jvp, op.vjp))
    return False


def _evaluate_flat(f, arrays):
    """f's outputs at the arrays, joined into one float64 vector (numbers only: nothing recorded)."""
    with no_grad():
        out = f(*[Tensor._wrap(a.copy()) for a in arrays])
    leaves, _ = flatten(out)
    return np.concatenate([np.ravel(array_of(o)).astype(np.float64) for o in leaves])


def _numeric_directional(f, arrays, i, direction, eps):
    """J_i·direction by central differences (J_i: the Jacobian of f's flat output in input i)."""
    return central_difference(lambda *xs: _evaluate_flat(f, xs), arrays, i, direction, eps)


def _differentiable_flat_output(f, args):
    """f's outputs joined into one vector Tensor, built with chainrule ops so it can be differentiated."""
    leaves, _ = flatten(f(*args))
    parts = [reshape(o if isinstance(o, Tensor) else Tensor._wrap(np.asarray(o)), (-1,)) for o in leaves]
    return parts[0] if len(parts) == 1 else concatenate(parts)


def _flat_output_fn(f, arrays, i):
    """x_i -> f(...) flattened into one vector, the other inputs held fixed."""
    def g(xi):
        args = [Tensor._wrap(a) for a in arrays]
        args[i] = xi
        return _differentiable_flat_output(f, args)

    return g


def _jacobians(f, arrays, i, mode, eps, rng):
    x = arrays[i]
    columns = [_numeric_directional(f, arrays, i, unit_vector(x.shape, k), eps) for k in range(x.size)]
    m = _evaluate_flat(f, arrays).size
    numeric = np.stack(columns, axis=1) if columns else np.zeros((m, 0))
    jac = (jacrev if mode == "rev" else jacfwd)(_flat_output_fn(f, arrays, i))
    analytic = np.asarray(jac(Tensor._wrap(x.copy()))).reshape(m, x.size)
    return numeric, analytic


def _projections(f, arrays, i, mode, eps, rng):
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


def _first_derivative(f, arrays, rng):
    """((x..., u) -> uᵀ·J_f(x), a random cotangent u) for the order-2 check.

    Its derivative in x holds f's second derivatives; its derivative in u
    (the VJP is linear in u) checks that the VJP can be differentiated
    with respect to the cotangent, as autograd's check_grads does.
    """
    u = rng.standard_normal(_evaluate_flat(f, arrays).shape)
    diff = [k for k, a in enumerate(arrays) if a.dtype.kind == "f"]

    def with_replaced(xs, replaced):
        args = list(xs)
        for k, r in zip(diff, replaced):
            args[k] = r
        return args

    def first(*xs_and_u):
        *xs, cotangent = xs_and_u
        out, back = vjp(lambda *d: _differentiable_flat_output(f, with_replaced(xs, d)), *[xs[k] for k in diff])
        grads = back(cotangent)
        return concatenate([reshape(gk, (-1,)) for gk in grads])

    return first, u


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


def _report(failures, order, fast, atol, rtol, modes, not_checked, n_inputs):
    what = "random projections u·J·v" if fast else "Jacobian entries (output, input element)"
    checked = "modes checked: " + ", ".join(modes) + "".join(
        f"; {mode} not checked ({why})" for mode, why in not_checked.items())
    if order == 2:
        what += f"; of the VJP (x, u) -> uᵀJ(x), input {n_inputs} being the cotangent u"
    lines = [f"gradcheck failed (order {order}, {what}; tolerance |a - n| <= {atol} + {rtol}·|n|; {checked}):",
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
