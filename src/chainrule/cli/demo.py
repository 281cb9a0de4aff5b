"""`chainrule demo`: the notes' f(x1, x2) = ln x1 + x1·x2 - sin x2, differentiated three ways."""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.tools.differences import central_difference


def notes_function(x1, x2):
    """The running example of the notes (seed 002), after Baydin et al."""
    return cr.log(x1) + x1 * x2 - cr.sin(x2)


def _parse_point(text):
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"--at needs two numbers like 2,5; got {text!r}")
    try:
        return tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"--at needs two numbers like 2,5; got {text!r}") from None


def run_demo(at: str) -> int:
    a, b = _parse_point(at)
    if a <= 0:
        raise ValueError(f"x1 must be positive (ln x1 is taken); got x1={a}")
    x1 = cr.tensor(a, dtype=np.float64, requires_grad=True)  # teaching computes in float64, as the notes
    x2 = cr.tensor(b, dtype=np.float64, requires_grad=True)
    y = notes_function(x1, x2)
    y.backward()
    reverse = (float(x1.grad), float(x2.grad))
    if not np.all(np.isfinite([float(y), *reverse])):
        raise cr.ChainruleError(f"f or its gradient overflows at x1={a:g}, x2={b:g}; choose a smaller point")
    forward = tuple(float(cr.jvp(notes_function, (a, b), seed)[1]) for seed in ((1.0, 0.0), (0.0, 1.0)))
    numeric = tuple(float(central_difference(notes_function, (a, b), argnum=k)) for k in (0, 1))
    print("f(x1, x2) = ln(x1) + x1*x2 - sin(x2)")
    print(f"at x1 = {a:g}, x2 = {b:g}:  f = {float(y):.6f}")
    print(f"{'':14}{'df/dx1':>14}{'df/dx2':>14}")
    for name, g in (("reverse mode", reverse), ("forward mode", forward), ("central diff", numeric)):
        print(f"{name:14}{g[0]:>14.8f}{g[1]:>14.8f}")
    gap = max(abs(r - n) for r, n in zip(reverse, numeric))
    print(f"largest |autodiff - finite difference| = {gap:.2e}")
    return 0
