"""A line search that finds a step satisfying the strong Wolfe conditions (for LBFGS(line_search_fn="strong_wolfe")).

Along a descent direction d from x, with φ(t) = f(x + t·d), a step t is accepted when

    φ(t) <= φ(0) + c1·t·φ'(0)        (sufficient decrease)
    |φ'(t)| <= c2·|φ'(0)|            (curvature: the slope has flattened)

The search is Nocedal & Wright's (Numerical Optimization, 2nd ed., algorithms 3.5 and 3.6): grow the
step until an interval is known to hold such a t, then shrink that interval ("zoom"), choosing each new
trial step as the minimiser of the cubic that matches φ and φ' at the interval's ends.
"""

from __future__ import annotations

import math


def cubic_minimiser(t1, f1, g1, t2, f2, g2, low, high):
    """The minimiser on [low, high] of the cubic through (t1, f1) and (t2, f2) with slopes g1, g2
    (the midpoint of [low, high] when that cubic has no minimum).

    Example:
        >>> round(cubic_minimiser(0.0, 1.0, -2.0, 2.0, 1.0, 2.0, 0.0, 2.0), 6)  # (t - 1)² sampled at 0 and 2
        1.0
    """
    d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2)
    square = d1 * d1 - g1 * g2
    if square < 0:
        return (low + high) / 2
    d2 = math.copysign(math.sqrt(square), t2 - t1)
    denominator = g2 - g1 + 2 * d2
    if denominator == 0:
        return (low + high) / 2
    t = t2 - (t2 - t1) * (g2 + d2 - d1) / denominator
    return min(max(t, low), high)


def strong_wolfe(phi, f0, gtd0, t, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_evals=25, direction_size=1.0):
    """A step t along the direction meeting the strong Wolfe conditions, starting from the trial step `t`.

    `phi(t)` evaluates the loss at x + t·d and returns (loss, gradient, slope φ'(t) = gradient · d);
    `f0` and `gtd0` are the loss and slope at t = 0 (gtd0 < 0: a descent direction). Returns
    (loss, gradient, t, evaluations) of the step chosen; after `max_evals` evaluations, or when the
    interval is narrower than `tolerance_change` (measured along the direction, `direction_size` =
    max |d|), the best step found so far.

    Example:
        >>> import numpy as np
        >>> phi = lambda t: ((t - 3.0) ** 2, np.array([2 * (t - 3.0)]), 2 * (t - 3.0))  # f(x) = (x - 3)², d = 1
        >>> loss, grad, t, evals = strong_wolfe(phi, 9.0, -6.0, 1.0)
        >>> bool(loss <= 9.0 + 1e-4 * t * -6.0 and abs(2 * (t - 3.0)) <= 0.9 * 6.0)
        True
    """
    prev = (0.0, f0, None, gtd0)
    f, g, gtd = phi(t)
    evals = 1
    while evals < max_evals:
        if f > f0 + c1 * t * gtd0 or (evals > 1 and f >= prev[1]):  # too far: a good step lies before t
            return _zoom(phi, f0, gtd0, prev, (t, f, g, gtd), c1, c2, tolerance_change, evals, max_evals,
                         direction_size)
        if abs(gtd) <= -c2 * gtd0:  # both conditions hold
            return f, g, t, evals
        if gtd >= 0:  # the slope turned upward: a good step lies between prev and t
            return _zoom(phi, f0, gtd0, (t, f, g, gtd), prev, c1, c2, tolerance_change, evals, max_evals,
                         direction_size)
        # still going down: extrapolate, at least a little and at most tenfold
        t_next = cubic_minimiser(prev[0], prev[1], prev[3], t, f, gtd, t + 0.01 * (t - prev[0]), 10 * t)
        prev = (t, f, g, gtd)
        t = t_next
        f, g, gtd = phi(t)
        evals += 1
    return f, g, t, evals


def _zoom(phi, f0, gtd0, lo, hi, c1, c2, tolerance_change, evals, max_evals, direction_size):
    """Shrink [lo, hi] (lo: the end with the lower loss that meets sufficient decrease) to a Wolfe step."""
    while evals < max_evals and abs(hi[0] - lo[0]) * direction_size >= tolerance_change:
        low, high = sorted((lo[0], hi[0]))
        margin = 0.1 * (high - low)
        t = cubic_minimiser(lo[0], lo[1], lo[3], hi[0], hi[1], hi[3], low, high)
        if t - low < margin or high - t < margin:  # too close to an end: the interval would barely shrink
            t = (low + high) / 2
        f, g, gtd = phi(t)
        evals += 1
        if f > f0 + c1 * t * gtd0 or f >= lo[1]:
            hi = (t, f, g, gtd)
            continue
        if abs(gtd) <= -c2 * gtd0:
            return f, g, t, evals
        if gtd * (hi[0] - lo[0]) >= 0:
            hi = lo
        lo = (t, f, g, gtd)
    if lo[2] is None:  # nothing better than the start was found: no step
        f, g, gtd = phi(lo[0])
        return f, g, lo[0], evals + 1
    return lo[1], lo[2], lo[0], evals
