"""A plan: the recorded step as a flat list of NumPy calls on numbered buffers.

Every value the traced step touched has a slot `v[i]`: the arguments
(filled in each call), captured arrays and parameters (read where they
live), literals, and the result of each call. A step is `(func, ins, out)`:
`v[out] = func(*v[ins])`. Replaying is that loop and nothing else: no
Tensor, no Node, no rule lookup. Guards are steps whose function checks a
value Python branched on at trace time (see guards.py); steps that change
state outside the plan (a `.grad`, an optimizer's update) are marked
`commits`, so a guard failing before them can hand the call back to a
fresh trace without anything having happened.
"""

from __future__ import annotations

import numpy as np

from ..core.tensor import Tensor
from .guards import GuardFailed, JitError


class Step:
    """One call of the plan: `v[out] = func(*(v[i] for i in ins))`; `out` may be a tuple or None."""

    __slots__ = ("func", "ins", "out", "text", "commits")

    def __init__(self, func, ins, out, text, commits=False):
        self.func, self.ins, self.out, self.text, self.commits = func, tuple(ins), out, text, commits


class Plan:
    """What `cr.jit` replays for one set of input shapes, dtypes and static arguments.

    `str(plan)` lists the calls one per line with the shape and dtype of each
    buffer they write.
    """

    def __init__(self, values, meta, arg_slots, captured, steps, outputs, structure):
        self.values = values  # slot -> array (constants, captured arrays; results are overwritten)
        self.meta = meta  # slot -> "shape dtype" text, for printing
        self.arg_slots = arg_slots  # [(slot, argument number)]
        self.captured = captured  # [(tensor, array)]: each tensor must still hold that array
        self.steps = steps
        self.outputs = outputs  # [(kind, slot or object)]
        self.structure = structure
        commit = [i for i, s in enumerate(steps) if s.commits]
        self.first_commit = commit[0] if commit else len(steps)
        self.calls = [(s.func, s.ins, s.out) for s in steps]

    def fits(self):
        """True while every captured tensor still holds the array the plan reads."""
        return all(t._data is a for t, a in self.captured)

    def replay(self, arrays):
        """Run the plan on the argument arrays; returns the output leaves or raises ReplayFailed."""
        v = self.values
        for slot, i in self.arg_slots:
            v[slot] = arrays[i]
        k = 0
        try:
            for k, (func, ins, out) in enumerate(self.calls):  # noqa: B007  (k says where a guard failed)
                r = func(*[v[i] for i in ins])
                if out is None:
                    continue
                if out.__class__ is int:
                    v[out] = r
                else:
                    for o, x in zip(out, r):
                        v[o] = x
        except GuardFailed as failed:
            if k > self.first_commit:
                raise JitError(f"{failed.where}: a value Python branched on at trace time changed after the "
                               "step had already updated state (.grad or parameters); move the check before "
                               "backward()/step(), or out of the jitted function") from None
            raise
        return [_output(kind, x, v) for kind, x in self.outputs]

    def __str__(self):
        lines = []
        for slot, i in self.arg_slots:
            lines.append(f"v{slot} = argument {i}".ljust(48) + f"# {self.meta.get(slot, '')}")
        for s in self.steps:
            if s.out is None:
                target = ""
            elif isinstance(s.out, int):
                target = f"v{s.out} = "
            else:
                target = ", ".join(f"v{o}" for o in s.out) + " = "
            shapes = [self.meta.get(o, "") for o in ((s.out,) if isinstance(s.out, int) else s.out or ())]
            line = target + s.text
            lines.append(line.ljust(48) + ("  # " + ", ".join(shapes) if shapes else ""))
        return "\n".join(lines)

    __repr__ = __str__


def _output(kind, x, v):
    if kind == "same":
        return x
    value = v[x]
    if kind == "item":
        return value.item()
    copy = value.copy()
    return Tensor._wrap(np.asarray(copy)) if kind == "tensor" else copy


def describe(a):
    """'(3, 4) float64' for an array; the repr for anything else (printing only)."""
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        return f"{tuple(a.shape)} {a.dtype}"
    return type(a).__name__
