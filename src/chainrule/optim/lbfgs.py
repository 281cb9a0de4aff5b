"""L-BFGS: a quasi-Newton method that re-evaluates the loss through a closure, as PyTorch's LBFGS."""

from __future__ import annotations

import numpy as np

from ..core.errors import ChainruleError
from ..core.modes import enable_grad
from .line_search import strong_wolfe
from .optimizer import Optimizer, check


class LBFGS(Optimizer):
    """Limited-memory BFGS with PyTorch's algorithm and stopping rules: a fixed step lr, or with
    `line_search_fn="strong_wolfe"` a step meeting the strong Wolfe conditions (optim/line_search.py).

    `step(closure)` calls `closure()` (which zeroes the gradients, computes the
    loss, calls backward and returns the loss) up to `max_eval` times. The
    search direction comes from the two-loop recursion over the last
    `history_size` pairs (s = step, y = change of gradient); the first step is
    scaled to min(1, 1/‖g‖₁)·lr.

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([3.0, -2.0])
        >>> opt = cr.optim.LBFGS([w])
        >>> def closure():
        ...     opt.zero_grad(); loss = ((w - 1.0) ** 2).sum(); loss.backward(); return loss
        >>> _ = opt.step(closure); [round(v, 4) for v in w.tolist()]
        [1.0, 1.0]
        >>> w.data[...] = [3.0, -2.0]
        >>> opt = cr.optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> _ = opt.step(closure); [round(v, 4) for v in w.tolist()]
        [1.0, 1.0]
    """

    def __init__(self, params, lr=1.0, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        check(lr >= 0.0, f"Invalid learning rate: {lr}")
        check(max_iter > 0, f"Invalid max_iter value: {max_iter}")
        check(history_size > 0, f"Invalid history_size value: {history_size}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval if max_eval is not None
                                      else max_iter * 5 // 4, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ChainruleError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        return np.concatenate([np.zeros(p._data.size) if p.grad is None else np.ravel(p.grad._data)
                               for p in self._params]).astype(np.float64)

    def _add(self, step, direction):
        offset = 0
        for p in self._params:
            n = p._data.size
            data = p._data
            if not data.flags.writeable:
                p._data = data = data.copy()
            data += (step * direction[offset:offset + n]).reshape(p.shape).astype(data.dtype)
            p._bump_version()
            offset += n

    def step(self, closure=None):
        """Run up to max_iter iterations; returns the loss of the first closure call."""
        if closure is None:
            raise ChainruleError("LBFGS.step needs a closure that recomputes the loss and its gradients")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change, history = group["tolerance_grad"], group["tolerance_change"], group["history_size"]
        state = self.state.setdefault(self._params[0], {"func_evals": 0, "n_iter": 0})

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if np.abs(g).max() <= tol_grad:
            return orig_loss
        d, t = state.get("d"), state.get("t")
        old_dirs, old_steps, ro = state.get("old_dirs", []), state.get("old_stps", []), state.get("ro", [])
        h_diag, prev_g, prev_loss = state.get("H_diag", 1.0), state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_steps, ro, h_diag = -g, [], [], [], 1.0
            else:
                y, s = g - prev_g, d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep the pair only where the curvature condition holds
                    if len(old_dirs) == history:
                        old_dirs.pop(0), old_steps.pop(0), ro.pop(0)
                    old_dirs.append(y), old_steps.append(s), ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                d = _two_loop(-g, old_dirs, old_steps, ro, h_diag)
            prev_g, prev_loss = g.copy(), loss
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = float(g @ d)
            if gtd > -tol_change:  # not a descent direction
                break
            if group["line_search_fn"] == "strong_wolfe":
                loss, g, t, ls_evals = self._line_search(closure, loss, gtd, t, d, tol_change)
            else:
                self._add(t, d)
                ls_evals = 0
                if n_iter != max_iter:
                    with enable_grad():
                        loss = float(closure())
                    g = self._flat_grad()
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or np.abs(g).max() <= tol_grad:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_steps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_g, prev_loss=prev_loss)
        return orig_loss


    def _line_search(self, closure, loss, gtd, t, d, tol_change):
        """(loss, flat gradient, step, evaluations) of a strong Wolfe step along d; the parameters end there."""
        start = [p._data.copy() for p in self._params]

        def phi(step):  # the loss and gradient at start + step·d, the parameters put back after
            self._add(step, d)
            with enable_grad():
                value = float(closure())
            g = self._flat_grad()
            for p, a in zip(self._params, start):
                p._data[...] = a
                p._bump_version()
            return value, g, float(g @ d)

        loss, g, t, evals = strong_wolfe(phi, loss, gtd, t, tolerance_change=tol_change,
                                         direction_size=float(np.abs(d).max()))
        self._add(t, d)
        return loss, g, t, evals


def _two_loop(q, dirs, steps, ro, h_diag):
    """H·q for the L-BFGS inverse-Hessian estimate H (Nocedal & Wright, algorithm 7.4)."""
    q = q.copy()
    alphas = []
    for y, s, r in zip(reversed(dirs), reversed(steps), reversed(ro)):
        a = float(s @ q) * r
        q -= a * y
        alphas.append(a)
    out = q * h_diag
    for (y, s, r), a in zip(zip(dirs, steps, ro), reversed(alphas)):
        b = float(y @ out) * r
        out += s * (a - b)
    return out
