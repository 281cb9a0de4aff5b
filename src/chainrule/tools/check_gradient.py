"""Check a hand-derived gradient: against autodiff and finite differences, element by element.

This is the learner's check: `check_gradient` compares a gradient *you*
derived (a function returning arrays) and explains the numbers. To check
chainrule's own derivative rules (or a `custom_vjp`), use `gradcheck`.

`check_gradient(f, my_grad, *inputs)` prints (and returns) a report with:
- a table per input element: your gradient, autodiff's, central differences',
  and the relative errors;
- a step-size sweep of the finite-difference error against autodiff:
  large steps suffer truncation error (∝ h²), tiny ones round-off (∝ ε/h);
- warnings when an input sits on a kink of relu, abs, the binary step or a
  hinge, where the derivative is a convention, not a limit.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import ChainruleError
from ..core.graph import topological_order
from ..core.modes import enable_grad, no_grad
from ..core.tensor import Tensor, array_of
from .differences import central_difference, unit_vector

_KINKS = {"relu": "relu at 0", "abs": "abs at 0", "step": "the binary step at 0", "sign": "sign at 0",
          "leaky_relu": "leaky_relu at 0", "elu": "elu at 0"}


class GradientReport:
    """Result of `check_gradient`: `.rows`, `.sweep`, `.warnings`, `.ok`; print it for the tables."""

    def __init__(self, rows, sweep, warnings, ok, tolerance):
        self.rows, self.sweep, self.warnings, self.ok, self.tolerance = rows, sweep, warnings, ok, tolerance

    def __str__(self):
        head = f"{'input':>6} {'index':>8} {'yours':>14} {'autodiff':>14} {'finite diff':>14} {'rel err':>10}"
        lines = ["Your gradient against autodiff and central differences", head]
        for r in self.rows:
            flag = "" if r["rel_error"] <= self.tolerance else "  <-- differs"
            lines.append(f"{r['input']:>6} {str(r['index']):>8} {r['yours']:>14.8g} {r['autodiff']:>14.8g} "
                         f"{r['numeric']:>14.8g} {r['rel_error']:>10.2e}{flag}")
        lines += ["", "Finite-difference step sweep (error of central differences against autodiff)",
                  f"{'h':>10} {'max error':>12}"]
        lines += [f"{h:>10.0e} {err:>12.3e}" for h, err in self.sweep]
        best = min(self.sweep, key=lambda s: s[1])
        lines.append(f"best step {best[0]:.0e}: larger steps lose to truncation (error ~ h²), "
                     "smaller ones to round-off (error ~ 1e-16 / h)")
        lines += ["", *("warning: " + w for w in self.warnings)]
        lines.append("your gradient matches" if self.ok else "your gradient does NOT match autodiff")
        return "\n".join(lines)

    def plot(self, path):
        """Save the step sweep as a log-log PNG (needs matplotlib)."""
        from .report import _pyplot

        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(5, 3.5))
        hs, errs = zip(*self.sweep)
        ax.loglog(hs, np.maximum(errs, 1e-300), marker="o")
        ax.set_xlabel("step h")
        ax.set_ylabel("max |finite difference - autodiff|")
        ax.set_title("truncation (right) against round-off (left)")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)


def _numeric_partial(f, arrays, i, k, h):
    """∂f/∂(input i, element k) by central differences with step h (nothing recorded)."""
    def value(*xs):
        with no_grad():
            return f(*[Tensor(x) for x in xs]).item()

    return float(central_difference(value, arrays, i, unit_vector(arrays[i].shape, k), h))


def check_gradient(f, my_grad, *inputs, tolerance=1e-5, steps=None, plot=None):
    """Compare `my_grad(*inputs)`, a gradient you derived, with autodiff and finite differences.

    `f` maps the inputs to a scalar; `my_grad` returns one gradient per
    input (a single array for one input). Returns a GradientReport; `plot`
    is an optional PNG path for the step sweep.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> report = cr.check_gradient(lambda x: (x ** 3).sum(), lambda x: 3 * x ** 2, np.array([1.0, -2.0]))
        >>> report.ok
        True
    """
    arrays = [np.array(array_of(x), dtype=np.float64) for x in inputs]
    if not arrays:
        raise ChainruleError("check_gradient needs at least one input")
    yours = my_grad(*[a.copy() for a in arrays])
    yours = [yours] if len(arrays) == 1 and not isinstance(yours, (tuple, list)) else list(yours)
    if len(yours) != len(arrays):
        raise ChainruleError(f"my_grad returned {len(yours)} gradients for {len(arrays)} inputs")
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    with enable_grad():
        out = f(*tensors)
    if not isinstance(out, Tensor) or out.size != 1:
        raise ChainruleError("check_gradient needs f to return a single-element Tensor")
    warnings = _kink_warnings(out)
    out.backward(retain_graph=True)
    auto = [t.grad.numpy() if t.grad is not None else np.zeros_like(t.numpy()) for t in tensors]
    rows, ok = [], True
    for i, (a, y, g) in enumerate(zip(arrays, yours, auto)):
        y = np.broadcast_to(np.asarray(array_of(y), dtype=np.float64), a.shape)
        for k in range(a.size):
            numeric = _numeric_partial(f, arrays, i, k, 1e-6)
            rel = abs(y.flat[k] - g.flat[k]) / max(abs(g.flat[k]), 1e-12)
            ok &= rel <= tolerance
            rows.append({"input": i, "index": _index(k, a.shape) if a.ndim else (), "yours": float(y.flat[k]),
                         "autodiff": float(g.flat[k]), "numeric": numeric, "rel_error": float(rel)})
    steps = steps or [10.0 ** -e for e in range(1, 13)]
    sweep = [(h, max(abs(_numeric_partial(f, arrays, i, k, h) - auto[i].flat[k]) for i, a in enumerate(arrays)
                     for k in range(a.size))) for h in steps]
    report = GradientReport(rows, sweep, warnings, bool(ok), tolerance)
    if plot is not None:
        report.plot(plot)
    return report


def _kink_warnings(out):
    found = []
    for t in topological_order([out]):
        node = t._node
        if node is None or node.inputs is None:
            continue
        name = node.op.name
        x = node.inputs[0]
        values = array_of(x)
        if name in _KINKS and np.any(values == 0):
            found.append(f"an input of {_KINKS[name]} is exactly at the kink: the derivative there is a convention "
                         "(see docs/ops.md), and finite differences straddle two slopes")
        elif name in ("maximum", "minimum") and np.any(values == array_of(node.inputs[1])):
            found.append(f"{name} has tied inputs: the gradient is split evenly by convention")
    return found


def _index(k, shape):
    """The k-th element's index as plain ints: (0, 1), not (np.int64(0), np.int64(1))."""
    return tuple(int(j) for j in np.unravel_index(k, shape))
